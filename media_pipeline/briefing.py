"""A briefing video made from an article: title card, the cover in slow pan and zoom, the
narration as sound, and the narration's sentences as subtitles (soft, or burned in)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ffmpeg

from . import ffmpeg_run
from .cards import fit_cover, title_card
from .timecode import timestamp

LANDSCAPE = (1280, 720)
PORTRAIT = (720, 1280)
CARD_SECONDS = 4.0
FPS = 25
ZOOM = 1.15  # the cover drifts from 100% to 115% over the video


def _srt(sentences: Sequence[dict[str, Any]], path: Path) -> Path:
    cues = [s for s in sentences if s["end"] > s["start"]]
    path.write_text("".join(
        f"{i}\n{timestamp(s['start'], ',')} --> {timestamp(s['end'], ',')}\n{s['text']}\n\n"
        for i, s in enumerate(cues, 1)), encoding="utf-8")
    return path


def briefing_stream(title: str, cover: Path | None, narration: Path, duration: float,
                    workdir: Path, size: tuple[int, int] = LANDSCAPE, label: str = "",
                    subtitles: Sequence[dict[str, Any]] | None = None):
    """The ffmpeg command for the mezzanine MP4 that then goes through HLS packaging."""
    w, h = size
    card = title_card(title, cover, size, label or "ĐỌC · NGHE · XEM", workdir / "card.jpg")
    pan_image = workdir / "pan.jpg"
    fit_cover(cover, size, scale=1.0).save(pan_image, quality=92)
    card_len = min(CARD_SECONDS, duration / 3)
    pan_len = max(0.5, duration - card_len)
    frames = max(1, int(pan_len * FPS))
    opening = ffmpeg.input(str(card), loop=1, framerate=FPS, t=card_len)["v:0"].filter(
        "fade", t="in", st=0, d=0.5)
    zoom_step = (ZOOM - 1) / frames
    pan = (ffmpeg.input(str(pan_image), loop=1, framerate=FPS, t=pan_len)["v:0"]
           .filter("scale", w * 3 // 2, h * 3 // 2)  # zoompan is smoother from a larger picture
           .filter("zoompan", z=f"min(1+on*{zoom_step:.8f},{ZOOM})", d=1,
                   x="iw/2-(iw/zoom/2)", y="ih/2-(ih/zoom/2)", s=f"{w}x{h}", fps=FPS))
    picture = ffmpeg.concat(opening.filter("setsar", 1), pan.filter("setsar", 1), v=1, a=0)
    if subtitles:
        srt = _srt(subtitles, workdir / "subtitles.srt")
        font_size = 11 if h > w else 18
        picture = picture.filter(
            "subtitles", str(srt), force_style=f"FontName=DejaVu Sans,FontSize={font_size},"
            "PrimaryColour=&H00FFFFFF,OutlineColour=&H80000000,BorderStyle=1,Outline=2,"
            "MarginV=28,Alignment=2")
    sound = ffmpeg.input(str(narration))["a:0"]
    return ffmpeg.output(picture.filter("format", "yuv420p"), sound, str(workdir / "briefing.mp4"),
                         vcodec="libx264", preset="ultrafast", crf=18, acodec="aac",
                         audio_bitrate="128k", t=duration, movflags="+faststart")


def render(title: str, cover: Path | None, narration: Path, duration: float, workdir: Path,
           size: tuple[int, int] = LANDSCAPE, label: str = "",
           subtitles: Sequence[dict[str, Any]] | None = None,
           on_progress: ffmpeg_run.ProgressCallback = ffmpeg_run._noop,
           timeout: float | None = None) -> Path:
    ffmpeg_run.run(briefing_stream(title, cover, narration, duration, workdir, size, label,
                                   subtitles),
                   duration=duration, on_progress=on_progress, timeout=timeout,
                   failure_reason="Không dựng được video tóm tắt")
    return workdir / "briefing.mp4"

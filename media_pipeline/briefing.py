"""A briefing video made from an article, laid out as a newsroom would: a title card (section,
date, title), then the article's own pictures, each with its caption while the sentences near
it are read, in slow pan and zoom (a plain card where there is no picture); the portal's mark
in a corner, the narration as sound, and its sentences as subtitles in a band of their own
(a soft track, or burned in)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ffmpeg
from PIL import Image

from . import ffmpeg_run
from .cards import (
    Layout,
    band,
    caption_box,
    caption_position,
    corner_mark,
    corner_position,
    fit_picture,
    font,
    picture_backdrop,
    plain_card,
    title_card,
    wrap,
)
from .timecode import timestamp

log = logging.getLogger(__name__)

LANDSCAPE = (1280, 720)
PORTRAIT = (720, 1280)
CARD_SECONDS = (3.0, 7.0)  # the title card stays while the title is read, within these
FPS = 25
ZOOM = 1.12         # a picture drifts between 100% and 112%
OVERSCAN = 1.5      # pictures are prepared this much larger: zoompan moves smoothly on them
MIN_SCENE = 3.0     # a picture is on screen at least this long, or not at all
LINGER = 12.0       # a picture stays this long past its paragraphs before the cover returns
FADE = 0.3          # each scene fades in from black this long


@dataclass(frozen=True)
class Picture:
    path: Path
    caption: str    # "" when the article gives none: then none is shown
    block: int      # the narration block it stands beside (its caption, or the next paragraph)


@dataclass(frozen=True)
class Story:
    """What the video says about the article besides its sentences."""

    title: str
    section: str = ""
    date: str = ""         # as readers see it, "Thứ Ba, 19/01/2021"
    site: str = ""
    emblem: Path | None = None


@dataclass(frozen=True)
class Scene:
    start: float
    end: float
    picture: Picture | None  # None: the plain card

    @property
    def length(self) -> float:
        return self.end - self.start


def title_card_length(duration: float, sentences: Sequence[dict[str, Any]]) -> float:
    """As long as the title is being read (within CARD_SECONDS), and a third of the video at
    most."""
    title_end = max((s["end"] for s in sentences if s["block"] == 0), default=0.0)
    return min(max(CARD_SECONDS[0], min(title_end, CARD_SECONDS[1])), duration / 3)


def _block_times(sentences: Sequence[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    times: dict[int, tuple[float, float]] = {}
    for s in sentences:
        start, end = times.get(s["block"], (s["start"], s["end"]))
        times[s["block"]] = (min(start, s["start"]), max(end, s["end"]))
    return times


def _near(picture: Picture, times: dict[int, tuple[float, float]]) -> tuple[float, float] | None:
    """From the paragraph before the picture to the one after its caption."""
    blocks = [b for b in (picture.block - 1, picture.block, picture.block + 1) if b in times]
    if not blocks:
        return None
    return times[blocks[0]][0], times[blocks[-1]][1]


def plan_scenes(duration: float, card_end: float, cover: Picture | None,
                pictures: Sequence[Picture], sentences: Sequence[dict[str, Any]]) -> list[Scene]:
    """What is on screen from the end of the title card to the end of the narration.

    The cover comes first, while the lede is read. Each body picture is shown while the
    sentences near it are read (the paragraph before, its
    caption, the paragraph after), at least MIN_SCENE seconds; pictures that find no room are
    left out, with their captions. Between pictures, the one before lingers a little; longer
    stretches go back to the cover, or to the plain card when the article has no cover.
    """
    times = _block_times(sentences)
    wanted: list[tuple[float, float, Picture]] = []
    for picture in pictures:
        near = _near(picture, times)
        if near is not None:
            wanted.append((near[0], near[1], picture))
    scenes: list[Scene] = []

    def fill(start: float, end: float) -> None:
        """From `start` to `end`: the scene before held on, or the cover (the plain card)."""
        if end - start <= 1e-6:
            return
        last = scenes[-1] if scenes else None
        if last is not None and (end - start < MIN_SCENE or last.picture is cover or (
                end - start <= LINGER and last.picture is not None)):
            scenes[-1] = replace(last, end=end)
        else:
            scenes.append(Scene(start, end, cover))

    wanted.sort(key=lambda w: w[0])
    if cover is not None:  # the cover opens the story: the lede is read over it
        wanted.insert(0, (card_end, times.get(1, (0.0, card_end))[1], cover))
    for near_start, near_end, picture in wanted:
        if scenes:  # the scene before keeps its minimum
            start = max(near_start, scenes[-1].start + MIN_SCENE)
        else:  # no flash of cover between the title card and the first picture
            start = near_start if near_start - card_end >= MIN_SCENE else card_end
        if start + MIN_SCENE > duration:
            break  # no room left before the end
        if start + MIN_SCENE > near_end and picture is not cover:
            continue  # the pictures before it took its sentences' time: left out, not late
        if scenes and scenes[-1].end > start:
            scenes[-1] = replace(scenes[-1], end=start)
        else:
            fill(scenes[-1].end if scenes else card_end, start)
        scenes.append(Scene(start, min(max(near_end, start + MIN_SCENE), duration), picture))
    fill(scenes[-1].end if scenes else card_end, duration)
    return scenes


# --- subtitles ---------------------------------------------------------------------------

def subtitle_cues(sentences: Sequence[dict[str, Any]], layout: Layout
                  ) -> list[tuple[float, float, list[str]]]:
    """Each sentence as cues of at most two lines that fit the band; a longer sentence is
    cut at word boundaries, its time shared by the length of each part. Not the title: the
    title card shows it already."""
    face = font(layout.subtitle_font_size)
    cues: list[tuple[float, float, list[str]]] = []
    for s in sentences:
        start, end = s["start"], s["end"]
        lines = wrap(s["text"], face, layout.subtitle_width)
        if end <= start or not lines or s["block"] == 0:
            continue
        parts = [lines[i:i + 2] for i in range(0, len(lines), 2)]
        total = sum(len(" ".join(part)) for part in parts)
        at = start
        for part in parts:
            share = (end - start) * len(" ".join(part)) / total
            cues.append((at, min(end, at + share), part))
            at += share
    return cues


def write_vtt(cues: Sequence[tuple[float, float, list[str]]], layout: Layout, path: Path
              ) -> Path:
    """The same cues as a WebVTT track, the soft subtitles a player draws: two lines at most
    (the narration's own track has whole sentences, for read-along, too long for a band), each
    cue's box pinned to the top of the band (`line:` as a share of the height) so that a
    player's larger caption font grows down into the band, not up over a photo's caption."""
    top = math.ceil((layout.band_top + layout.px(10)) / layout.size[1] * 100)
    settings = f"line:{top}% align:center size:92%"
    def text(line: str) -> str:  # cue text is markup to a player: &, < and > as entities
        return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    path.write_text("WEBVTT\n\n" + "".join(
        f"{n}\n{timestamp(start)} --> {timestamp(end)} {settings}\n"
        + "\n".join(text(line) for line in lines) + "\n\n"
        for n, (start, end, lines) in enumerate(cues, 1)), encoding="utf-8")
    return path


def _ass_time(seconds: float) -> str:
    cs = round(seconds * 100)
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def write_ass(cues: Sequence[tuple[float, float, list[str]]], layout: Layout, path: Path) -> Path:
    """An ASS file in the frame's own pixels: every cue centred in the band, its lines broken
    where `subtitle_cues` broke them (libass does not re-wrap them)."""
    w, h = layout.size
    x, y = w // 2, layout.band_top + layout.band_height // 2

    def clean(line: str) -> str:
        return line.replace("\\", "/").replace("{", "(").replace("}", ")")

    place = "{\\an5\\pos(" + f"{x},{y}" + ")}"
    events = "".join(
        f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Band,,0,0,0,,{place}"
        + "\\N".join(clean(line) for line in lines) + "\n"
        for start, end, lines in cues)
    path.write_text(
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {w}\nPlayResY: {h}\nWrapStyle: 2\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
        "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, "
        "Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, "
        "Encoding\n"
        f"Style: Band,DejaVu Sans,{layout.subtitle_font_size},&H00FFFFFF,&H00FFFFFF,"
        "&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,0,0,5,0,0,0,1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, "
        f"Text\n{events}", encoding="utf-8")
    return path


# --- pictures in motion ------------------------------------------------------------------

def _motion(n: int, frames: int) -> dict[str, str]:
    """zoompan's expressions for the n-th picture: zoom in, pan right, zoom out, pan left."""
    last = max(frames - 1, 1)
    t = f"(on/{last})"
    centre_x, centre_y = "iw/2-(iw/zoom/2)", "ih/2-(ih/zoom/2)"
    return [
        {"z": f"1+{ZOOM - 1:.3f}*{t}", "x": centre_x, "y": centre_y},
        {"z": f"{ZOOM}", "x": f"(iw-iw/zoom)*{t}", "y": centre_y},
        {"z": f"{ZOOM}-{ZOOM - 1:.3f}*{t}", "x": centre_x, "y": centre_y},
        {"z": f"{ZOOM}", "x": f"(iw-iw/zoom)*(1-{t})", "y": centre_y},
    ][n % 4]


def readable(path: Path) -> bool:
    """Whether `path` is a picture Pillow can draw; one that is not is left out, with its
    caption, rather than failing the whole video."""
    try:
        with Image.open(path) as img:
            img.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("briefing: picture %s left out: %s", path.name, exc)
        return False
    return True


def _image(path: Path):
    """One picture, decoded once (a looped input would decode it again for every frame)."""
    return ffmpeg.input(str(path), framerate=FPS)["v:0"]


def _still(path: Path, frames: int):
    """A picture held for `frames` frames."""
    return (_image(path).filter("loop", loop=frames - 1, size=1, start=0)
            .filter("setpts", f"N/{FPS}/TB"))


def briefing_stream(story: Story, cover: Picture | None, pictures: Sequence[Picture],
                    narration: Path, duration: float, workdir: Path,
                    sentences: Sequence[dict[str, Any]], size: tuple[int, int] = LANDSCAPE,
                    burn_subtitles: bool = False):
    """The ffmpeg command for the mezzanine MP4 that then goes through HLS packaging."""
    layout = Layout(size)
    card_end = title_card_length(duration, sentences)
    cover = cover if cover is not None and readable(cover.path) else None
    pictures = [p for p in pictures if readable(p.path)]
    scenes = plan_scenes(duration, card_end, cover, pictures, sentences)
    card_frames = round(card_end * FPS)
    pieces = [_still(title_card(story.title, story.section, story.date, layout,
                                workdir / "title.jpg"), card_frames)]
    plain: Path | None = None
    box_x, box_y, box_w, box_h = layout.picture_box
    prepared: dict[Path, Path] = {}
    for n, scene in enumerate(scenes):
        # On the frame grid, so that the pieces add up to the narration exactly.
        frames = max(1, round(scene.end * FPS) - round(scene.start * FPS))
        picture = scene.picture
        if picture is None:
            plain = plain or plain_card(story.title, story.section, story.emblem, layout,
                                        workdir / "plain.jpg")
            pieces.append(_still(plain, frames))
            continue
        if picture.path not in prepared:
            big = fit_picture(picture.path, (int(box_w * OVERSCAN), int(box_h * OVERSCAN)))
            assert big is not None
            prepared[picture.path] = workdir / f"picture-{len(prepared)}.jpg"
            big.save(prepared[picture.path], quality=90)
        moving = _image(prepared[picture.path]).filter(  # one picture in, `frames` out
            "zoompan", d=frames, s=f"{box_w}x{box_h}", fps=FPS, **_motion(n, frames))
        if layout.portrait:
            backdrop = picture_backdrop(story.title, story.section, picture.caption, layout,
                                        workdir / f"backdrop-{n}.jpg")
            moving = ffmpeg.overlay(_still(backdrop, frames), moving, x=box_x, y=box_y)
        elif picture.caption.strip():
            box = caption_box(picture.caption, layout)
            box.save(workdir / f"caption-{n}.png")
            x, y = caption_position(box, layout)
            # (overlay holds a one-frame input's picture to the end)
            moving = ffmpeg.overlay(moving, _image(workdir / f"caption-{n}.png"), x=x, y=y)
        pieces.append(moving)
    pieces = [p.filter("setsar", 1).filter("fade", t="in", st=0, d=FADE) for p in pieces]
    picture = ffmpeg.concat(*pieces, v=1, a=0) if len(pieces) > 1 else pieces[0]
    # The band and the corner mark stay put over everything.
    band(layout).save(workdir / "band.png")
    chip = corner_mark(story.site, story.emblem, layout)
    chip.save(workdir / "corner.png")
    picture = ffmpeg.overlay(picture, _image(workdir / "band.png"), x=0, y=layout.band_top)
    cx, cy = corner_position(chip, layout)
    picture = ffmpeg.overlay(picture, _image(workdir / "corner.png"), x=cx, y=cy)
    if burn_subtitles:
        ass = write_ass(subtitle_cues(sentences, layout), layout, workdir / "subtitles.ass")
        picture = picture.filter("subtitles", str(ass))
    sound = ffmpeg.input(str(narration))["a:0"]
    return ffmpeg.output(picture.filter("format", "yuv420p"), sound, str(workdir / "briefing.mp4"),
                         vcodec="libx264", preset="ultrafast", crf=18, acodec="aac",
                         audio_bitrate="128k", t=duration, movflags="+faststart")


def render(story: Story, cover: Picture | None, pictures: Sequence[Picture], narration: Path,
           duration: float, workdir: Path, sentences: Sequence[dict[str, Any]],
           size: tuple[int, int] = LANDSCAPE, burn_subtitles: bool = False,
           on_progress: ffmpeg_run.ProgressCallback = ffmpeg_run._noop,
           timeout: float | None = None) -> Path:
    ffmpeg_run.run(briefing_stream(story, cover, pictures, narration, duration, workdir,
                                   sentences, size, burn_subtitles),
                   duration=duration, on_progress=on_progress, timeout=timeout,
                   failure_reason="Không dựng được video tóm tắt")
    return workdir / "briefing.mp4"

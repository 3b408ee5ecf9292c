"""Uploaded video → checked with ffprobe → H.264/AAC MP4 for the web, and a poster JPEG."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from . import ffmpeg_run
from .errors import InvalidMediaError

NOT_A_VIDEO = "Tệp không phải video hợp lệ"


@dataclass(frozen=True)
class VideoInfo:
    duration: float
    width: int  # as displayed, after rotation
    height: int
    has_audio: bool
    rotation: int = 0


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(side["rotation"])
    return int(stream.get("tags", {}).get("rotate", 0))


def probe(path: Path, max_duration: float | None = None) -> VideoInfo:
    """Read and check `path` before any transcoding; InvalidMediaError says what is wrong."""
    if not path.exists() or path.stat().st_size == 0:
        raise InvalidMediaError(NOT_A_VIDEO, "tệp rỗng")
    try:
        data = ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        detail = ffmpeg_run.stderr_tail(exc.stderr.decode(errors="replace"), 2)
        raise InvalidMediaError(NOT_A_VIDEO, detail) from None
    streams = data.get("streams", [])
    videos = [s for s in streams if s.get("codec_type") == "video"
              and not s.get("disposition", {}).get("attached_pic")]
    if not videos:
        raise InvalidMediaError(NOT_A_VIDEO, "tệp không có hình ảnh video")
    video = videos[0]
    try:
        duration = float(data.get("format", {}).get("duration") or video.get("duration") or 0)
        width, height = int(video["width"]), int(video["height"])
    except (KeyError, ValueError):
        raise InvalidMediaError(NOT_A_VIDEO, "không đọc được kích thước hoặc thời lượng") from None
    if duration <= 0 or width <= 0 or height <= 0:
        raise InvalidMediaError(NOT_A_VIDEO, "không đọc được kích thước hoặc thời lượng")
    if max_duration and duration > max_duration:
        raise InvalidMediaError(
            f"Video dài {duration / 60:.0f} phút, vượt giới hạn {max_duration / 60:.0f} phút")
    rotation = _rotation(video)
    if rotation % 180:
        width, height = height, width
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return VideoInfo(duration, width, height, has_audio, rotation)


def target_size(width: int, height: int, max_short_side: int = 720) -> tuple[int, int]:
    """Output size: short side at most `max_short_side`, aspect kept, both even, no upscaling."""
    scale = min(1.0, max_short_side / min(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def transcode_stream(source: Path, target: Path, info: VideoInfo, max_short_side: int = 720):
    """The ffmpeg command (ffmpeg-python node): web MP4, H.264 + AAC, moov atom first."""
    width, height = target_size(info.width, info.height, max_short_side)
    inp = ffmpeg.input(str(source))  # ffmpeg applies rotation metadata before scaling
    streams = [inp.video.filter("scale", width, height).filter("setsar", 1)]
    audio = {}
    if info.has_audio:
        streams.append(inp["a:0"])  # first audio track only
        audio = {"acodec": "aac", "audio_bitrate": "128k", "ac": 2}
    return ffmpeg.output(
        *streams, str(target), vcodec="libx264", preset="veryfast", crf=23,
        pix_fmt="yuv420p", movflags="+faststart", max_muxing_queue_size=1024, **audio,
    )


def transcode_mp4(source: Path, target: Path, info: VideoInfo, max_short_side: int = 720,
                  on_progress: ffmpeg_run.ProgressCallback = ffmpeg_run._noop,
                  timeout: float | None = None) -> Path:
    ffmpeg_run.run(transcode_stream(source, target, info, max_short_side),
                   duration=info.duration, on_progress=on_progress, timeout=timeout,
                   failure_reason="Không chuyển mã được video (tệp có thể bị hỏng)")
    return target


def poster(video: Path, target: Path, duration: float) -> Path:
    """A JPEG frame from early in the video (10% in, at most 3 s) for the player's poster."""
    at = min(3.0, duration * 0.1)
    ffmpeg_run.run(
        ffmpeg.input(str(video), ss=at).output(str(target), vframes=1, **{"q:v": 3}),
        failure_reason="Không tạo được ảnh đại diện cho video",
    )
    return target

"""Speech audio → the MP3 readers download."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import ffmpeg

from . import ffmpeg_run

# Mono speech at 48 kbit/s: clear voice, ~360 kB a minute for slow provincial links.
MP3_BITRATE = "48k"
MP3_SAMPLE_RATE = 22050


def encode_mp3_stream(source: Path, target: Path):
    """The ffmpeg command (ffmpeg-python node) that encodes `source` as speech MP3."""
    return ffmpeg.input(str(source)).output(
        str(target), acodec="libmp3lame", audio_bitrate=MP3_BITRATE, ac=1,
        ar=MP3_SAMPLE_RATE, vn=None, map_metadata=-1,
    )


def encode_mp3(source: Path, target: Path, duration: float | None = None,
               on_progress: ffmpeg_run.ProgressCallback = ffmpeg_run._noop) -> Path:
    ffmpeg_run.run(encode_mp3_stream(source, target), duration=duration, on_progress=on_progress,
                   failure_reason="Không mã hóa được bản nghe MP3")
    return target


def media_duration(path: Path) -> float:
    """Duration in seconds as ffprobe reads it from the container."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])

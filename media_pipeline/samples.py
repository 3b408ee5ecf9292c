"""Small generated media for demo content, tests and benchmarks (no files shipped)."""

from __future__ import annotations

from pathlib import Path

import ffmpeg

from . import ffmpeg_run


def make_video(path: Path, seconds: float = 3.0, size: tuple[int, int] = (320, 240),
               fps: int = 25, audio: bool = True, rotate: int | None = None) -> Path:
    """A test-pattern video with a sine tone: H.264/AAC in whatever container `path` names."""
    w, h = size
    streams = [ffmpeg.input(f"testsrc2=size={w}x{h}:rate={fps}:duration={seconds}", f="lavfi")]
    if audio:
        streams.append(ffmpeg.input(f"sine=frequency=440:sample_rate=44100:duration={seconds}",
                                    f="lavfi"))
    extra = {"metadata:s:v:0": f"rotate={rotate}"} if rotate is not None else {}
    out = ffmpeg.output(*streams, str(path), vcodec="libx264", preset="ultrafast",
                        pix_fmt="yuv420p", **({"acodec": "aac"} if audio else {}), **extra)
    ffmpeg_run.run(out, failure_reason="could not generate sample video")
    return path

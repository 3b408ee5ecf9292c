"""Run an ffmpeg command built with ffmpeg-python, reporting progress and failing loudly."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

from .errors import TranscodeError

ProgressCallback = Callable[[int], None]


def _noop(_: int) -> None:
    pass


def stderr_tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run(
    stream: Any,
    *,
    duration: float | None = None,
    on_progress: ProgressCallback = _noop,
    timeout: float | None = None,
    failure_reason: str = "Không xử lý được tệp media",
) -> None:
    """Run `stream` (an ffmpeg-python output node) with `-progress` on stdout.

    Progress is reported as 0–100 from ffmpeg's `out_time_us` against `duration`.
    stderr goes to a temp file (a pipe could fill and deadlock a long job) and its tail
    becomes the `TranscodeError` detail on failure.
    """
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1",
            *stream.get_args()]
    last = -1
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and duration and value.isdigit():
                    pct = max(0, min(99, int(int(value) / 1e6 / duration * 100)))
                    if pct != last:
                        last = pct
                        on_progress(pct)
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise TranscodeError(failure_reason, "ffmpeg quá thời gian cho phép") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if returncode != 0:
            err.seek(0)
            raise TranscodeError(failure_reason, stderr_tail(err.read()))
    on_progress(100)

"""Run an ffmpeg command built with ffmpeg-python, reporting progress and failing loudly.

ffmpeg dies with the process that started it (a killed work-horse leaves no orphan encoding
on), stops when its time limit comes (during the run, not after its output ends), and a
failure says what happened in words: the time limit, a full disk, a signal from outside, or
the caller's own reason (the file). ffmpeg's own output is the error's `detail`, for the log.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from .errors import DiskFullError, StoppedError, TimeLimitError, TranscodeError

ProgressCallback = Callable[[int], None]
PR_SET_PDEATHSIG = 1
# Loaded here, in the parent: between fork and exec the child only makes the call.
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
TIME_LIMIT = "Quá thời gian xử lý cho phép"
DISK_FULL = "Ổ đĩa của máy xử lý đã đầy"
STOPPED = "Tiến trình xử lý bị dừng giữa chừng (máy xử lý khởi động lại hoặc thiếu bộ nhớ)"


def _noop(_: int) -> None:
    pass


def stderr_tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def die_with_parent() -> None:
    """In the child, before exec: the kernel kills it when its parent goes (Linux)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def failure(stderr: str, returncode: int, failure_reason: str,
            reached: float = 0.0) -> TranscodeError:
    """The error for an ffmpeg that ended badly, by its real cause; `reached` is how many
    seconds of the input it had got through."""
    detail = stderr_tail(stderr)
    if "No space left on device" in stderr:
        return DiskFullError(DISK_FULL, detail)
    if returncode < 0:  # killed by a signal it did not send itself
        return StoppedError(STOPPED, f"signal {-returncode}\n{detail}")
    error = TranscodeError(failure_reason, detail)
    error.reached = reached
    return error


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
    becomes the error's `detail`. After `timeout` seconds ffmpeg is killed: TimeLimitError.
    """
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1",
            *stream.get_args()]
    last, reached = -1, 0.0
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True,
                                preexec_fn=die_with_parent)
        timed_out = threading.Event()

        def kill_at_limit() -> None:
            timed_out.set()
            proc.kill()

        watchdog = threading.Timer(timeout, kill_at_limit) if timeout else None
        if watchdog is not None:
            watchdog.daemon = True
            watchdog.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.isdigit():
                    reached = int(value) / 1e6
                if key == "out_time_us" and duration and value.isdigit():
                    pct = max(0, min(99, int(reached / duration * 100)))
                    if pct != last:
                        last = pct
                        on_progress(pct)
            returncode = proc.wait()
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if proc.poll() is None:  # (an exception from on_progress: a cancelled job)
                proc.kill()
                proc.wait()
        if timed_out.is_set():
            raise TimeLimitError(TIME_LIMIT, f"ffmpeg stopped after {timeout:.0f} s")
        if returncode != 0:
            err.seek(0)
            raise failure(err.read(), returncode, failure_reason, reached)
    on_progress(100)

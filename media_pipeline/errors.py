"""Errors that carry what a person needs to act on them.

`transient` says whether the same work may succeed if tried again later without anyone
changing anything (the machine was stopped, the disk was full, the store did not answer) —
or whether the input itself is at fault, and retrying cannot help.
"""

from __future__ import annotations

from babel.numbers import format_decimal


def vi_number(value: float, places: int = 0) -> str:
    """A number in a reason the way Vietnamese writes it: "0,40", "12.345" (the reasons are
    Vietnamese sentences, whatever the language of the page that shows them)."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale="vi")


class MediaError(Exception):
    """Base class. `reason` is a Vietnamese sentence an editor can act on; `detail` is for the
    log (ffmpeg's output, paths), never shown to people."""

    transient = False

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason} ({detail})")
        self.reason = reason
        self.detail = detail


class InvalidMediaError(MediaError):
    """The input file is not something we can publish (not a video, corrupt, too long)."""


class TranscodeError(MediaError):
    """ffmpeg failed on the file; `detail` holds the tail of its stderr, `reached` how many
    seconds of the input it had decoded."""

    reached = 0.0


class TimeLimitError(TranscodeError):
    """The work took longer than its time limit (a huge or pathological file)."""


class DiskFullError(TranscodeError):
    """The worker's disk filled up: another try, once space is freed, may succeed."""

    transient = True


class StoppedError(TranscodeError):
    """ffmpeg was killed from outside (the machine stopping, out of memory): try again."""

    transient = True


class NothingToNarrateError(MediaError):
    """The article has no readable text left after stripping markup."""


class TTSError(MediaError):
    """Every configured speech engine failed."""


class EngineUnavailable(Exception):
    """One engine could not speak this text; the chain moves on to the next engine."""

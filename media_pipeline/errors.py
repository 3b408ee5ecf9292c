"""Errors that carry what a person needs to act on them."""

from __future__ import annotations


class MediaError(Exception):
    """Base class. `reason` is a Vietnamese sentence an editor can act on."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason} ({detail})")
        self.reason = reason
        self.detail = detail


class InvalidMediaError(MediaError):
    """The input file is not something we can publish (not a video, corrupt, too long)."""


class TranscodeError(MediaError):
    """ffmpeg failed; `detail` holds the tail of its stderr."""


class NothingToNarrateError(MediaError):
    """The article has no readable text left after stripping markup."""


class TTSError(MediaError):
    """Every configured speech engine failed."""


class EngineUnavailable(Exception):
    """One engine could not speak this text; the chain moves on to the next engine."""

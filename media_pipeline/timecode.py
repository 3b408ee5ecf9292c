"""Cue timestamps for WebVTT ("00:01:02.345") and SRT ("00:01:02,345")."""

from __future__ import annotations


def timestamp(seconds: float, decimal: str = ".") -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}".replace(".", decimal)

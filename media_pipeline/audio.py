"""Small audio helpers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def media_duration(path: Path) -> float:
    """Duration in seconds as ffprobe reads it from the container."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(json.loads(out)["format"]["duration"])

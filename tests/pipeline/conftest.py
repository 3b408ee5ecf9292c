import subprocess
from pathlib import Path

import pytest

from media_pipeline.samples import make_video


def probe_streams(path: Path) -> dict:
    import json

    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of",
                          "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory) -> Path:
    """3 s, 640x360, H.264 + AAC."""
    return make_video(tmp_path_factory.mktemp("media") / "sample.mp4", 3, (640, 360))


@pytest.fixture(scope="session")
def sample_mp3(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("media") / "tone.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=300:duration=1", "-ac", "1", "-b:a", "32k", str(path)],
                   check=True)
    return path.read_bytes()

"""Text-to-speech engines behind one interface, tried in order until one speaks.

gTTS needs Google; on closed networks it fails fast (DNS) or times out, and the chain
falls back on espeak-ng, which runs offline.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests
from gtts import gTTS, gTTSError

from .errors import EngineUnavailable, NothingToNarrateError, TTSError
from .text import has_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speech:
    """A synthesized audio file and who made it."""

    path: Path
    engine: str
    voice: str


class SpeechEngine(Protocol):
    name: str
    voice: str

    def synthesize(self, text: str, workdir: Path) -> Path:
        """Write speech for `text` into `workdir`; raise EngineUnavailable on failure."""
        ...


class GTTSEngine:
    name = "gtts"

    def __init__(self, lang: str = "vi", tld: str = "com.vn", timeout: float = 10.0) -> None:
        self.lang, self.tld, self.timeout = lang, tld, timeout
        self.voice = f"{lang}-{tld}"

    def synthesize(self, text: str, workdir: Path) -> Path:
        out = workdir / "gtts.mp3"
        try:
            tts = gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout)
            with out.open("wb") as fh:
                tts.write_to_fp(fh)
        except (gTTSError, requests.RequestException, ValueError, AssertionError) as exc:
            out.unlink(missing_ok=True)  # gTTS leaves a partial file behind
            raise EngineUnavailable(f"gTTS: {exc}") from exc
        if out.stat().st_size == 0:
            raise EngineUnavailable("gTTS trả về tệp rỗng")
        return out


class EspeakEngine:
    name = "espeak"

    def __init__(self, voice: str = "vi", rate: int = 150, timeout: float = 600.0) -> None:
        self.voice, self.rate, self.timeout = voice, rate, timeout

    def command(self, text_file: Path, wav: Path) -> list[str]:
        return ["espeak-ng", "-v", self.voice, "-s", str(self.rate), "-b", "1",
                "-f", str(text_file), "-w", str(wav)]

    def synthesize(self, text: str, workdir: Path) -> Path:
        text_file, wav = workdir / "espeak.txt", workdir / "espeak.wav"
        text_file.write_text(text, encoding="utf-8")
        try:
            subprocess.run(self.command(text_file, wav), check=True, capture_output=True,
                           timeout=self.timeout)
        except FileNotFoundError as exc:
            raise EngineUnavailable("espeak-ng chưa được cài đặt") from exc
        except subprocess.TimeoutExpired as exc:
            raise EngineUnavailable("espeak-ng quá thời gian cho phép") from exc
        except subprocess.CalledProcessError as exc:
            stderr = exc.stderr.decode(errors="replace")[-300:]
            raise EngineUnavailable(f"espeak-ng lỗi: {stderr}") from exc
        return wav


def build_engines(names: list[str], *, language: str = "vi", gtts_tld: str = "com.vn",
                  gtts_timeout: float = 10.0, espeak_voice: str = "vi",
                  espeak_rate: int = 150) -> list[SpeechEngine]:
    """Engines in the order named (e.g. ["gtts", "espeak"]); unknown names are an error."""
    engines: list[SpeechEngine] = []
    for name in names:
        if name == "gtts":
            engines.append(GTTSEngine(language, gtts_tld, gtts_timeout))
        elif name == "espeak":
            engines.append(EspeakEngine(espeak_voice, espeak_rate))
        else:
            raise ValueError(f"unknown TTS engine {name!r}")
    return engines


def synthesize(engines: list[SpeechEngine], text: str, workdir: Path) -> Speech:
    """Speech for `text` from the first engine that succeeds."""
    if not has_words(text):
        raise NothingToNarrateError("Bài viết không có nội dung để đọc")
    failures = []
    for engine in engines:
        try:
            return Speech(engine.synthesize(text, workdir), engine.name, engine.voice)
        except EngineUnavailable as exc:
            log.warning("TTS engine %s failed, trying the next: %s", engine.name, exc)
            failures.append(str(exc))
    raise TTSError("Không tạo được bản nghe: mọi bộ đọc đều lỗi", "; ".join(failures))

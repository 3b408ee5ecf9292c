"""Text-to-speech engines behind one interface, tried in order until one speaks.

Every engine speaks a narration sentence by sentence into a `PcmTrack` (16-bit mono PCM on
disk, so memory stays flat however long the article) and returns each sentence's start and
end time. gTTS needs Google; on closed networks it fails fast (DNS) or times out, and the
chain falls back on espeak-ng or piper, which run offline.
"""

from __future__ import annotations

import io
import logging
import subprocess
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import requests
from gtts import gTTS, gTTSError

from . import espeak_lib
from .errors import EngineUnavailable, NothingToNarrateError, TTSError
from .text import has_words
from .voices import ONLINE_ENGINES

log = logging.getLogger(__name__)

SENTENCE_PAUSE = 0.15  # seconds of silence after each sentence (engines add their own too)
# espeak-ng's rate, words per minute: the lowest recognizer word error of the rates tried
# (benchmarks/narration.py --settings; README "Narration"); readers can speed it up.
DEFAULT_RATE = 120
PARAGRAPH_PAUSE = 0.45  # … and after the last sentence of a paragraph (benchmarks/narration.py)
RETRY_STATUSES = {429, 500, 502, 503, 504}
Timings = list[tuple[float, float]]


class PcmTrack:
    """Raw signed 16-bit mono PCM written straight to a file, counting its samples."""

    def __init__(self, path: Path, rate: int) -> None:
        self.path, self.rate = path, rate
        self.samples = 0
        self._fh: BinaryIO = path.open("wb")

    @property
    def seconds(self) -> float:
        return self.samples / self.rate

    def write(self, pcm: bytes) -> None:
        self._fh.write(pcm)
        self.samples += len(pcm) // 2

    def silence(self, seconds: float) -> None:
        self.write(b"\0\0" * int(seconds * self.rate))

    def close(self) -> None:
        self._fh.close()


class SpeechEngine(Protocol):
    name: str
    voice: str
    sample_rate: int
    online: bool  # sends the text off this machine (to a speech service)

    def render(self, sentences: Sequence[str], track: PcmTrack,
               on_sentence: Callable[[int], None], deadline: float | None,
               pauses: Sequence[float] | None = None) -> Timings:
        """Speak each sentence into `track`, each followed by its pause (SENTENCE_PAUSE when
        not given); raise EngineUnavailable if it cannot."""
        ...


class SentenceEngine:
    """Shared loop: one sentence at a time, timed by the samples written."""

    name = "engine"
    voice = ""
    sample_rate = 22050
    online = False

    def speak(self, sentence: str, track: PcmTrack) -> None:
        raise NotImplementedError

    def render(self, sentences: Sequence[str], track: PcmTrack,
               on_sentence: Callable[[int], None], deadline: float | None,
               pauses: Sequence[float] | None = None) -> Timings:
        timings: Timings = []
        for index, sentence in enumerate(sentences):
            if deadline is not None and time.monotonic() > deadline:
                raise EngineUnavailable(f"{self.name}: quá thời gian cho phép")
            start = track.seconds
            if has_words(sentence):
                self.speak(sentence, track)
            timings.append((round(start, 3), round(track.seconds, 3)))
            track.silence(pauses[index] if pauses is not None else SENTENCE_PAUSE)
            on_sentence(index)
        return timings


def decode_to_pcm(data: bytes, rate: int, timeout: float = 60) -> bytes:
    """Any audio ffmpeg reads (MP3, WAV…) → 16-bit mono PCM at `rate`."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-f", "s16le", "-ac", "1",
         "-ar", str(rate), "pipe:1"], input=data, capture_output=True, timeout=timeout)
    if done.returncode != 0:
        raise EngineUnavailable(f"không giải mã được âm thanh: {done.stderr.decode()[-200:]}")
    return done.stdout


class GTTSEngine(SentenceEngine):
    """Google Translate's voice: per-request timeout, retries with backoff on 429/5xx."""

    name = "gtts"
    sample_rate = 24000
    online = True  # the text goes to Google

    def __init__(self, lang: str = "vi", tld: str = "com.vn", timeout: float = 10.0,
                 retries: int = 2, backoff: float = 1.0) -> None:
        self.lang, self.tld, self.timeout = lang, tld, timeout
        self.retries, self.backoff = retries, backoff
        self.voice = f"{lang}-{tld}"

    def fetch_mp3(self, text: str) -> bytes:
        for attempt in range(self.retries + 1):
            buf = io.BytesIO()
            try:
                gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout).write_to_fp(buf)
                return buf.getvalue()
            except gTTSError as exc:
                status = getattr(exc.rsp, "status_code", None)
                if status in RETRY_STATUSES and attempt < self.retries:
                    time.sleep(self.backoff * 2**attempt)
                    continue
                raise EngineUnavailable(f"gTTS: {exc}") from exc
            except (requests.RequestException, ValueError, AssertionError) as exc:
                raise EngineUnavailable(f"gTTS: {exc}") from exc
        raise EngineUnavailable("gTTS: hết số lần thử")  # pragma: no cover (loop returns)

    def speak(self, sentence: str, track: PcmTrack) -> None:
        track.write(decode_to_pcm(self.fetch_mp3(sentence), track.rate))


class EspeakEngine(SentenceEngine):
    """espeak-ng, offline, in-process via libespeak-ng (the CLI where the library is missing)."""

    name = "espeak"

    def __init__(self, voice: str = "vi", rate: int = DEFAULT_RATE, timeout: float = 120.0,
                 word_gap: int = 0) -> None:
        # word_gap: extra pause between words, in units of 10 ms (espeak-ng's -g)
        self.voice, self.rate, self.timeout, self.word_gap = voice, rate, timeout, word_gap
        self._lib_ok = True
        try:
            self.sample_rate = espeak_lib.sample_rate()
        except espeak_lib.EspeakLibraryError:
            self._lib_ok = False
            self.sample_rate = 22050

    def command(self, text_file: Path, wav: Path) -> list[str]:
        return ["espeak-ng", "-v", self.voice, "-s", str(self.rate), "-g", str(self.word_gap),
                "-b", "1",
                "-f", str(text_file), "-w", str(wav)]

    def speak(self, sentence: str, track: PcmTrack) -> None:
        if self._lib_ok:
            try:
                espeak_lib.Synthesizer(self.voice, self.rate, self.word_gap).speak(
                    sentence, track.write)
            except espeak_lib.EspeakLibraryError as exc:
                raise EngineUnavailable(f"espeak-ng lỗi: {exc}") from exc
            return
        track.write(self._speak_cli(sentence, track.path.parent, track.rate))

    def _speak_cli(self, text: str, workdir: Path, rate: int) -> bytes:
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
        with wave.open(str(wav)) as w:
            if w.getframerate() == rate and w.getnchannels() == 1:
                return w.readframes(w.getnframes())
        return decode_to_pcm(wav.read_bytes(), rate)


class PiperEngine(SentenceEngine):
    """Piper, a neural engine that runs offline from a voice model file (.onnx + .onnx.json)."""

    name = "piper"

    def __init__(self, model_path: str, speaker: int | None = None) -> None:
        if not model_path or not Path(model_path).exists():
            raise EngineUnavailable(f"piper: không có mô hình giọng đọc tại {model_path!r}")
        self.model_path = model_path
        self.voice = Path(model_path).stem
        self.speaker = speaker
        self._voice: Any = None
        config = Path(f"{model_path}.json")
        if config.exists():
            import json

            self.sample_rate = int(json.loads(config.read_text())["audio"]["sample_rate"])

    def _load(self) -> Any:
        if self._voice is None:
            from piper import PiperVoice  # imported late: onnxruntime is heavy

            self._voice = PiperVoice.load(self.model_path)
            self.sample_rate = self._voice.config.sample_rate
        return self._voice

    def speak(self, sentence: str, track: PcmTrack) -> None:
        voice = self._load()
        syn_config = None
        if self.speaker is not None:
            from piper import SynthesisConfig

            syn_config = SynthesisConfig(speaker_id=self.speaker)
        try:
            for chunk in voice.synthesize(sentence, syn_config=syn_config):
                pcm = chunk.audio_int16_bytes
                if chunk.sample_rate != track.rate:
                    pcm = decode_wav_pcm(pcm, chunk.sample_rate, track.rate)
                track.write(pcm)
        except Exception as exc:  # onnxruntime raises its own types
            raise EngineUnavailable(f"piper lỗi: {exc}") from exc


def decode_wav_pcm(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(from_rate)
        w.writeframes(pcm)
    return decode_to_pcm(buf.getvalue(), to_rate)


def build_engines(names: Sequence[str], *, language: str = "vi", gtts_tld: str = "com.vn",
                  gtts_timeout: float = 10.0, gtts_retries: int = 2,
                  espeak_voice: str = "vi", espeak_rate: int = DEFAULT_RATE,
                  espeak_word_gap: int = 0, piper_model: str = "",
                  offline_only: bool = False) -> list[SpeechEngine]:
    """Engines in the order named (e.g. ["gtts", "espeak"]); unknown names are an error.

    A piper engine without a usable model is left out of the chain with a warning.
    `offline_only` leaves out the engines that send the text away (gtts): the text is not yet
    public. If that leaves none, espeak-ng speaks.
    """
    engines: list[SpeechEngine] = []
    for name in names:
        if offline_only and name in ONLINE_ENGINES:
            continue
        if name == "gtts":
            engines.append(GTTSEngine(language, gtts_tld, gtts_timeout, gtts_retries))
        elif name == "espeak":
            engines.append(EspeakEngine(espeak_voice, espeak_rate, word_gap=espeak_word_gap))
        elif name == "piper":
            try:
                engines.append(PiperEngine(piper_model))
            except EngineUnavailable as exc:
                log.warning("%s", exc)
        else:
            raise ValueError(f"unknown TTS engine {name!r}")
    if offline_only and not engines:
        engines.append(EspeakEngine(espeak_voice, espeak_rate, word_gap=espeak_word_gap))
    return engines


def render_with_fallback(engines: Sequence[SpeechEngine], sentences: Sequence[str],
                         workdir: Path, on_sentence: Callable[[int], None] = lambda i: None,
                         engine_timeout: float | None = None,
                         pauses: Sequence[float] | None = None
                         ) -> tuple[SpeechEngine, PcmTrack, Timings]:
    """Speak all sentences with the first engine that manages every one of them.

    One voice per narration: an engine failing half-way starts the next one from the top.
    """
    if not any(has_words(s) for s in sentences):
        raise NothingToNarrateError("Bài viết không có nội dung để đọc")
    failures = []
    for engine in engines:
        track = PcmTrack(workdir / f"speech-{engine.name}.pcm", engine.sample_rate)
        deadline = time.monotonic() + engine_timeout if engine_timeout else None
        try:
            timings = engine.render(sentences, track, on_sentence, deadline, pauses)
        except EngineUnavailable as exc:
            track.close()
            track.path.unlink(missing_ok=True)
            log.warning("TTS engine %s failed, trying the next: %s", engine.name, exc)
            failures.append(str(exc))
            continue
        track.close()
        return engine, track, timings
    raise TTSError("Không tạo được bản nghe: mọi bộ đọc đều lỗi",
                   "; ".join(failures) or "chưa cấu hình bộ đọc nào")

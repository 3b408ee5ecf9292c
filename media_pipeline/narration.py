"""Article → narration: script (sentences, normalized), speech, loudness, MP3, timings.

Sentence timings come out as WebVTT (captions, podcasts) and JSON (read-along in the page).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import ffmpeg

from . import ffmpeg_run
from .audio import media_duration
from .errors import NothingToNarrateError, vi_number
from .normalize import apply_lexicon, normalize
from .sentences import split_sentences
from .text import article_blocks, has_words
from .timecode import timestamp
from .tts import PARAGRAPH_PAUSE, SENTENCE_PAUSE, SpeechEngine, render_with_fallback

MP3_BITRATE = "48k"  # mono speech: clear voice, ~360 kB a minute for slow provincial links
MP3_LOUDNESS_LOSS = 0.4  # LU the MP3 encode takes off (measured on espeak-ng speech)
CAPTION_PREFIX = "Ảnh: "
PROGRESS_SPEECH = 85  # share of progress spent synthesizing


@dataclass(frozen=True)
class ScriptSentence:
    index: int
    block: int    # 0 title, 1 lede, then the body's blocks in page order
    text: str     # as printed on the page (read-along finds it there)
    spoken: str   # what the engine is asked to say


@dataclass(frozen=True)
class NarrationSettings:
    normalize: bool = True
    read_captions: bool = True
    lexicon: tuple[tuple[str, str], ...] = ()
    loudness: float = -16.0       # EBU R128 integrated loudness target, LUFS
    true_peak: float = -1.5       # ceiling, dBTP
    max_chars: int = 200_000      # longer articles are refused, not narrated for hours
    engine_timeout: float | None = None
    sentence_pause: float = SENTENCE_PAUSE    # seconds after a sentence
    paragraph_pause: float = PARAGRAPH_PAUSE  # seconds after a paragraph's last sentence


@dataclass(frozen=True)
class Narration:
    mp3: Path
    vtt: Path
    timings: Path
    duration: float
    engine: str
    voice: str
    sentences: int


def build_script(title: str, lede: str, body_html: str,
                 settings: NarrationSettings = NarrationSettings()) -> list[ScriptSentence]:
    """The sentences to say, each with its page text and its normalized spoken form."""
    script: list[ScriptSentence] = []
    blocks = article_blocks(title, lede, body_html, settings.read_captions)
    for block_index, block in enumerate(blocks):
        for n, sentence in enumerate(split_sentences(block.text)):
            spoken = normalize(sentence) if settings.normalize else sentence
            if settings.lexicon:
                spoken = apply_lexicon(spoken, settings.lexicon)
            if block.kind == "caption" and n == 0:
                spoken = CAPTION_PREFIX + spoken
            script.append(ScriptSentence(len(script), block_index, sentence, spoken))
    return script


def script_text(script: Sequence[ScriptSentence]) -> str:
    """Everything the engine will say: the input a narration's hash is made from."""
    return "\n".join(s.spoken for s in script)


def check_narratable(script: Sequence[ScriptSentence], max_chars: int) -> None:
    if not any(has_words(s.spoken) for s in script):
        raise NothingToNarrateError("Bài viết không có nội dung để đọc")
    size = sum(len(s.spoken) for s in script)
    if size > max_chars:
        raise NothingToNarrateError(
            f"Bài viết quá dài để đọc tự động ({vi_number(size)} ký tự, "
            f"giới hạn {vi_number(max_chars)})")


_LOUDNESS = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def measure_loudness(path: Path, fmt: Sequence[str] = (), af: str = "anull",
                     true_peak: bool = True) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) by ffmpeg's EBU R128 meter."""
    meter = "ebur128=peak=true" if true_peak else "ebur128"
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-nostdin", *fmt, "-i", str(path),
         "-af", f"{af},{meter}", "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = done.stderr[done.stderr.rfind("Summary:"):]
    loudness, peak = _LOUDNESS.search(summary), _PEAK.search(summary)
    assert loudness, summary
    return float(loudness.group(1)), float(peak.group(1)) if peak else float("nan")


def loudness_filter(gain: float, ceiling: float, headroom: float = 1.0) -> str:
    """Gain, then a sample-peak limiter `headroom` dB under the true-peak ceiling (MP3
    decoding overshoots sample peaks)."""
    limit = 10 ** ((ceiling - headroom) / 20)
    return f"volume={gain:.2f}dB,alimiter=limit={limit:.4f}:level=disabled"


def fit_loudness(pcm: Path, fmt: Sequence[str], target: float, ceiling: float,
                 tolerance: float = 0.3) -> float:
    """The gain that brings `pcm` to `target` LUFS once limited under `ceiling`.

    Synthetic speech is peaky (espeak-ng: about 19 dB from loudness to peak), so the
    limiter takes some loudness back; a few measured passes correct for it.
    """
    measured, _ = measure_loudness(pcm, fmt, true_peak=False)
    if math.isinf(measured):
        return 0.0
    gain = target - measured
    for _ in range(4):
        got, _ = measure_loudness(pcm, fmt, loudness_filter(gain, ceiling), true_peak=False)
        if abs(target - got) <= tolerance:
            break
        gain += target - got
    return gain


def write_vtt(path: Path, script: Sequence[ScriptSentence],
              timings: Sequence[tuple[float, float]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("WEBVTT\n\n")
        for sentence, (start, end) in zip(script, timings, strict=True):
            if end > start:
                fh.write(f"{sentence.index + 1}\n{timestamp(start)} --> {timestamp(end)}\n"
                         f"{sentence.text}\n\n")


def write_timings(path: Path, script: Sequence[ScriptSentence],
                  timings: Sequence[tuple[float, float]], engine: str, voice: str,
                  duration: float) -> None:
    sentences = [{**asdict(s), "start": start, "end": end}
                 for s, (start, end) in zip(script, timings, strict=True)]
    path.write_text(json.dumps({"version": 1, "engine": engine, "voice": voice,
                                "duration": round(duration, 3), "sentences": sentences},
                               ensure_ascii=False), encoding="utf-8")


def _monotonic(report: Callable[[int], None]) -> Callable[[int], None]:
    """Forward only progress that moves forward (a re-encode starts its count again)."""
    best = [-1]

    def forward(pct: int) -> None:
        if pct > best[0]:
            best[0] = pct
            report(pct)
    return forward


def pauses(script: Sequence[ScriptSentence], settings: NarrationSettings) -> list[float]:
    """The silence after each sentence: longer where a paragraph (the title, the lede, a
    block of the body) ends, as a presenter breathes between paragraphs."""
    return [settings.paragraph_pause if i + 1 == len(script) or script[i + 1].block != s.block
            else settings.sentence_pause for i, s in enumerate(script)]


def narrate(script: Sequence[ScriptSentence], engines: Sequence[SpeechEngine], workdir: Path,
            settings: NarrationSettings = NarrationSettings(),
            on_progress: Callable[[int], None] = lambda pct: None) -> Narration:
    """Speak `script` with the first engine that works, then make the files readers get."""
    check_narratable(script, settings.max_chars)
    on_progress = _monotonic(on_progress)
    total = max(1, len(script))
    engine, track, timings = render_with_fallback(
        engines, [s.spoken for s in script], workdir,
        on_sentence=lambda i: on_progress(PROGRESS_SPEECH * (i + 1) // total),
        engine_timeout=settings.engine_timeout, pauses=pauses(script, settings))
    pcm_format = ["-f", "s16le", "-ar", str(track.rate), "-ac", "1"]
    # MP3's low-pass takes about 0.4 LU of loudness: aim that much higher on the PCM.
    gain = fit_loudness(track.path, pcm_format, settings.loudness + MP3_LOUDNESS_LOSS,
                        settings.true_peak)
    mp3 = workdir / "narration.mp3"
    headroom = 1.0
    for attempt in range(3):
        stream = ffmpeg.input(str(track.path), f="s16le", ar=track.rate, ac=1).output(
            str(mp3), af=loudness_filter(gain, settings.true_peak, headroom),
            acodec="libmp3lame", audio_bitrate=MP3_BITRATE, ac=1)
        ffmpeg_run.run(stream, duration=track.seconds,
                       failure_reason="Không mã hóa được bản nghe MP3",
                       on_progress=lambda p: on_progress(PROGRESS_SPEECH + p * 10 // 100))
        # Check the file itself; correct and encode again only when it is off the target.
        got, peak = measure_loudness(mp3)
        off_target = not math.isinf(got) and abs(settings.loudness - got) > 0.7
        too_peaky = peak > settings.true_peak
        if attempt == 2 or not (off_target or too_peaky):
            break
        if off_target:
            gain += settings.loudness - got
        if too_peaky:
            headroom += peak - settings.true_peak + 0.3
    track.path.unlink()
    duration = media_duration(mp3)  # what players show: the MP3's own length
    vtt, timings_file = workdir / "narration.vtt", workdir / "narration.json"
    write_vtt(vtt, script, timings)
    write_timings(timings_file, script, timings, engine.name, engine.voice, duration)
    return Narration(mp3, vtt, timings_file, duration, engine.name, engine.voice, len(script))

"""Narration benchmark: speed, memory, loudness and intelligibility (WER) of the TTS pipeline.

Run from the repository root:

    .venv/bin/python benchmarks/narration.py            # everything, 5–8 minutes on 2 cores
    .venv/bin/python benchmarks/narration.py --quick    # a subset, about a minute

It prints Markdown tables (to paste into the README) and asserts nothing. Each speed case runs
in a fresh child process (this script with a hidden flag) so its peak memory is its own.
Intelligibility is measured by viet-asr (PyPI `viet-asr`, offline, model in its wheel)
transcribing our narration; WER is computed with jiwer. Both come from the `bench` extra.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project, when it is not installed in the interpreter

from media_pipeline import ffmpeg_run, narration  # noqa: E402
from media_pipeline.narration import NarrationSettings, build_script, measure_loudness  # noqa: E402
from media_pipeline.text import html_blocks, spoken_text  # noqa: E402
from media_pipeline.tts import (  # noqa: E402
    DEFAULT_RATE,
    PARAGRAPH_PAUSE,
    SENTENCE_PAUSE,
    EspeakEngine,
)

SAMPLE_ARTICLE = Path("/work/shared/samples/seed-article.json")
# Articles written for this benchmark and never used to tune the normalizer (held out).
HELD_OUT = ROOT / "benchmarks" / "data" / "held_out_articles.json"
DEMO_ARTICLES = ROOT / "app" / "demo" / "articles.json"
ASR_RATE = 16_000
# A sentence's audio segment, cut from the MP3 by the timings JSON: a little lead-in (MP3
# decoding can shift samples by a few ms) and the start of the pause that follows it.
SEGMENT_BEFORE, SEGMENT_AFTER = 0.05, 0.10


# ---------------------------------------------------------------- articles
@dataclass(frozen=True)
class Article:
    name: str
    title: str
    lede: str
    body_html: str

    @property
    def plain(self) -> str:
        """The unnormalized page text: title, lede, body paragraphs (and captions)."""
        return spoken_text(self.title, self.lede, self.body_html)

    @property
    def words(self) -> int:
        return len(self.plain.split())


def load_sample() -> tuple[Article, str]:
    """The sample article and where it came from."""
    if SAMPLE_ARTICLE.exists():
        data = json.loads(SAMPLE_ARTICLE.read_text(encoding="utf-8"))
        source = f"{SAMPLE_ARTICLE} (real article, Hậu Giang, 19/01/2021)"
    else:
        data = json.loads(DEMO_ARTICLES.read_text(encoding="utf-8"))[0]
        source = f"{DEMO_ARTICLES.relative_to(ROOT)}, first article ({SAMPLE_ARTICLE} absent)"
    return Article("sample", data["title"], data["lede"], data["body_html"]), source


def compose(name: str, target_words: int, seed: int) -> Article:
    """An article of about `target_words` words from the demo articles' paragraphs.

    The paragraphs of all demo bodies are laid out round after round, each round in a new
    shuffled order, until the page text reaches the target.
    """
    demos = json.loads(DEMO_ARTICLES.read_text(encoding="utf-8"))
    paragraphs = [b.text for d in demos for b in html_blocks(d["body_html"]) if b.kind == "p"]
    title = f"Tổng hợp tin hoạt động của các cơ quan, đơn vị trong tỉnh ({name})"
    lede = demos[0]["lede"]
    rng = random.Random(seed)
    count = len(spoken_text(title, lede, "").split())
    body: list[str] = []
    while count < target_words:
        order = paragraphs[:]
        rng.shuffle(order)
        for text in order:
            body.append(f"<p>{html.escape(text)}</p>")
            count += len(text.split())
            if count >= target_words:
                break
    return Article(name, title, lede, "".join(body))


# ---------------------------------------------------------------- speed case (child process)
def _vm_hwm_mib(pid: int | str = "self") -> float:
    """A process's peak resident set so far (VmHWM in /proc), MiB; NaN when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


class ChildPeaks(threading.Thread):
    """Polls this process's children and keeps the peak RSS (VmHWM) of the named programs.

    getrusage(RUSAGE_CHILDREN).ru_maxrss cannot tell how much ffmpeg used: Linux records the
    forking process's own high-water mark into a child at exec, so that figure is at least
    the Python process's size. A child's VmHWM in /proc is its own program's.
    """

    def __init__(self, programs: Sequence[str], interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.programs, self.interval = set(programs), interval
        self.peaks: dict[str, float] = {}
        self.pids: dict[str, set[str]] = {}
        self._halt = threading.Event()
        me = os.getpid()
        self._children_file = Path(f"/proc/{me}/task/{threading.get_native_id()}/children")

    def poll(self) -> None:
        try:
            children = self._children_file.read_text().split()
        except OSError:
            return
        for pid in children:
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            if comm in self.programs:  # after exec: before it, the child is a Python copy
                peak = _vm_hwm_mib(pid)
                if peak == peak:  # not NaN
                    self.peaks[comm] = max(self.peaks.get(comm, 0.0), peak)
                    self.pids.setdefault(comm, set()).add(pid)

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.poll()

    def stop(self) -> dict[str, Any]:
        self._halt.set()
        self.join()
        return {name: {"peak_mib": peak, "processes": len(self.pids[name])}
                for name, peak in self.peaks.items()}


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _timed(fn: Callable[..., Any], bucket: dict[str, float], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            bucket[key] = bucket.get(key, 0.0) + time.perf_counter() - start
            bucket[f"{key}_calls"] = bucket.get(f"{key}_calls", 0) + 1
    return wrapper


def speed_child(case_file: Path, out_file: Path) -> None:
    """One pipeline run (build_script + narrate) in this fresh process; results as JSON."""
    case = json.loads(case_file.read_text(encoding="utf-8"))
    article = Article(**case["article"])
    workdir = Path(case["workdir"])
    # Warm-up, not timed: a long-lived worker has its regexes compiled and libespeak-ng loaded.
    build_script("Ngày 18/1/2021.", "UBND tỉnh họp.", "<p>08 ý kiến.</p>")
    engine = EspeakEngine("vi", 150)
    rss_ready = _vm_hwm_mib()

    parts: dict[str, float] = {}
    narration.render_with_fallback = _timed(narration.render_with_fallback, parts, "synthesis")
    narration.fit_loudness = _timed(narration.fit_loudness, parts, "loudness_fit")
    ffmpeg_run.run = _timed(ffmpeg_run.run, parts, "encode")

    watcher = ChildPeaks(["ffmpeg", "ffprobe"])  # created here: it watches this thread's
    watcher.start()                              # children
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    script = build_script(article.title, article.lede, article.body_html)
    built = time.perf_counter()
    result = narration.narrate(script, [engine], workdir)
    done = time.perf_counter()
    cpu_self, cpu_children = (a - b for a, b in zip(_cpu_seconds(), cpu_before, strict=True))

    programs = watcher.stop()
    rss_peak = _vm_hwm_mib()
    ru_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ru_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    lufs, true_peak = measure_loudness(result.mp3)
    out_file.write_text(json.dumps({
        "sentences": len(script),
        "spoken_chars": sum(len(s.spoken) for s in script),
        "normalized_text": "\n".join(s.spoken for s in script),
        "script_s": built - start,
        "narrate_s": done - built,
        "pipeline_s": done - start,
        "cpu_self_s": cpu_self,
        "cpu_children_s": cpu_children,
        "parts": parts,
        "duration_s": result.duration,
        "mp3_bytes": result.mp3.stat().st_size,
        "rss_ready_mib": rss_ready,
        "rss_peak_mib": rss_peak,
        "ru_self_mib": ru_self,
        "ru_children_mib": ru_children,
        "programs": programs,
        "lufs": lufs,
        "true_peak": true_peak,
        "espeak_path": "libespeak-ng in-process" if engine._lib_ok else "espeak-ng CLI",
    }), encoding="utf-8")


def run_speed_case(article: Article, tmp: Path) -> dict[str, Any]:
    workdir = tmp / f"speed-{article.name}"
    workdir.mkdir()
    case_file, out_file = workdir / "case.json", workdir / "result.json"
    case_file.write_text(json.dumps({"article": article.__dict__, "workdir": str(workdir)},
                                    ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, __file__, "--_speed-child", str(case_file), str(out_file)],
                   check=True, cwd=ROOT)
    return json.loads(out_file.read_text(encoding="utf-8"))


def bare_espeak(text: str, workdir: Path, tag: str) -> dict[str, float]:
    """`espeak-ng -v vi -s 150 -w out.wav -f text.txt`: wall time, audio length, peak RSS."""
    text_file, wav = workdir / f"{tag}.txt", workdir / f"{tag}.wav"
    text_file.write_text(text, encoding="utf-8")
    watcher = ChildPeaks(["espeak-ng"], interval=0.005)
    watcher.start()
    start = time.perf_counter()
    proc = subprocess.Popen(["espeak-ng", "-v", "vi", "-s", "150", "-w", str(wav),
                             "-f", str(text_file)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    peak = watcher.stop().get("espeak-ng", {}).get("peak_mib", float("nan"))
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"espeak-ng exited {proc.returncode}")
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    wav.unlink()
    return {"s": elapsed, "cpu_s": usage.ru_utime + usage.ru_stime, "audio_s": seconds,
            "rss_mib": peak}


# ---------------------------------------------------------------- WER (pool workers)
_asr: Any = None


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence fd 2 (the ASR library logs its model loading there from native code)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _recognizer() -> Any:
    global _asr
    if _asr is None:
        import vietasr

        with _quiet_stderr():
            _asr = vietasr.Pipeline.new().add("vietasr").build()
    return _asr


def fold(text: str) -> str:
    """Lowercase, punctuation removed, whitespace folded: the form WER compares."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def decode_16k(mp3: Path) -> Any:
    import numpy as np

    pcm = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(mp3), "-f", "s16le",
                          "-ar", str(ASR_RATE), "-ac", "1", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(pcm, dtype=np.int16)


@dataclass(frozen=True)
class WerCase:
    voice: str
    rate: int
    normalize: bool
    whole_file_too: bool = False

    @property
    def label(self) -> str:
        return f"{self.voice}-{self.rate}-{'norm' if self.normalize else 'raw'}"


def wer_case(case: WerCase, article: Article, reference: str, tmp: str) -> dict[str, Any]:
    """Narrate the article with one espeak-ng voice, transcribe each sentence, score it."""
    import jiwer

    workdir = Path(tmp) / f"wer-{case.label}"
    workdir.mkdir()
    settings = NarrationSettings(normalize=case.normalize)
    start = time.perf_counter()
    script = build_script(article.title, article.lede, article.body_html, settings)
    result = narration.narrate(script, [EspeakEngine(case.voice, case.rate)], workdir, settings)
    narrate_s = time.perf_counter() - start

    asr = _recognizer()
    audio = decode_16k(result.mp3)
    sentences = json.loads(result.timings.read_text(encoding="utf-8"))["sentences"]
    start = time.perf_counter()
    heard = []
    for s in sentences:
        if s["end"] <= s["start"]:
            continue
        lo = max(0, int((s["start"] - SEGMENT_BEFORE) * ASR_RATE))
        hi = int((s["end"] + SEGMENT_AFTER) * ASR_RATE)
        heard.append(asr.transcribe(audio[lo:hi], float(ASR_RATE)).text)
    asr_s = time.perf_counter() - start
    hypothesis = fold(" ".join(heard))
    out = jiwer.process_words(reference, hypothesis)
    row: dict[str, Any] = {
        "case": case, "wer": out.wer, "sub": out.substitutions, "dele": out.deletions,
        "ins": out.insertions, "cer": jiwer.cer(reference, hypothesis),
        "hyp_words": len(hypothesis.split()), "duration_s": result.duration,
        "narrate_s": narrate_s, "asr_s": asr_s, "segments": len(heard),
        "first_heard": fold(heard[0]) if heard else "",
    }
    if case.whole_file_too:
        start = time.perf_counter()
        whole = fold(asr.transcribe(audio, float(ASR_RATE)).text)
        row["whole"] = {"wer": jiwer.wer(reference, whole), "hyp_words": len(whole.split()),
                        "asr_s": time.perf_counter() - start}
    shutil.rmtree(workdir, ignore_errors=True)
    return row


# ---------------------------------------------------------------- report
def machine_lines() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_gib = float("nan")
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_gib = int(line.split()[1]) / 1024**2
    espeak = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True)
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True)
    try:
        asr_version, jiwer_version = version("viet-asr"), version("jiwer")
    except PackageNotFoundError:
        asr_version = jiwer_version = "?"
    nproc = len(os.sched_getaffinity(0))
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {nproc} cores available (nproc), CPU model \"{cpu}\", "
        f"{mem_gib:.1f} GiB memory, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; "
        f"{espeak.stdout.split(' Data at')[0].strip()}; "
        f"{ffmpeg.stdout.splitlines()[0].split(' Copyright')[0]}; "
        f"viet-asr {asr_version}; jiwer {jiwer_version}",
    ]


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], text_columns: int = 1) -> str:
    """A Markdown table: the first `text_columns` columns left-aligned, the rest right."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i < text_columns else "---:"
                            for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def report_speed(articles: Sequence[Article], speed: dict[str, dict[str, Any]],
                 bare: dict[str, dict[str, float]], bare_norm: dict[str, dict[str, float]]
                 ) -> None:
    print("## 1. Speed, memory and loudness — engine espeak-ng, voice `vi`, rate 150\n")
    rows = []
    for a in articles:
        r, b = speed[a.name], bare[a.name]
        cpu = r["cpu_self_s"] + r["cpu_children_s"]
        rows.append([a.name, f"{a.words:,}", r["sentences"], f"{r['duration_s']:.1f}",
                     f"{r['pipeline_s']:.2f}", f"{b['s']:.2f}", f"{r['pipeline_s'] / b['s']:.1f}×",
                     f"{r['pipeline_s'] / r['duration_s']:.4f}",
                     f"{r['duration_s'] / r['pipeline_s']:.0f}",
                     f"{cpu:.2f} ({r['cpu_children_s']:.2f})", f"{b['cpu_s']:.2f}"])
    print(table(["article", "words", "sentences", "audio (s)", "pipeline (s)",
                 "bare espeak-ng (s)", "pipeline / bare", "RTF (pipeline s / audio s)",
                 "audio s per wall s", "pipeline CPU s (of which ffmpeg, ffprobe)",
                 "bare espeak-ng CPU s"], rows))
    print()
    print("- *pipeline* = `build_script` (sentence split + normalization) + `narrate` "
          "(synthesis, loudness fitting, MP3 encode, VTT/JSON timings), timed inside a fresh "
          "child process after a small warm-up call (regexes compiled, libespeak-ng loaded), "
          f"as in a long-lived worker. Synthesis path: {speed[articles[0].name]['espeak_path']}.")
    print("- *bare espeak-ng* = `espeak-ng -v vi -s 150 -w out.wav -f text.txt` on the plain, "
          "unnormalized page text (title, lede, body paragraphs, captions), same run, one "
          "process start included.")
    print("- *words* = whitespace-separated words of that plain text. One run per case "
          "(no repetitions): small cases carry a few hundredths of a second of noise. Wall "
          "times grow when other processes share the machine (see the load averages); the "
          "CPU seconds (user + system, from getrusage) are less sensitive to that.\n")

    print("### Where the pipeline's time goes (seconds)\n")
    rows = []
    for a in articles:
        r = speed[a.name]
        p = r["parts"]
        rest = r["narrate_s"] - p.get("synthesis", 0) - p.get("loudness_fit", 0) - p.get(
            "encode", 0)
        rows.append([a.name, f"{r['script_s']:.2f}", f"{p.get('synthesis', 0):.2f}",
                     f"{p.get('loudness_fit', 0):.2f}",
                     f"{p.get('encode', 0):.2f} ({int(p.get('encode_calls', 0))}×)",
                     f"{rest:.2f}", f"{r['pipeline_s']:.2f}"])
    print(table(["article", "script (split + normalize)", "synthesis (PCM to disk)",
                 "loudness fit (ebur128 passes)", "MP3 encode (passes)",
                 "rest (MP3 loudness check, ffprobe, VTT/JSON)", "total"], rows))
    print()
    print("Measured by wrapping `narration.render_with_fallback`, `narration.fit_loudness` "
          "and `ffmpeg_run.run` with timers in the benchmark (the library is unchanged). "
          "A second encode pass happens when the MP3 misses the loudness target by > 0.5 LU.\n")

    print("### Bare espeak-ng, for comparison\n")
    rows = []
    for a in articles:
        b, n, r = bare[a.name], bare_norm[a.name], speed[a.name]
        rows.append([a.name, f"{len(a.plain):,}", f"{b['s']:.2f}", f"{b['audio_s']:.1f}",
                     f"{r['spoken_chars']:,}", f"{n['s']:.2f}", f"{n['audio_s']:.1f}",
                     f"{r['duration_s']:.1f}"])
    print(table(["article", "plain chars", "bare on plain text (s)", "its audio (s)",
                 "normalized chars", "bare on normalized script (s)", "its audio (s)",
                 "pipeline audio (s)"], rows))
    print()
    print("Normalization makes the text longer (numbers, dates and acronyms written out), so "
          "the narration is longer than a bare reading of the page; the pipeline also adds "
          f"{SENTENCE_PAUSE:.2f} s of silence after each sentence.\n")

    print("### Memory and output\n")
    rows = []
    for a in articles:
        r, b = speed[a.name], bare[a.name]
        progs = r["programs"]

        def peak(name: str, progs: dict[str, Any] = progs) -> str:
            p = progs.get(name)
            return f"{p['peak_mib']:.0f} ({p['processes']})" if p else "—"

        rows.append([a.name, f"{a.words:,}", f"{r['rss_ready_mib']:.0f}",
                     f"{r['rss_peak_mib']:.0f}", peak("ffmpeg"), peak("ffprobe"),
                     f"{b['rss_mib']:.0f}", f"{r['mp3_bytes'] / 1024:,.0f}",
                     f"{r['lufs']:.1f}", f"{r['true_peak']:.1f}"])
    print(table(["article", "words", "child RSS after imports + warm-up (MiB)",
                 "child peak RSS (MiB)", "ffmpeg peak RSS (MiB) (processes)",
                 "ffprobe peak RSS (MiB) (processes)", "bare espeak-ng peak RSS (MiB)",
                 "MP3 (KiB)", "loudness (LUFS)", "true peak (dBTP)"], rows))
    print()
    first, last = speed[articles[0].name], speed[articles[-1].name]
    words = articles[-1].words / articles[0].words
    ff_first = first["programs"].get("ffmpeg", {}).get("peak_mib", float("nan"))
    ff_last = last["programs"].get("ffmpeg", {}).get("peak_mib", float("nan"))
    print(f"- From {articles[0].name} to {articles[-1].name} ({words:.0f}× the words, "
          f"{last['duration_s'] / first['duration_s']:.0f}× the audio) the Python process's "
          f"peak RSS went from {first['rss_peak_mib']:.0f} to {last['rss_peak_mib']:.0f} MiB "
          f"and ffmpeg's from {ff_first:.0f} to {ff_last:.0f} MiB: speech goes to a PCM file "
          "on disk and ffmpeg streams it.")
    print("- Each case runs in its own child process. *child peak RSS* is its VmHWM at the end "
          "(`resource.getrusage(RUSAGE_SELF).ru_maxrss` gave "
          + ", ".join(f"{speed[a.name]['ru_self_mib']:.0f}" for a in articles)
          + " MiB). The children's peaks come from polling their /proc VmHWM every 10 ms "
          "(espeak-ng: 5 ms): `getrusage(RUSAGE_CHILDREN).ru_maxrss` gave "
          + ", ".join(f"{speed[a.name]['ru_children_mib']:.0f}" for a in articles)
          + " MiB, but on Linux that figure starts from the forking Python process's own "
          "high-water mark (recorded at exec), so it measures Python, not ffmpeg. ffprobe "
          "lives for a moment: polling may catch it before its peak.")
    ceiling = NarrationSettings().true_peak
    over = [f"{a.name} ({speed[a.name]['true_peak']:.1f})" for a in articles
            if speed[a.name]["true_peak"] > ceiling]
    print("- Loudness by `measure_loudness` (ffmpeg ebur128, true peak) on each output MP3; "
          f"target {NarrationSettings().loudness:.0f} LUFS, ceiling {ceiling} dBTP. "
          + (f"True peak above the ceiling: {', '.join(over)} dBTP." if over
             else "Every MP3 is under the ceiling."))
    print()


def report_wer(rows: Sequence[dict[str, Any]], reference: str, reference_first: str,
               quick: bool, workers: int) -> None:
    print("## 2. Intelligibility — word error rate of viet-asr on our narration "
          "of the sample article\n")
    out = []
    for r in rows:
        c: WerCase = r["case"]
        out.append(["espeak-ng", f"`{c.voice}`", c.rate, "yes" if c.normalize else "no",
                    f"{r['wer']:.3f}", f"{r['cer']:.3f}", r["sub"], r["dele"], r["ins"],
                    r["hyp_words"], f"{r['duration_s']:.1f}"])
    out.append(["gTTS", "`vi` (com.vn)", "—", "—", "n/a", "n/a", "", "", "", "", ""])
    out.append(["piper", "—", "—", "—", "n/a", "n/a", "", "", "", "", ""])
    print(table(["engine", "voice", "rate (wpm)", "normalized", "WER", "CER", "sub", "del",
                 "ins", "words heard", "audio (s)"], out, text_columns=4))
    print()
    print(f"- Reference: {len(reference.split())} words — what a listener should hear: "
          "`normalize()` of each sentence (build_script's `spoken`, caption prefix included), "
          "lowercased, punctuation removed, whitespace folded; the ASR output is folded the "
          "same way. The same reference is used for the unnormalized rows, where espeak-ng "
          "reads digits, dates and acronyms itself.")
    print("- Transcribed sentence by sentence: the MP3 is decoded to 16 kHz mono PCM with "
          "ffmpeg and cut into segments by the start/end times of narration.json "
          f"({SEGMENT_BEFORE:.2f} s before, {SEGMENT_AFTER:.2f} s after); the segments' "
          "transcripts are joined and scored as one text (jiwer).")
    whole = [r for r in rows if "whole" in r]
    for r in whole:
        w = r["whole"]
        print(f"- Whole file in one call, for comparison ({r['case'].label}): WER "
              f"{w['wer']:.3f} with only {w['hyp_words']} words heard of "
              f"{len(reference.split())} (viet-asr drops much of a long recording), in "
              f"{w['asr_s']:.1f} s; per sentence: WER {r['wer']:.3f}, {r['hyp_words']} words, "
              f"in {r['asr_s']:.1f} s. Hence per-sentence segments.")
    speeds = [r["duration_s"] / r["asr_s"] for r in rows if r["asr_s"]]
    if speeds:
        print(f"- viet-asr ran at {min(speeds):.1f}–{max(speeds):.1f}× real time, per case "
              f"({workers} cases narrated and transcribed at a time, one per process).")
    print("- gTTS: n/a — this machine cannot reach Google (gTTS fails at DNS), so it was not "
          "run. piper: n/a — no Vietnamese piper voice ships in any package reachable here "
          "(only an English test voice).")
    print("- espeak-ng's library does not give bit-identical audio for the same sentence "
          "from one call to the next in a process (lengths differ by up to a few hundred "
          "samples), so a narration, and its WER, varies between runs: the same row has moved "
          "by up to 0.016 between runs of this benchmark. Differences that small are noise.")
    print("- These WERs are of a recognizer listening to a formant synthesizer: they mix "
          "viet-asr's errors with the voice's. Compare rows with each other, not with figures "
          "for human listeners or natural speech.")
    norm_vi = [r for r in rows if r["case"].voice == "vi" and r["case"].normalize]
    if len(norm_vi) > 1:
        best = min(norm_vi, key=lambda r: r["wer"])
        rates = ", ".join(f"{r['case'].rate}: {r['wer']:.3f}"
                          for r in sorted(norm_vi, key=lambda r: r["case"].rate))
        print(f"- Rate, voice `vi`, normalized — {rates}: best is {best['case'].rate} wpm.")
    pairs = {}
    for r in rows:
        pairs.setdefault((r["case"].voice, r["case"].rate), {})[r["case"].normalize] = r["wer"]
    deltas = [f"`{v}` {rate}: {p[False] - p[True]:+.3f}" for (v, rate), p in pairs.items()
              if True in p and False in p]
    if deltas:
        print("- WER without normalization minus WER with it (positive = normalization "
              "helps): " + "; ".join(deltas) + ".")
    best_all = min(rows, key=lambda r: r["wer"])
    print(f"- Lowest WER: `{best_all['case'].voice}` at {best_all['case'].rate} wpm, "
          f"{'normalized' if best_all['case'].normalize else 'unnormalized'} "
          f"({best_all['wer']:.3f}).")
    if quick:
        print("- `--quick`: only voice `vi` at 150 wpm was scored.")
    print()
    first = rows[0]
    print(f"First sentence ({first['case'].label}) — reference: \"{reference_first}\"; "
          f"heard: \"{first['first_heard']}\"\n")


# ---------------------------------------------------------------- voice settings
@dataclass(frozen=True)
class VoiceSetting:
    """One espeak-ng setting to score, changed one at a time from what ships."""
    label: str
    voice: str = "vi"
    rate: int = DEFAULT_RATE
    word_gap: int = 0
    sentence_pause: float = SENTENCE_PAUSE
    paragraph_pause: float = PARAGRAPH_PAUSE


SWEEP = [
    VoiceSetting("shipped"),
    VoiceSetting("voice vi-vn-x-south", voice="vi-vn-x-south"),
    VoiceSetting("voice vi-vn-x-central", voice="vi-vn-x-central"),
    VoiceSetting("rate 130 wpm", rate=130),
    VoiceSetting("rate 140 wpm", rate=140),
    VoiceSetting("rate 150 wpm (before)", rate=150),
    VoiceSetting("rate 175 wpm", rate=175),
    VoiceSetting("word gap 10 ms", word_gap=1),
    VoiceSetting("word gap 30 ms", word_gap=3),
    VoiceSetting("pauses 0.15 / 0.15 s (no paragraph pause)", paragraph_pause=0.15),
    VoiceSetting("pauses 0.05 / 0.25 s", sentence_pause=0.05, paragraph_pause=0.25),
    VoiceSetting("pauses 0.30 / 0.80 s", sentence_pause=0.30, paragraph_pause=0.80),
]


def held_out() -> list[Article]:
    items = json.loads(HELD_OUT.read_text(encoding="utf-8"))
    return [Article(f"held-out {i + 1}", a["title"], a["lede"], a["body_html"])
            for i, a in enumerate(items)]


def setting_case(setting: VoiceSetting, articles: Sequence[Article], tmp: str) -> dict[str, Any]:
    """Narrate the held-out articles with `setting`; viet-asr transcribes each paragraph (so
    the pauses between its sentences are heard too); WER against the spoken text."""
    import jiwer

    asr = _recognizer()
    references, heard, audio_s = [], [], 0.0
    for n, article in enumerate(articles):
        workdir = Path(tmp) / f"setting-{abs(hash(setting.label))}-{n}"
        workdir.mkdir()
        settings = NarrationSettings(sentence_pause=setting.sentence_pause,
                                     paragraph_pause=setting.paragraph_pause)
        script = build_script(article.title, article.lede, article.body_html, settings)
        made = narration.narrate(script, [EspeakEngine(setting.voice, setting.rate,
                                                       word_gap=setting.word_gap)],
                                 workdir, settings)
        audio_s += made.duration
        audio = decode_16k(made.mp3)
        timed = json.loads(made.timings.read_text(encoding="utf-8"))["sentences"]
        for block in sorted({s.block for s in script}):
            members = [i for i, s in enumerate(script) if s.block == block]
            references.append(fold(" ".join(script[i].spoken for i in members)))
            lo = max(0, int((timed[members[0]]["start"] - SEGMENT_BEFORE) * ASR_RATE))
            hi = int((timed[members[-1]]["end"] + SEGMENT_AFTER) * ASR_RATE)
            heard.append(fold(asr.transcribe(audio[lo:hi], float(ASR_RATE)).text))
        shutil.rmtree(workdir, ignore_errors=True)
    out = jiwer.process_words(" ".join(references), " ".join(heard))
    return {"setting": setting, "wer": out.wer, "cer": jiwer.cer(" ".join(references),
                                                                   " ".join(heard)),
            "words": len(" ".join(references).split()), "audio_s": audio_s}


def report_settings(rows: Sequence[dict[str, Any]], articles: Sequence[Article]) -> None:
    print("## 3. Intelligibility per espeak-ng setting — viet-asr on held-out articles\n")
    out = []
    for r in rows:
        s: VoiceSetting = r["setting"]
        out.append([s.label, f"`{s.voice}`", s.rate, s.word_gap * 10,
                    f"{s.sentence_pause:.2f} / {s.paragraph_pause:.2f}",
                    f"{r['wer']:.3f}", f"{r['cer']:.3f}", f"{r['audio_s']:.0f}"])
    print(table(["setting", "voice", "rate (wpm)", "word gap (ms)",
                 "pause after sentence / paragraph (s)", "WER", "CER", "audio (s)"],
                out, text_columns=2))
    print()
    print(f"- {len(articles)} held-out articles (benchmarks/data/held_out_articles.json, "
          f"{rows[0]['words']} spoken words), written for this benchmark and not used to "
          "tune the normalizer. Each paragraph is transcribed as one segment, so the pauses "
          "between its sentences and words are part of what the recognizer hears.")
    best = min(rows, key=lambda r: r["wer"])
    print(f"- Lowest WER: {best['setting'].label} ({best['wer']:.3f}); shipped: "
          f"{rows[0]['wer']:.3f}. Differences under ~0.02 are noise (see section 2).\n")


def wer_cases(quick: bool) -> list[WerCase]:
    cases = [WerCase("vi", 150, True, whole_file_too=not quick), WerCase("vi", 150, False)]
    if not quick:
        for voice in ("vi-vn-x-south", "vi-vn-x-central"):
            cases += [WerCase(voice, 150, True), WerCase(voice, 150, False)]
        for rate in (130, 175):
            cases += [WerCase("vi", rate, True), WerCase("vi", rate, False)]
    return cases


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="sample and 2,000-word articles only; WER for voice vi at 150 only")
    parser.add_argument("--settings", action="store_true",
                        help="only the per-setting intelligibility table (held-out articles)")
    parser.add_argument("--_speed-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.settings:
        articles = held_out()
        began = time.perf_counter()
        print("# Narration benchmark: espeak-ng settings\n")
        print("\n".join(machine_lines()) + "\n")
        with tempfile.TemporaryDirectory(prefix="narration-settings-") as tmp_name, \
                ProcessPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(setting_case, s, articles, tmp_name) for s in SWEEP]
            report_settings([f.result() for f in futures], articles)
        print(f"Run: {time.perf_counter() - began:.0f} s wall time.")
        return
    if args._speed_child:
        speed_child(Path(args._speed_child[0]), Path(args._speed_child[1]))
        return

    began = time.perf_counter()
    sample, source = load_sample()
    articles = [sample, compose("2k words", 2_000, seed=2)]
    if not args.quick:
        articles.append(compose("10k words", 10_000, seed=10))

    print("# Narration benchmark\n")
    print("\n".join(machine_lines()))
    print("- Load average (1/5/15 min) at start: "
          + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"- Sample article: {source}")
    print(f"- 2k/10k articles: the {len(json.loads(DEMO_ARTICLES.read_text()))} demo "
          "articles' body paragraphs (app/demo/articles.json), repeated round after round, "
          "each round in a new shuffled order.")
    if args.quick:
        print("- Mode: `--quick` (no 10k-word article; WER for voice `vi` at 150 wpm only)")
    print(flush=True)

    with tempfile.TemporaryDirectory(prefix="narration-bench-") as tmp_name:
        tmp = Path(tmp_name)
        speed: dict[str, dict[str, Any]] = {}
        bare: dict[str, dict[str, float]] = {}
        bare_norm: dict[str, dict[str, float]] = {}
        for a in articles:
            print(f"… {a.name}: pipeline", file=sys.stderr, flush=True)
            speed[a.name] = run_speed_case(a, tmp)
            bare[a.name] = bare_espeak(a.plain, tmp, f"bare-{a.name}")
            bare_norm[a.name] = bare_espeak(speed[a.name]["normalized_text"], tmp,
                                            f"barenorm-{a.name}")
        report_speed(articles, speed, bare, bare_norm)

        script = build_script(sample.title, sample.lede, sample.body_html)
        reference = fold(" ".join(s.spoken for s in script))
        reference_first = fold(script[0].spoken)
        cases = wer_cases(args.quick)
        print(f"… WER: {len(cases)} narrations to transcribe", file=sys.stderr, flush=True)
        workers = max(1, min(2, len(os.sched_getaffinity(0))))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(wer_case, c, sample, reference, tmp_name) for c in cases]
            rows = [f.result() for f in futures]
        report_wer(rows, reference, reference_first, args.quick, workers)

    print(f"Whole benchmark run: {time.perf_counter() - began:.0f} s wall time; load average "
          "at the end: " + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + ".")


if __name__ == "__main__":
    main()

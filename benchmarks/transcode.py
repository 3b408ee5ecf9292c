"""Video benchmark: HLS transcode speed, the ladders produced, briefing videos, worker memory.

Run from the repository root:

    .venv/bin/python benchmarks/transcode.py            # everything, ~10–12 minutes on 2 cores
    .venv/bin/python benchmarks/transcode.py --quick    # shorter clips and files, ~5 minutes

It prints Markdown tables and asserts nothing. All media is generated (ffmpeg lavfi test
patterns, espeak-ng narration, a Pillow cover) in a temporary directory removed at the end.
Section 5 starts a throwaway SeaweedFS (scripts/services.sh) on port 8733 and stops it.
Wall times depend on what else runs on the machine: load averages are printed per section,
and the ffmpeg CPU seconds (user + system, from getrusage) are less sensitive to that.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project, when it is not installed in the interpreter

import ffmpeg  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from config import Config  # noqa: E402
from media_pipeline import briefing, ffmpeg_run, narration, samples, video  # noqa: E402
from media_pipeline.storage import ObjectStore  # noqa: E402
from media_pipeline.text import article_pictures  # noqa: E402
from media_pipeline.tts import EspeakEngine  # noqa: E402

SAMPLE_ARTICLE = Path("/work/shared/samples/seed-article.json")
DEMO_ARTICLES = ROOT / "app" / "demo" / "articles.json"
SEAWEED_DIR = Path("/tmp/seaweed-bench")
SEAWEED_PORT = 8733
BUCKET = "transcode-bench"
MIB, GIB = 1024**2, 1024**3


@dataclass(frozen=True)
class Plan:
    clip_s: float          # the 1080p30 source of sections 1–3
    hard_s: float          # the harder clip (0: skipped)
    phone_s: float         # the 9:16 clips of section 3
    reps: int              # A/B repetitions in section 1
    briefing_sentences: int | None  # None: the whole article
    big_bytes: int         # section 5's large file
    small_bytes: int       # and its comparison file
    ingest_s: float        # the capped transcode of section 5


FULL = Plan(60, 12, 6, 2, None, 2 * GIB, 200 * MIB, 20)
QUICK = Plan(20, 0, 4, 2, 8, 512 * MIB, 64 * MIB, 10)


# ---------------------------------------------------------------- helpers
def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def vm_hwm_kib() -> int:
    """This process's own peak resident set (VmHWM), KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def fresh(argv: Sequence[str]) -> list[str]:
    """`argv` started by a small shell that forks it (not exec'd, not vforked from us).

    Linux carries the spawning process's peak RSS over fork/vfork + exec into the new
    program's ru_maxrss, so a child started straight from this (large) process would report at
    least our own peak; started from `sh`, it reports its own.
    """
    return ["sh", "-c", '"$@"; exit $?', "sh", *argv]


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def self_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def xrt(media_s: float, wall_s: float) -> str:
    """× real time: seconds of media per second of wall time."""
    return f"{media_s / wall_s:.2f}×"


def by_hand(args: Sequence[str]) -> tuple[float, float]:
    """`ffmpeg -y -hide_banner -nostdin <args>`, output discarded: (wall s, ffmpeg CPU s)."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-nostdin", *args],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, children_cpu() - cpu


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def stream_of(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((s for s in data.get("streams", []) if s.get("codec_type") == kind), {})


def rotation_of(stream: dict[str, Any]) -> str:
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            return str(side["rotation"])
    return stream.get("tags", {}).get("rotate", "none")


def kbps(value: Any) -> str:
    try:
        return f"{int(value) / 1000:,.0f}"
    except (TypeError, ValueError):
        return "n/a"


class Args:
    """An argument list that ffmpeg_run.run accepts in place of an ffmpeg-python node."""

    def __init__(self, args: list[str]) -> None:
        self.args = args

    def get_args(self) -> list[str]:
        return self.args


# ---------------------------------------------------------------- media
def make_phone_clips(tmp: Path, seconds: float) -> tuple[Path, Path]:
    """A 1080x1920 clip and a 1920x1080-coded clip remuxed with rotate=90 (displayed 9:16)."""
    portrait = samples.make_video(tmp / "phone-1080x1920.mp4", seconds, (1080, 1920), 30)
    coded = samples.make_video(tmp / "coded-1920x1080.mp4", seconds, (1920, 1080), 30)
    rotated = tmp / "phone-rotate90.mp4"
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-i", str(coded), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", str(rotated)], check=True)
    coded.unlink()
    return portrait, rotated


def make_hard_clip(path: Path, seconds: float) -> Path:
    """testsrc2 with strong temporal grain (noise filter): costlier to decode and encode."""
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                    "testsrc2=size=1920x1080:rate=30,noise=alls=10:allf=t", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=44100", "-t", str(seconds),
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", str(path)], check=True)
    return path


def make_cover(path: Path) -> Path:
    """A 1200x675 cover: a gradient sky, hills, a sun, some texture (Pillow)."""
    w, h = 1200, 675
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=(int(40 + 150 * t), int(90 + 80 * t), int(170 - 60 * t)))
    draw.ellipse((820, 90, 980, 250), fill=(250, 210, 90))
    for i, colour in enumerate([(50, 110, 60), (35, 90, 45), (25, 70, 35)]):
        top = 380 + i * 70
        draw.polygon([(0, h), (0, top), *[(x, top - int(60 * math.sin(x / (140 + 40 * i) + i)))
                                          for x in range(0, w + 1, 20)], (w, h)], fill=colour)
    for i in range(40):
        x, y = (i * 97) % w, 520 + (i * 53) % 140
        draw.rectangle((x, y, x + 18, y + 30), fill=(200, 190 - i, 170))
    img.filter(ImageFilter.SMOOTH).save(path, quality=90)
    return path


def make_big_file(source: Path, target: Path, size: int) -> Path:
    """`source` looped with -stream_loop and -c copy until the MP4 is about `size` bytes."""
    loops = max(1, math.ceil(size / source.stat().st_size))
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-stream_loop", str(loops - 1),
                    "-i", str(source), "-c", "copy", "-fs", str(size), str(target)], check=True)
    return target


def load_article() -> tuple[dict[str, Any], str]:
    if SAMPLE_ARTICLE.exists():
        return (json.loads(SAMPLE_ARTICLE.read_text(encoding="utf-8")),
                f"`{SAMPLE_ARTICLE}` (exists: the real Hậu Giang article, 19/01/2021)")
    data = json.loads(DEMO_ARTICLES.read_text(encoding="utf-8"))[0]
    return data, f"`{DEMO_ARTICLES.relative_to(ROOT)}`, first article ({SAMPLE_ARTICLE} absent)"


# ---------------------------------------------------------------- 1. ours vs by hand
@dataclass
class Run:
    wall: float
    cpu: float          # ffmpeg's user + system seconds
    py_cpu: float = 0.0  # this process (progress parsing) during the run
    callbacks: int = 0
    load: float = 0.0    # 1-minute load average just before the run


def section_ours_vs_hand(src: Path, info: video.VideoInfo, ladder: list[video.Rendition],
                         tmp: Path, reps: int, keep: Path) -> dict[str, list[Run]]:
    out = tmp / "f1-out"
    runs: dict[str, list[Run]] = {"ours": [], "hand": []}
    for _ in range(reps):
        for mode in ("ours", "hand"):
            shutil.rmtree(out, ignore_errors=True)
            load = float(loadavg().split()[0])
            if mode == "ours":
                seen: list[int] = []
                cpu, py, start = children_cpu(), self_cpu(), time.perf_counter()
                video.package(src, out, info, ladder, on_progress=seen.append)
                wall = time.perf_counter() - start
                runs[mode].append(Run(wall, children_cpu() - cpu, self_cpu() - py, len(seen),
                                      load))
                shutil.rmtree(keep, ignore_errors=True)
                out.rename(keep)  # package()'s own output, for section 3
            else:
                args = video.package_stream(src, out, info, ladder).get_args()
                runs[mode].append(Run(*by_hand(args), load=load))
            print(f"<!-- {mode}: {runs[mode][-1].wall:.1f} s -->", file=sys.stderr, flush=True)
    shutil.rmtree(out, ignore_errors=True)
    return runs


def report_ours_vs_hand(runs: dict[str, list[Run]], clip_s: float, clip_desc: str,
                        args_len: int, load: str) -> None:
    print("## 1. Our transcode vs the same ffmpeg command run by hand\n")
    print(f"Source: {clip_desc}. Load average before: {load}.\n")
    rows = []
    order = [(m, i) for i in range(len(runs["ours"])) for m in ("ours", "hand")]
    for n, (mode, i) in enumerate(order, 1):
        r = runs[mode][i]
        label = "A `video.package()`" if mode == "ours" else "B ffmpeg by hand"
        rows.append([n, label, f"{r.load:.2f}", f"{r.wall:.2f}", f"{r.cpu:.1f}",
                     xrt(clip_s, r.wall), f"{r.py_cpu:.2f}" if mode == "ours" else "–",
                     r.callbacks if mode == "ours" else "–"])
    print(table(["run", "what", "load avg (1 min) before", "wall (s)", "ffmpeg CPU (s)",
                 "× real time", "Python CPU (s)", "progress callbacks"], rows))
    ours = statistics.median(r.wall for r in runs["ours"])
    hand = statistics.median(r.wall for r in runs["hand"])
    ours_cpu = statistics.median(r.cpu for r in runs["ours"])
    hand_cpu = statistics.median(r.cpu for r in runs["hand"])
    ours_min = min(r.wall for r in runs["ours"])
    hand_min = min(r.wall for r in runs["hand"])
    print()
    print(table(["", "A ours", "B by hand", "ours / by hand"], [
        ["wall, median (s)", f"{ours:.2f}", f"{hand:.2f}", f"**{ours / hand:.3f}**"],
        ["wall, fastest run (s)", f"{ours_min:.2f}", f"{hand_min:.2f}",
         f"{ours_min / hand_min:.3f}"],
        ["ffmpeg CPU, median (s)", f"{ours_cpu:.1f}", f"{hand_cpu:.1f}",
         f"{ours_cpu / hand_cpu:.3f}"],
        ["× real time (median)", xrt(clip_s, ours), xrt(clip_s, hand), ""],
    ]))
    print()
    print("- A = `video.package(src, out, info, plan_ladder(info, 1080))`: ffmpeg_run.run adds "
          "`-nostats -progress pipe:1`, parses progress lines in Python, stderr to a temp file. "
          "B = the identical argument list from `video.package_stream(...).get_args()` "
          f"({args_len} arguments) run as `ffmpeg -y -hide_banner -nostdin <args>` with "
          "stdout/stderr to DEVNULL. Same output directory (emptied before every run); runs "
          "alternate A B A B…. Target: ours / by hand ≤ 1.05.")
    print("- One pass writes 5 HLS renditions (240p–1080p, fMP4, 4 s segments) + the 720p "
          "MP4 fallback: 6 libx264 veryfast encodes from one decode.")
    print("- With 2 runs each the median is their mean; when other processes load the machine "
          "(see the load column) the fastest run and the CPU seconds are the steadier "
          "comparison.\n")


# ---------------------------------------------------------------- 2. per rendition
def rung_args(src: Path, target: Path, info: video.VideoInfo, r: video.Rendition,
              mp4_fallback: bool = False) -> list[str]:
    """The settings package_stream gives one rendition, as a command of its own."""
    fps = min(video.MAX_FPS, round(info.fps)) or 25
    gop = fps * video.GOP_SECONDS
    inp = ffmpeg.input(str(src))
    picture = inp["v:0"].filter("fps", fps=fps).filter("scale", r.width, r.height).filter(
        "setsar", 1)
    common = {"vcodec": "libx264", "preset": "veryfast", "pix_fmt": "yuv420p", "g": gop,
              "keyint_min": gop, "sc_threshold": 0, "acodec": "aac",
              "audio_bitrate": video.AUDIO_BITRATE, "ac": 2, "ar": 48000}
    if mp4_fallback:
        rate = {"crf": 23, "maxrate": f"{r.video_kbps * 3 // 2}k",
                "bufsize": f"{r.video_kbps * 3}k", "movflags": "+faststart"}
    else:
        rate = {"video_bitrate": f"{r.video_kbps}k", "maxrate": f"{r.video_kbps * 107 // 100}k",
                "bufsize": f"{r.video_kbps * 2}k"}
    return list(ffmpeg.output(picture, inp["a:0"], str(target), **common, **rate).get_args())


def section_per_rendition(src: Path, info: video.VideoInfo, ladder: list[video.Rendition],
                          tmp: Path) -> list[tuple[str, float, float, int]]:
    rows = []
    jobs = [(r.name, r, False) for r in ladder]
    fallback = video.fallback_rendition(ladder)
    jobs.append((f"MP4 fallback ({fallback.name}, crf 23)", fallback, True))
    for name, r, is_mp4 in jobs:
        target = tmp / "f2-rung.mp4"
        wall, cpu = by_hand(rung_args(src, target, info, r, is_mp4))
        rows.append((name, wall, cpu, target.stat().st_size))
        target.unlink()
        print(f"<!-- rung {name}: {wall:.1f} s -->", file=sys.stderr, flush=True)
    return rows


def report_per_rendition(rows: list[tuple[str, float, float, int]], ladder: list[video.Rendition],
                         clip_s: float, ours: list[Run], hard: tuple[float, Run] | None,
                         load: str) -> None:
    print("## 2. Speed × real time per rendition (1080p30 source, "
          f"{clip_s:.0f} s)\n")
    print(f"Load average before: {load}.\n")
    table_rows = []
    sizes = {r.name: r for r in ladder}
    for name, wall, cpu, size in rows:
        r = sizes.get(name)
        setting = (f"{r.width}×{r.height}, {r.video_kbps} kbit/s" if r else "crf 23, capped")
        table_rows.append([name, setting, f"{wall:.2f}", xrt(clip_s, wall), f"{cpu:.1f}",
                           f"{size * 8 / clip_s / 1000:,.0f}"])
    total_wall = sum(r[1] for r in rows)
    total_cpu = sum(r[2] for r in rows)
    table_rows.append(["**sum of the separate encodes**", "6 decodes of the source",
                       f"{total_wall:.2f}", xrt(clip_s, total_wall), f"{total_cpu:.1f}", ""])
    one_wall = statistics.median(r.wall for r in ours)
    one_cpu = statistics.median(r.cpu for r in ours)
    table_rows.append(["**one-pass ladder + MP4** (`video.package`, median of section 1)",
                       "1 decode, 6 encodes", f"{one_wall:.2f}", xrt(clip_s, one_wall),
                       f"{one_cpu:.1f}", ""])
    if hard is not None:
        hard_s, run = hard
        table_rows.append([f"one-pass ladder + MP4, **harder clip** ({hard_s:.0f} s, 1 run)",
                           "1 decode, 6 encodes", f"{run.wall:.2f}", xrt(hard_s, run.wall),
                           f"{run.cpu:.1f}", ""])
    print(table(["encode", "settings", "wall (s)", "× real time", "ffmpeg CPU (s)",
                 "output kbit/s (video + audio)"], table_rows))
    print()
    print("- Each rung alone: `-i src -filter fps,scale,setsar` → libx264 veryfast with the "
          "rung's bitrate (maxrate 1.07×, bufsize 2×), GOP 2 s, AAC 128k, into an MP4 (the same "
          "settings as the ladder's, built by this script). `× real time` = media seconds per "
          "wall second (above 1× is faster than real time).")
    print("- Every separate encode decodes the 1080p source again; the one pass decodes it "
          "once and splits it.\n")


# ---------------------------------------------------------------- 3. ladders produced
def playlist_first(playlist: Path) -> tuple[Path | None, Path | None, float]:
    """(init segment from EXT-X-MAP, first media segment, its EXTINF duration)."""
    init = seg = None
    duration = 0.0
    for line in playlist.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        found = re.match(r'#EXT-X-MAP:URI="([^"]+)"', line)
        if found and init is None:
            init = playlist.parent / found.group(1)
        elif line.startswith("#EXTINF:") and not duration:
            duration = float(line[len("#EXTINF:"):].split(",")[0])
        elif line and not line.startswith("#"):
            seg = playlist.parent / line
            break
    return init, seg, duration


def describe_ladder(label: str, source: Path, info: video.VideoInfo, outdir: Path,
                    ladder: list[video.Rendition], tmp: Path, packaged_s: float | None) -> None:
    src_v = stream_of(ffprobe(source), "video")
    print(f"### {label}\n")
    print(f"Source: coded {src_v.get('width')}×{src_v.get('height')}, rotation "
          f"{rotation_of(src_v)}; `probe()` → displayed {info.width}×{info.height}, rotation "
          f"{info.rotation}, {info.fps:g} fps, {info.duration:.1f} s"
          + (f"; `package()` took {packaged_s:.1f} s" if packaged_s is not None else "") + ".\n")
    master = outdir / "hls" / "master.m3u8"
    variants = [line.strip() for line in master.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    rows = []
    for r, variant in zip(ladder, variants, strict=False):
        playlist = master.parent / variant
        init, seg, seg_s = playlist_first(playlist)
        if init is None or seg is None or not init.exists() or not seg.exists():
            rows.append([r.name, f"{r.width}×{r.height}", f"missing: {init} / {seg}"] + [""] * 8)
            continue
        joined = tmp / "probe-joined.mp4"
        joined.write_bytes(init.read_bytes() + seg.read_bytes())
        data = ffprobe(joined)
        joined.unlink()
        v, a = stream_of(data, "video"), stream_of(data, "audio")
        rows.append([
            f"{r.name} (`{variant}`, `{init.name}`)", f"{r.width}×{r.height} @ {r.video_kbps}",
            f"{v.get('width')}×{v.get('height')}", v.get("codec_name"), v.get("profile"),
            v.get("level"), v.get("avg_frame_rate"), v.get("sample_aspect_ratio", "n/a"),
            kbps(v.get("bit_rate")), rotation_of(v),
            f"{a.get('codec_name')} {kbps(a.get('bit_rate'))}k {a.get('sample_rate')} Hz "
            f"{a.get('channels')} ch" if a else "none",
            f"{seg.stat().st_size / 1024:,.0f} kB / {seg_s:g} s"])
    mp4 = outdir / "video.mp4"
    data = ffprobe(mp4)
    v, a = stream_of(data, "video"), stream_of(data, "audio")
    fb = video.fallback_rendition(ladder)
    rows.append(["`video.mp4` (fallback, whole file)", f"{fb.width}×{fb.height} crf 23",
                 f"{v.get('width')}×{v.get('height')}", v.get("codec_name"), v.get("profile"),
                 v.get("level"), v.get("avg_frame_rate"), v.get("sample_aspect_ratio", "n/a"),
                 kbps(v.get("bit_rate")), rotation_of(v),
                 f"{a.get('codec_name')} {kbps(a.get('bit_rate'))}k" if a else "none",
                 f"{mp4.stat().st_size / 1024:,.0f} kB total"])
    print(table(["rendition (playlist, init)", "planned (kbit/s)", "ffprobe W×H", "codec",
                 "profile", "level", "avg_frame_rate", "SAR", "video kbit/s", "rotation",
                 "audio", "first segment"], rows))
    print("\nMaster playlist:\n")
    print("```m3u8")
    print(master.read_text(encoding="utf-8").strip())
    print("```\n")


def section_ladders(clip: tuple[Path, video.VideoInfo, list[video.Rendition], Path],
                    phones: tuple[Path, Path], tmp: Path, load: str) -> None:
    print("## 3. The ladders produced\n")
    print("Per rendition: the playlist's `EXT-X-MAP` init segment concatenated with its first "
          "`.m4s` into a temp file, then `ffprobe -show_streams` of that. Load average "
          f"before: {load}.\n")
    src, info, ladder, outdir = clip
    describe_ladder("1080p30 source (16:9) — `package()` output of section 1", src, info,
                    outdir, ladder, tmp, None)
    for label, path in (("9:16 phone clip coded 1080×1920", phones[0]),
                        ("9:16 phone clip coded 1920×1080 with rotate=90 (remuxed, -c copy)",
                         phones[1])):
        pinfo = video.probe(path)
        pladder = video.plan_ladder(pinfo, Config.VIDEO_MAX_HEIGHT)
        out = tmp / f"f3-{path.stem}"
        start = time.perf_counter()
        video.package(path, out, pinfo, pladder)
        describe_ladder(label, path, pinfo, out, pladder, tmp, time.perf_counter() - start)
        shutil.rmtree(out)


# ---------------------------------------------------------------- 4. briefing
def render_before_issue_15(title: str, cover: Path, mp3: Path, duration: float,
                           work: Path) -> Path:
    """The briefing as rendered before issue 15's redesign (git 5d5dc49…a11ef6e): a title
    card over the blurred cover for 4 s, then the cover in one slow zoom. The same ffmpeg
    graph (looped stills, a per-frame 1.5× scale into zoompan), kept here as the yardstick
    for the redesign's render time, measured in the same run."""
    w, h = briefing.LANDSCAPE
    card, pan = work / "before-card.jpg", work / "before-pan.jpg"
    with Image.open(cover) as opened:
        fitted = opened.convert("RGB").resize((w, h))
    fitted.save(pan, quality=92)
    shaded = Image.blend(fitted.filter(ImageFilter.GaussianBlur(6)),
                         Image.new("RGB", (w, h), (20, 10, 10)), 0.55)
    ImageDraw.Draw(shaded).text((90, 300), title[:40], fill=(255, 255, 255))
    shaded.save(card, quality=92)
    card_len = min(4.0, duration / 3)
    pan_len = max(0.5, duration - card_len)
    frames = max(1, int(pan_len * briefing.FPS))
    fps = briefing.FPS
    opening = ffmpeg.input(str(card), loop=1, framerate=fps, t=card_len)["v:0"].filter(
        "fade", t="in", st=0, d=0.5)
    moving = (ffmpeg.input(str(pan), loop=1, framerate=fps, t=pan_len)["v:0"]
              .filter("scale", w * 3 // 2, h * 3 // 2)
              .filter("zoompan", z=f"min(1+on*{0.15 / frames:.8f},1.15)", d=1,
                      x="iw/2-(iw/zoom/2)", y="ih/2-(ih/zoom/2)", s=f"{w}x{h}", fps=fps))
    picture = ffmpeg.concat(opening.filter("setsar", 1), moving.filter("setsar", 1), v=1, a=0)
    out = work / "before.mp4"
    ffmpeg_run.run(ffmpeg.output(picture.filter("format", "yuv420p"),
                                 ffmpeg.input(str(mp3))["a:0"], str(out), vcodec="libx264",
                                 preset="ultrafast", crf=18, acodec="aac", audio_bitrate="128k",
                                 t=duration, movflags="+faststart"), duration=duration)
    return out


def with_body_pictures(body_html: str, captions: Sequence[str]) -> tuple[str, list[str]]:
    """`body_html` with a captioned figure after every few paragraphs (as editors place
    them); returns the body and the pictures' src in order."""
    parts = body_html.split("</p>")
    step = max(1, (len(parts) - 1) // (len(captions) + 1))
    srcs = []
    for n, caption in enumerate(captions):
        srcs.append(f"/m/images/1/body/{n:016x}.jpg")
        parts.insert((n + 1) * step + n, f'<figure><img src="{srcs[-1]}">'
                                         f"<figcaption>{caption}</figcaption></figure>")
    return "</p>".join(parts), srcs


def section_briefing(tmp: Path, max_sentences: int | None) -> None:
    load = loadavg()
    article, where = load_article()
    work = tmp / "briefing"
    work.mkdir()
    cover_path = make_cover(work / "cover.jpg")
    try:
        from app.media.jobs import BRIEFING_RUNGS
        rungs_from = "`app.media.jobs.BRIEFING_RUNGS`"
    except Exception as exc:  # the app's imports may fail outside its environment
        BRIEFING_RUNGS = {"360p", "720p"}
        rungs_from = f"a copy of app.media.jobs.BRIEFING_RUNGS (import failed: {exc})"

    captions = ["Quang cảnh buổi làm việc tại hội trường.",
                "Các đại biểu tham gia ý kiến tại cuộc họp.",
                "Lãnh đạo tỉnh phát biểu kết luận."]
    body, srcs = with_body_pictures(article["body_html"], captions)
    start = time.perf_counter()
    script = narration.build_script(article["title"], article["lede"], body)
    total_sentences = len(script)
    if max_sentences:
        script = script[:max_sentences]
    narrated = narration.narrate(script, [EspeakEngine()], work)
    narrate_s = time.perf_counter() - start
    duration = narrated.duration
    sentences = json.loads(narrated.timings.read_text("utf-8"))["sentences"]
    looks = [make_cover(work / f"body-{n}.jpg") for n in range(len(srcs))]
    for n, path in enumerate(looks):  # three different pictures: the cover, turned
        with Image.open(path) as img:
            img.rotate(180 * (n % 2)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(path)
    found = article_pictures(article["title"], article["lede"], body)
    pictures = [briefing.Picture(looks[srcs.index(p.src)], p.caption, p.block)
                for p in found if p.src in srcs]
    cover = briefing.Picture(cover_path, article.get("cover_caption") or "Ảnh bìa", 0)
    story = briefing.Story(article["title"], article.get("category", ""), "Thứ Ba, 19/01/2021",
                           Config.SITE_NAME, Path(Config.SITE_EMBLEM))

    steps: list[tuple[str, float, float]] = []

    def timed(label: str, fn: Callable[[], Any]) -> Any:
        cpu, begin = children_cpu(), time.perf_counter()
        result = fn()
        steps.append((label, time.perf_counter() - begin, children_cpu() - cpu))
        print(f"<!-- {label}: {steps[-1][1]:.1f} s -->", file=sys.stderr, flush=True)
        return result

    def new_design(name: str, cover: briefing.Picture | None,
                   pictures: list[briefing.Picture], burn: bool = False,
                   size: tuple[int, int] = briefing.LANDSCAPE) -> Path:
        out = work / name
        out.mkdir()
        return briefing.render(story, cover, pictures, narrated.mp3, duration, out, sentences,
                               size, burn_subtitles=burn)

    before = timed("before issue 15: title card over the blurred cover, one zoom",
                   lambda: render_before_issue_15(article["title"], cover_path, narrated.mp3,
                                                  duration, work))
    timed("**now**, cover only (the same inputs as the row above)",
          lambda: new_design("cover", cover, []))
    mezzanine = timed(f"**now**, cover + {len(pictures)} body pictures with captions",
                      lambda: new_design("pictures", cover, pictures))
    timed("**now**, no picture at all (plain card)", lambda: new_design("plain", None, []))
    timed(f"**now**, cover + {len(pictures)} pictures, subtitles burned in",
          lambda: new_design("burned", cover, pictures, burn=True))
    timed(f"**now**, 9:16, cover + {len(pictures)} pictures",
          lambda: new_design("portrait", cover, pictures, size=briefing.PORTRAIT))
    renders = list(steps)

    def package(source: Path, name: str) -> None:
        info = video.probe(source)
        ladder = [r for r in video.plan_ladder(info, 720) if r.name in BRIEFING_RUNGS]
        made = timed(f"{name}: HLS packaging ({' + '.join(r.name for r in ladder)} + MP4)",
                     lambda: video.package(source, work / f"out-{name}", info, ladder))
        fb = video.fallback_rendition(ladder)
        timed(f"{name}: poster + storyboard", lambda: (
            video.poster(made.mp4, work / f"out-{name}" / "poster.jpg", info.duration),
            video.storyboard(made.mp4, work / f"out-{name}", info.duration, fb.width,
                             fb.height)))

    package(before, "before")
    package(mezzanine, "now (pictures)")

    print("## 4. Briefing video time for the sample article\n")
    part = (f"its first {len(script)} of {total_sentences} sentences (--quick)"
            if max_sentences else f"all {total_sentences} sentences")
    print(f"Article: {where}, with {len(srcs)} captioned body pictures placed among its "
          f"paragraphs; {part}. Narration: espeak-ng `{narrated.voice}` ({narrated.engine}), "
          f"{duration:.1f} s of audio, made in {narrate_s:.1f} s. Pictures: generated with "
          f"Pillow, 1200×675 JPEG. Ladder: {rungs_from} → "
          f"{', '.join(f'{r.name} {r.width}×{r.height}' for r in video.plan_ladder(video.probe(before), 720) if r.name in BRIEFING_RUNGS)}. "  # noqa: E501
          f"Load average before: {load}.\n")
    base_wall, base_cpu = renders[0][1], renders[0][2]
    rows = [[label, f"{wall:.2f}", f"{cpu:.1f}", xrt(duration, wall),
             f"{wall / base_wall:.2f}×", f"{cpu / base_cpu:.2f}×"]
            for label, wall, cpu in renders]
    print(table(["`briefing.render` (1280×720 unless said, x264 ultrafast crf 18)", "wall (s)",
                 "ffmpeg CPU (s)", "× real time", "wall ÷ before", "CPU ÷ before"], rows))
    print()
    rest = steps[len(renders):]
    print(table(["then", "wall (s)", "ffmpeg CPU (s)"],
                [[label, f"{wall:.2f}", f"{cpu:.1f}"] for label, wall, cpu in rest]))
    total_before = renders[0][1] + rest[0][1] + rest[1][1]
    total_now = renders[2][1] + rest[2][1] + rest[3][1]
    print(f"\nRender + packaging + poster/storyboard: before {total_before:.1f} s, now (cover "
          f"+ pictures) {total_now:.1f} s ({total_now / total_before:.2f}×) for "
          f"{duration:.1f} s of narration. Target (issue 15): render within 1.2× of before. "
          "Subtitles are a soft track unless said (`BRIEFING_BURN_SUBTITLES=False`); uploads "
          "to the store are not included.\n")


# ---------------------------------------------------------------- 5. ingest memory
def child_download(endpoint: str, key: str, dest: str) -> None:
    """In a fresh process: ObjectStore.download_file, peak RSS before and after."""
    store = ObjectStore(endpoint, BUCKET, Config.S3_ACCESS_KEY, Config.S3_SECRET_KEY)
    size = store.size(key)  # the client and a connection are up, as in a worker
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    store.download_file(key, Path(dest))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"size": size, "before_kib": before, "after_kib": after, "wall": wall,
                      "hwm_kib": vm_hwm_kib()}))


def child_ffmpeg(source: str, outdir: str, seconds: float) -> None:
    """In a fresh process: probe, then the worker's package command on the first `seconds`
    (no transcode when `seconds` is 0)."""
    src = Path(source)
    # ffprobe's own peak: the command ffmpeg.probe runs, started through `sh` (see fresh()).
    subprocess.run(fresh(["ffprobe", "-show_format", "-show_streams", "-of", "json", str(src)]),
                   capture_output=True, check=True)
    probe_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    info = video.probe(src, max_duration=Config.VIDEO_MAX_DURATION, allow_audio_only=True)
    probe_s = time.perf_counter() - start
    if not seconds:
        print(json.dumps({"duration": info.duration, "probe_s": probe_s,
                          "probe_kib": probe_kib}))
        return
    capped = replace(info, duration=min(seconds, info.duration))
    ladder = video.plan_ladder(capped, Config.VIDEO_MAX_HEIGHT)
    args = list(video.package_stream(src, Path(outdir), capped, ladder).get_args())
    at = args.index("-i")
    args[at:at] = ["-t", f"{capped.duration:g}"]  # input option: read only the first seconds
    start = time.perf_counter()
    ffmpeg_run.run(Args(args), duration=capped.duration)
    wall = time.perf_counter() - start
    print(json.dumps({
        "duration": info.duration, "probe_s": probe_s, "probe_kib": probe_kib,
        "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "wall": wall,
        "ladder": [r.name for r in ladder]}))


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(fresh([sys.executable, __file__, *args]), cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def vm_status(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def section_ingest(source: Path, tmp: Path, plan: Plan) -> None:
    load = loadavg()
    print("## 5. Peak worker memory while ingesting a large file\n")
    if port_open(SEAWEED_PORT):
        print(f"Skipped: something already answers on 127.0.0.1:{SEAWEED_PORT}.\n")
        return
    shutil.rmtree(SEAWEED_DIR, ignore_errors=True)  # a fresh data dir (it remembers flags)
    services = [str(ROOT / "scripts" / "services.sh")]
    subprocess.run([*services, "seaweedfs", str(SEAWEED_DIR), str(SEAWEED_PORT)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{SEAWEED_PORT}"
    weed_pid = int((SEAWEED_DIR / "weed.pid").read_text())
    files: list[tuple[str, Path]] = []
    try:
        store = ObjectStore(endpoint, BUCKET, Config.S3_ACCESS_KEY, Config.S3_SECRET_KEY)
        store.ensure_bucket(public_read=False, cors_origins=())
        made: list[tuple[str, Path, float, float]] = []
        for label, size in (("large", plan.big_bytes), ("small", plan.small_bytes)):
            path = tmp / f"upload-{label}.mp4"
            begin = time.perf_counter()
            make_big_file(source, path, size)
            make_s = time.perf_counter() - begin
            begin = time.perf_counter()
            store.upload_file(path, f"uploads/{label}.mp4", "video/mp4", "private, no-store")
            made.append((label, path, make_s, time.perf_counter() - begin))
            files.append((label, path))
            print(f"<!-- {label} made and uploaded -->", file=sys.stderr, flush=True)
        for _, path in files:
            path.unlink()
        results: dict[str, dict[str, Any]] = {}
        for label, _, _, _ in sorted(made, key=lambda m: m[0] != "small"):
            dest = tmp / f"download-{label}"
            results[label] = run_child("--_child-download", endpoint, f"uploads/{label}.mp4",
                                       str(dest))
            out = tmp / f"ingest-{label}"
            seconds = plan.ingest_s if label == "large" else 0  # ffmpeg reads the first seconds
            results[label]["ffmpeg"] = run_child("--_child-ffmpeg", str(dest), str(out),
                                                 f"{seconds:g}")
            dest.unlink()
            shutil.rmtree(out, ignore_errors=True)
            print(f"<!-- {label} downloaded and transcoded -->", file=sys.stderr, flush=True)
        weed = vm_status(weed_pid)
        store.delete(*(f"uploads/{label}.mp4" for label, _ in files))
    finally:
        for _, path in files:
            path.unlink(missing_ok=True)
        subprocess.run([*services, "stop-seaweedfs", str(SEAWEED_DIR)], cwd=ROOT, check=False)
        shutil.rmtree(SEAWEED_DIR, ignore_errors=True)

    print(f"Throwaway SeaweedFS (`scripts/services.sh seaweedfs {SEAWEED_DIR} {SEAWEED_PORT}`, "
          f"GOMEMLIMIT=256MiB), bucket `{BUCKET}`. Files: the section 1 source looped with "
          "`-stream_loop N -c copy` (and `-fs` to cap the size) into one MP4, uploaded with "
          f"`ObjectStore.upload_file`. Load average before: {load}.\n")
    rows = []
    for label, _, make_s, up_s in sorted(made, key=lambda m: m[0] != "small"):
        r = results[label]
        f = r["ffmpeg"]
        rows.append([f"{r['size'] / MIB:,.0f} MiB MP4 ({f['duration'] / 60:.1f} min of 1080p)",
                     f"{make_s:.1f}", f"{up_s:.1f} ({r['size'] / MIB / up_s:,.0f} MiB/s)",
                     f"{r['wall']:.1f} ({r['size'] / MIB / r['wall']:,.0f} MiB/s)",
                     f"{r['before_kib'] / 1024:.0f}", f"**{r['after_kib'] / 1024:.0f}**",
                     f"{(r['after_kib'] - r['before_kib']) / 1024:+.0f}",
                     f"{r['hwm_kib'] / 1024:.0f}"])
    print(table(["file", "made (s)", "upload (s)", "download (s)", "worker peak RSS before "
                 "download (MiB)", "after download (MiB)", "growth (MiB)",
                 "VmHWM after (MiB, cross-check)"], rows))
    print()
    rows = []
    for label, _, _, _ in sorted(made, key=lambda m: m[0] != "small"):
        f = results[label]["ffmpeg"]
        transcoded = "wall" in f
        rows.append([f"{results[label]['size'] / MIB:,.0f} MiB",
                     f"{f['probe_s']:.2f}", f"{f['probe_kib'] / 1024:.0f}",
                     f"{f['wall']:.1f}" if transcoded else "not run",
                     f"**{f['children_kib'] / 1024:.0f}**" if transcoded else "–",
                     f"{f['self_kib'] / 1024:.0f}" if transcoded else "–"])
    print(table(["file", "probe (s)", "ffprobe peak RSS (MiB)",
                 f"transcode first {plan.ingest_s:g} s (s)",
                 "ffmpeg peak RSS (MiB, RUSAGE_CHILDREN)", "worker Python peak RSS (MiB)"], rows))
    print()
    print("- Every child here is started through `sh` (forked by it, not by this script): "
          "Linux carries the spawning process's peak RSS over exec into the child's "
          "`ru_maxrss`, so a child started straight from this script would report at least "
          "this script's own peak.")
    print("- Worker peak RSS *before download* is a fresh Python process with this script's "
          "imports (boto3, ffmpeg-python, Pillow, the media pipeline) and an S3 client.")
    print("- Download: a fresh child process builds an ObjectStore, does one HEAD (client and "
          "connection up), records `ru_maxrss` (RUSAGE_SELF), runs `download_file` to disk, "
          "records it again. boto3's transfer manager writes ranged parts to the file.")
    print("- Transcode: another fresh child runs the command `ffmpeg.probe` runs (`ffprobe "
          "-show_format -show_streams -of json`, through `sh`; RUSAGE_CHILDREN after it = "
          "ffprobe's peak), then `video.probe` and the worker's one-pass command "
          f"(`package_stream` for {', '.join(results['large']['ffmpeg']['ladder'])} + MP4) with "
          f"`-t {plan.ingest_s:g}` inserted as an input option, run through `ffmpeg_run.run`; "
          "RUSAGE_CHILDREN after it = the larger of ffprobe's and ffmpeg's peaks. Only the "
          "large file is transcoded: with `-t` ffmpeg reads just the first seconds of either.")
    print(f"- SeaweedFS process after the transfers: RSS {weed.get('VmRSS', 0):.0f} MiB, peak "
          f"{weed.get('VmHWM', 0):.0f} MiB. Objects deleted, server stopped, data dir and all "
          "large local files removed.\n")


# ---------------------------------------------------------------- main
def machine_lines() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal:"))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    ffmpeg_version = subprocess.run(["ffmpeg", "-version"], capture_output=True,
                                    text=True).stdout.splitlines()[0].split(" Copyright")[0]
    return [
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: nproc {nproc}, CPU model \"{cpu}\", {mem / 1024**2:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- {ffmpeg_version}; Python {platform.python_version()}",
        f"- Load average at start: {loadavg()} (other processes share this machine)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="20 s source, 512 MiB ingest file, part of the article")
    parser.add_argument("--reps", type=int, default=2,
                        help="A/B repetitions in section 1 (default 2)")
    parser.add_argument("--sections", default="1,2,3,4,5",
                        help="comma-separated sections to run (default: all)")
    parser.add_argument("--_child-download", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--_child-ffmpeg", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child_download:
        child_download(*args._child_download)
        return
    if args._child_ffmpeg:
        source, outdir, seconds = args._child_ffmpeg
        child_ffmpeg(source, outdir, float(seconds))
        return

    plan = replace(QUICK if args.quick else FULL, reps=max(1, args.reps))
    wanted = {int(s) for s in args.sections.split(",") if s.strip()}
    begin = time.perf_counter()
    print(f"# Video transcode benchmark{' (--quick)' if args.quick else ''}\n")
    print("\n".join(machine_lines()))
    print()
    with tempfile.TemporaryDirectory(prefix="transcode-bench-") as tmpname:
        tmp = Path(tmpname)
        src = tmp / "src-1080p30.mp4"
        made_at = time.perf_counter()
        samples.make_video(src, plan.clip_s, (1920, 1080), 30)
        clip_desc = (f"{plan.clip_s:.0f} s 1920×1080 30 fps testsrc2 + 440 Hz sine, made with "
                     "`samples.make_video` (H.264 ultrafast + AAC, "
                     f"{src.stat().st_size * 8 / plan.clip_s / 1e6:.1f} Mbit/s, made in "
                     f"{time.perf_counter() - made_at:.1f} s). testsrc2 is easy to encode")
        info = video.probe(src)
        ladder = video.plan_ladder(info, Config.VIDEO_MAX_HEIGHT)
        kept = tmp / "f1-ladder"
        runs: dict[str, list[Run]] = {}
        if wanted & {1, 2, 3}:
            load = loadavg()
            runs = section_ours_vs_hand(src, info, ladder, tmp, plan.reps, kept)
            args_len = len(video.package_stream(src, tmp / "x", info, ladder).get_args())
            report_ours_vs_hand(runs, plan.clip_s, clip_desc, args_len, load)
        if 2 in wanted:
            load = loadavg()
            rows = section_per_rendition(src, info, ladder, tmp)
            hard = None
            if plan.hard_s:
                hard_src = make_hard_clip(tmp / "hard-1080p30.mp4", plan.hard_s)
                hard_info = video.probe(hard_src)
                cpu, start = children_cpu(), time.perf_counter()
                video.package(hard_src, tmp / "f2-hard", hard_info,
                              video.plan_ladder(hard_info, Config.VIDEO_MAX_HEIGHT))
                hard = (plan.hard_s, Run(time.perf_counter() - start, children_cpu() - cpu))
                rate = hard_src.stat().st_size * 8 / plan.hard_s / 1e6
                shutil.rmtree(tmp / "f2-hard")
                hard_src.unlink()
            report_per_rendition(rows, ladder, plan.clip_s, runs["ours"], hard, load)
            if hard is not None:
                print(f"The harder clip: {plan.hard_s:.0f} s of testsrc2 1080p30 with temporal "
                      "grain (`noise=alls=10:allf=t`), H.264 ultrafast, "
                      f"{rate:.0f} Mbit/s — more detail to encode and more bits to decode.\n")
        if 3 in wanted:
            load = loadavg()
            phones = make_phone_clips(tmp, plan.phone_s)
            section_ladders((src, info, ladder, kept), phones, tmp, load)
        shutil.rmtree(kept, ignore_errors=True)
        if 4 in wanted:
            section_briefing(tmp, plan.briefing_sentences)
        if 5 in wanted:
            section_ingest(src, tmp, plan)
    total = time.perf_counter() - begin
    print(f"Total run time: {total / 60:.1f} min ({total:.0f} s); load average at end: "
          f"{loadavg()}.")


if __name__ == "__main__":
    main()

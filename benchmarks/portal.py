"""Portal speed: requests/s and latency of the reader's pages under load, against a ceiling.

Run from the repository root (needs wrk: `apt-get install wrk`; PostgreSQL on 127.0.0.1:5432
and Redis on 127.0.0.1:6379, as `scripts/services.sh postgres|redis` start them):

    .venv/bin/python benchmarks/portal.py                       # 10,000 articles, PostgreSQL
    .venv/bin/python benchmarks/portal.py --db sqlite --articles 2000 --duration 5

It builds a throwaway stack (benchmarks/stack.py: SeaweedFS, database, Redis db 14, demo content
plus N generated articles), serves the portal and a Flask "hello world" (benchmarks/hello_app.py)
with the same gunicorn.conf.py, and runs `wrk -t2 -c50 -d10s --latency` on each page twice:
"cold" right after emptying the portal's Redis db, "warm" straight after. It then times the first
byte of an MP3 and an MP4 from the object store (median of 20 curl requests) and prints Markdown
tables. Everything it started is stopped at the end, also on Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import ROOT, VENV_BIN, Stack, log  # noqa: E402

SEARCH_DIACRITICS = "chuyển đổi số"
SEARCH_PLAIN = "nong thon moi"
# wrk sends no User-Agent by default, which the portal treats as a bot (no view counted):
# a browser's keeps the article page's real work in the measurement.
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126 Mobile (benchmark)"
# Every browser asks for compressed pages; the ceiling's body is too small to compress.
ACCEPT_ENCODING = "gzip, deflate, br"
TTFB_SAMPLES = 20
ALONE_SAMPLES = 5
WRK_TIMEOUT = "60s"  # wrk's default (2 s) would drop slower answers from the latency figures
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str  # non-2xx/3xx responses and socket errors, "" when none


def to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Requests/sec, the 50% and 99% latency lines, and any errors from `wrk --latency`."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = [] if int(total.group(1)) else ["no request finished: try a longer --duration"]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} non-2xx/3xx")
    sockets = re.search(r"Socket errors: (.+)", output)
    if sockets:
        errors.append(f"socket errors: {sockets.group(1).strip()}")
    return WrkResult(float(rps.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)),
                     int(total.group(1)), "; ".join(errors))


def run_wrk(url: str, duration: int, connections: int, threads: int) -> WrkResult:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           "--timeout", WRK_TIMEOUT, "-H", f"User-Agent: {USER_AGENT}",
           "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url]
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


def check_page(url: str) -> None:
    """A page must answer 200 before it is measured: a fast error page proves nothing."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{url} answered {exc.code}; not measuring an error page") from None


def ttfb(url: str, samples: int = TTFB_SAMPLES) -> tuple[float, float]:
    """Median time to first byte and median total time (ms) of `samples` fresh GETs."""
    first, total = [], []
    for _ in range(samples):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--fail", "-A", USER_AGENT, "-w",
                              "%{time_starttransfer} %{time_total}", url],
                             capture_output=True, text=True, check=True).stdout.split()
        first.append(float(out[0]) * 1000)
        total.append(float(out[1]) * 1000)
    return statistics.median(first), statistics.median(total)


def fmt_ms(value: float) -> str:
    if not value:
        return "—"  # no request finished in time
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def fmt_rps(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return f"{os.cpu_count()} cores ({model or platform.processor() or platform.machine()})"


def gunicorn_settings(env: dict[str, str]) -> dict[str, object]:
    """The values gunicorn.conf.py gives under the stack's environment."""
    code = ("import json, runpy; c = runpy.run_path('gunicorn.conf.py'); print(json.dumps("
            "{k: c[k] for k in ('worker_class', 'workers', 'threads', 'timeout', 'keepalive', "
            "'graceful_timeout', 'max_requests', 'max_requests_jitter', 'preload_app')}))")
    out = subprocess.run([str(VENV_BIN / "python"), "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000,
                        help="generated articles on top of the demo ones (default 10000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--search-duration", type=int, default=30,
                        help="seconds per wrk run on the search pages, which answer in seconds "
                             "under load: a short run would see few or none finish (default 30)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2

    with Stack(articles=args.articles, db=args.db, media=True) as stack:
        settings = gunicorn_settings(stack.env)
        stack.start_web("hello", "benchmarks.hello_app:app")
        stack.start_web("portal", "app:create_app()")
        seed = stack.seed
        pages = [
            ("hello (ceiling)", stack.url("hello", "/")),
            ("home", stack.url("portal", "/")),
            ("article", stack.url("portal", f"/bai-viet/{seed['article']}")),
            ("section", stack.url("portal", f"/chuyen-muc/{seed['section']}/")),
            (f"search “{SEARCH_DIACRITICS}”",
             stack.url("portal", f"/tim-kiem?q={quote_plus(SEARCH_DIACRITICS)}")),
            (f"search “{SEARCH_PLAIN}”",
             stack.url("portal", f"/tim-kiem?q={quote_plus(SEARCH_PLAIN)}")),
        ]
        rows: list[tuple[str, WrkResult, WrkResult]] = []
        alone: list[tuple[str, float, float]] = []
        for name, url in pages:
            check_page(url)
            server = "hello" if name.startswith("hello") else "portal"
            seconds = args.search_duration if name.startswith("search") else args.duration
            results = []
            for run in ("cold", "warm"):
                if run == "cold":
                    stack.flush_redis()
                log(f"wrk {name}: {run}…")
                results.append(run_wrk(url, seconds, args.connections, args.threads))
                stack.wait_idle(server)  # requests wrk left queued are still being served
            rows.append((name, results[0], results[1]))
            # Without load, for the pages' own cost: queueing dominates the figures above.
            alone.append((name, *ttfb(url, ALONE_SAMPLES)))
        log("time to first byte of the media…")
        media = [(kind, seed[f"{kind}_url"], int(seed[f"{kind}_bytes"]),
                  *ttfb(seed[f"{kind}_url"])) for kind in ("audio", "video")]

    ceiling = rows[0][2].rps
    print(f"# Portal speed — {datetime.now():%Y-%m-%d %H:%M}\n")
    print(f"- machine: {machine()}, Python {platform.python_version()}")
    print(f"- database: {args.db}, {seed['published']} published articles "
          f"(seeded in {seed['articles_seconds']} s)")
    print(f"- gunicorn (gunicorn.conf.py): {', '.join(f'{k}={v}' for k, v in settings.items())}")
    print(f"- load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
          f"--timeout {WRK_TIMEOUT} (search: -d{args.search_duration}s), on the same machine "
          "as the servers")
    print("- cold: first run after FLUSHDB of the portal's Redis db; warm: the run after it\n")
    print("| page | cold rps | cold p50 | cold p99 | warm rps | warm p50 | warm p99 "
          "| warm rps / hello |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, cold, warm in rows:
        print(f"| {name} | {fmt_rps(cold.rps)} | {fmt_ms(cold.p50_ms)} | {fmt_ms(cold.p99_ms)} "
              f"| {fmt_rps(warm.rps)} | {fmt_ms(warm.p50_ms)} | {fmt_ms(warm.p99_ms)} "
              f"| {warm.rps / ceiling:.4f} |")
    problems = [f"- {name} ({label}): {result.errors}" for name, cold, warm in rows
                for label, result in (("cold", cold), ("warm", warm)) if result.errors]
    if problems:
        print("\nErrors during the runs (their figures are not to be trusted):")
        print("\n".join(problems))
    print(f"\nOne request at a time, after the warm run (median of {ALONE_SAMPLES} GETs, curl):\n")
    print("| page | time to first byte | total |")
    print("|---|---:|---:|")
    for name, first, total in alone:
        print(f"| {name} | {fmt_ms(first)} | {fmt_ms(total)} |")
    print(f"\nMedia from the object store (median of {TTFB_SAMPLES} GETs, curl):\n")
    print("| object | size | time to first byte | total |")
    print("|---|---:|---:|---:|")
    for kind, url, size, first, total in media:
        print(f"| {kind} ({url.rsplit('/', 1)[-1]}) | {size / 1024:.0f} KiB | {fmt_ms(first)} "
              f"| {fmt_ms(total)} |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; everything started was stopped", file=sys.stderr)
        sys.exit(130)

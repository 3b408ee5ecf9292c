"""Lighthouse scores (mobile) of the home page and an article, and what keeps each below 100.

Run from the repository root (needs Node 20 + npm and Debian's chromium: `apt-get install
chromium`):

    .venv/bin/python benchmarks/lighthouse.py                      # a throwaway demo portal
    .venv/bin/python benchmarks/lighthouse.py --url http://127.0.0.1:5000/

Without --url it starts the stack of benchmarks/stack.py with the demo content only and serves
the portal with gunicorn.conf.py; with --url it measures that running portal, taking the first
article linked from its home page. Lighthouse 12.2.3 (benchmarks/package.json; 13 wants Node 22)
is installed into benchmarks/node_modules with `npm ci` when missing. The JSON reports are saved
in benchmarks/out/. It prints a table of the performance, accessibility, best-practices and SEO
scores (×100), then each page's failing audits (score below 1, with a weight in a category).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import VENV_BIN, Stack, log  # noqa: E402

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
OUT = HERE / "out"
CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Root runs Chromium without its sandbox; no GPU here. Chromium must not reach for Google's
# services from this closed network (chrome-launcher's defaults mostly cover it).
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


def install_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is missing (apt-get install npm)")
    log("installing lighthouse into benchmarks/node_modules (npm ci)…")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)


def first_article_url(home: str) -> str:
    """The first /bai-viet/… link on the home page, as an absolute URL."""
    with urllib.request.urlopen(home, timeout=60) as response:
        html = response.read().decode("utf-8", errors="replace")
    match = re.search(r'href="([^"]*/bai-viet/[^"#?]+)"', html)
    if not match:
        raise RuntimeError(f"no article linked from {home}")
    return urljoin(home, match.group(1))


def run_lighthouse(url: str, name: str) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    report = OUT / f"{name}.json"
    cmd = [str(LIGHTHOUSE), url, f"--chrome-path={CHROME}", f"--chrome-flags={CHROME_FLAGS}",
           "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}",
           "--output=json", f"--output-path={report}", "--quiet"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url} ({result.returncode}):\n"
                           f"{result.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {data['runtimeError']}")
    return data


def score(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}"


def first_node(audit: dict[str, Any]) -> str:
    """The HTML of the first element an audit names (accessibility audits do), shortened."""
    for item in (audit.get("details") or {}).get("items") or []:
        snippet = ((item.get("node") or {}).get("snippet") or "").strip()
        if snippet:
            return snippet if len(snippet) <= 100 else snippet[:99] + "…"
    return ""


def failing_audits(report: dict[str, Any], weighted: bool) -> list[str]:
    """'category: audit title (score…)' for the audits of the four categories not passed.

    weighted: those that lower a score; otherwise those Lighthouse lists without counting
    them (performance opportunities such as text compression, experimental checks).
    """
    lines = []
    for cat_id in CATEGORIES:
        category = report["categories"].get(cat_id)
        if not category:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if (ref["weight"] > 0) != weighted or audit.get("score") is None:
                continue
            if audit["score"] < 1:
                details = [f"score {score(audit['score'])}"]
                if audit.get("displayValue"):
                    details.append(audit["displayValue"])
                if weighted:
                    details.append(f"weight {ref['weight']}")
                example = first_node(audit)
                if example:
                    details.append(f"e.g. {example}")
                lines.append(f"{category['title']}: {audit['title']} ({'; '.join(details)})")
    return lines


def measure(home: str, article: str) -> None:
    reports = {}
    for name, url in (("home", home), ("article", article)):
        log(f"lighthouse {name}: {url}")
        reports[name] = (url, run_lighthouse(url, name))
    version = next(iter(reports.values()))[1].get("lighthouseVersion", "?")
    print(f"# Lighthouse {version}, mobile profile, {CHROME}\n")
    print("| page | performance | accessibility | best practices | SEO |")
    print("|---|---:|---:|---:|---:|")
    for name, (_, report) in reports.items():
        cats = report["categories"]
        print(f"| {name} | " + " | ".join(score(cats.get(c, {}).get("score"))
                                          for c in CATEGORIES) + " |")
    for name, (url, report) in reports.items():
        print(f"\n## {name}: {url}\n")
        failing = failing_audits(report, weighted=True)
        print("\n".join(f"- {line}" for line in failing) or "- every weighted audit passes")
        uncounted = failing_audits(report, weighted=False)
        if uncounted:
            print("\nNot passed but not in the scores (weight 0):")
            print("\n".join(f"- {line}" for line in uncounted))
    print(f"\nJSON reports: {', '.join(str(OUT / f'{n}.json') for n in reports)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="home page of a running portal (default: start one)")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres",
                        help="database of the portal started without --url")
    args = parser.parse_args(argv)
    if not Path(CHROME).exists():
        print(f"{CHROME} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    install_lighthouse()
    if args.url:
        measure(args.url, first_article_url(args.url))
        return 0
    with Stack(articles=0, db=args.db) as stack:
        # The worker's image queue makes the responsive covers readers' phones get.
        stack._run([str(VENV_BIN / "python"), "-m", "workers", "--burst", "--queues", "images"])
        stack.start_web("portal", "app:create_app()")
        measure(stack.url("portal", "/"), stack.url("portal", f"/bai-viet/{stack.seed['article']}"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; everything started was stopped", file=sys.stderr)
        sys.exit(130)

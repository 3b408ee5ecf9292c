"""A real browser on a real server: headless Debian Chromium driven by Playwright, against the
portal served from a thread on the test's own database, Redis and SeaweedFS.

Screenshots go to test-artifacts/browser/ (kept by CI as artifacts)."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.media import lifecycle
from app.models import MediaStatus
from config import BASE_DIR
from media_pipeline.samples import make_video

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = BASE_DIR / "test-artifacts" / "browser"
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app):
    """The portal on a free local port, serving the test's app (and its database)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--autoplay-policy=no-user-gesture-required"])
        yield chromium
        chromium.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot as a test artifact; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_until(page, predicate: str, timeout: float = 20_000) -> None:
    """Poll `predicate` (a JS function of no arguments) until it returns true. Playwright's own
    wait_for_function compiles its predicate with eval, which the portal's
    Content-Security-Policy refuses — as it would refuse an attacker's."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout / 1000:.0f} s: {predicate}")
        time.sleep(0.1)


def watch_csp(page) -> list[str]:
    """The Content-Security-Policy violations the page reports from now on (the browser logs
    each one to the console): an inline script or style, a source not allowed."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return violations


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. (axe is evaluated through
    the DevTools protocol: a <script> tag of inline code would be refused by the CSP.)"""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return list(result)


def save_report(name: str, data: object) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2))


def publish_with_media(make_article, run_worker, tmp_path: Path, title: str, seconds: int,
                       **fields):
    """A published article whose narration and uploaded video (`seconds` long) are ready."""
    article = make_article(title, **fields)
    clip = make_video(tmp_path / "phong-su.mp4", seconds, (640, 360))
    with clip.open("rb") as fh:
        lifecycle.attach_video(article, fh, "phong-su.mp4")
    run_worker()
    assert article.asset("audio").status is MediaStatus.ready
    assert article.asset("video").status is MediaStatus.ready, article.asset("video").error
    db.session.commit()
    return article

"""Screenshot pages in headless Debian Chromium: scripts/screenshot.py URL OUT.png [WIDTHxHEIGHT]"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1280x900").split("x"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url, wait_until="networkidle")
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()

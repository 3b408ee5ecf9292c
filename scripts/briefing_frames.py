"""Frames of two briefing videos, to look at: a demo article with its cover and body pictures,
and one with no picture at all. Narrated by espeak-ng, rendered by media_pipeline.briefing as
the worker does, frames taken at 0 s, 25 %, 50 % and 90 % of each.

    .venv/bin/python scripts/briefing_frames.py [--out test-artifacts/briefing] [--portrait]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from app.demo import BODY_PICTURES, DEMO_FILE, cover_image  # noqa: E402
from config import Config  # noqa: E402
from media_pipeline import briefing, narration  # noqa: E402
from media_pipeline.text import article_pictures  # noqa: E402
from media_pipeline.tts import EspeakEngine  # noqa: E402

MOMENTS = (0, 25, 50, 90)


def frames(video: Path, duration: float, out: Path, name: str) -> list[Path]:
    shots = []
    for pct in MOMENTS:
        at = 0.5 if pct == 0 else duration * pct / 100
        shot = out / f"{name}-{pct:02d}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{at:.2f}", "-i", str(video),
                        "-frames:v", "1", str(shot)], check=True)
        shots.append(shot)
    return shots


def contact_sheet(shots: list[Path], target: Path) -> None:
    images = [Image.open(s) for s in shots]
    w, h = images[0].width // 2, images[0].height // 2
    cols = 4 if h > w else 2
    sheet = Image.new("RGB", (w * cols, h * (len(images) // cols)), "white")
    for n, img in enumerate(images):
        sheet.paste(img.resize((w, h)), ((n % cols) * w, (n // cols) * h))
    sheet.save(target)


def make(item: dict, index: int, with_pictures: bool, size: tuple[int, int], work: Path,
         out: Path, name: str) -> None:
    body = item["body_html"]
    pictures: list[briefing.Picture] = []
    cover = None
    if with_pictures:
        paragraphs = [f"{p}</p>" for p in body.split("</p>") if p.strip()]
        placed = sorted((p for p in BODY_PICTURES if p[0] == index), key=lambda p: -p[1])
        for n, (_, after, caption, look) in enumerate(placed):
            path = work / f"{name}-body-{n}.jpg"
            cover_image(caption, look, (1200, 800)).save(path, quality=88)
            paragraphs.insert(after, f'<figure><img src="{path}"><figcaption>{caption}'
                                     "</figcaption></figure>")
        body = "".join(paragraphs)
        files = {str(p): p for p in work.glob(f"{name}-body-*.jpg")}
        pictures = [briefing.Picture(files[p.src], p.caption, p.block)
                    for p in article_pictures(item["title"], item["lede"], body)]
        cover_path = work / f"{name}-cover.jpg"
        cover_image(item["title"], index).save(cover_path, quality=88)
        cover = briefing.Picture(cover_path, item.get("cover_caption", ""), 0)
    script = narration.build_script(item["title"], item["lede"], body)
    (work / name).mkdir()
    spoken = narration.narrate(script, [EspeakEngine()], work / name)
    sentences = json.loads(spoken.timings.read_text("utf-8"))["sentences"]
    story = briefing.Story(item["title"], item["category"], "Chủ nhật, 06/12/2026",
                           Config.SITE_NAME, Path(Config.SITE_EMBLEM))
    (work / f"{name}-render").mkdir()
    video = briefing.render(story, cover, pictures, spoken.mp3, spoken.duration,
                            work / f"{name}-render", sentences, size, burn_subtitles=True)
    shots = frames(video, spoken.duration, out, name)
    contact_sheet(shots, out / f"{name}-sheet.png")
    print(f"{name}: {spoken.duration:.1f} s, {len(pictures)} body pictures"
          f"{' and a cover' if cover else ''} → {out / (name + '-sheet.png')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "briefing")
    parser.add_argument("--portrait", action="store_true", help="9:16 instead of 16:9")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    items = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    size = briefing.PORTRAIT if args.portrait else briefing.LANDSCAPE
    suffix = "-9x16" if args.portrait else ""
    with tempfile.TemporaryDirectory() as tmp:
        make(items[2], 2, True, size, Path(tmp), args.out, f"with-pictures{suffix}")
        make(items[3], 3, False, size, Path(tmp), args.out, f"no-picture{suffix}")


if __name__ == "__main__":
    main()

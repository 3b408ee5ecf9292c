"""Draw the podcast cover once: scripts/make_podcast_cover.py [OUT.png]

A 1400×1400 RGB PNG (the smallest square Apple Podcasts accepts), red with gold, reading
"Đọc · Nghe · Xem". The result is committed as static/img/podcast-cover.png; run this again
only to change the design.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 1400
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
RED, RED_DARK, GOLD, CREAM = (165, 28, 36), (125, 20, 26), (255, 213, 74), (255, 230, 199)
TITLE = "Đọc · Nghe · Xem"
OUT = Path(__file__).resolve().parent.parent / "static/img/podcast-cover.png"


def centered(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int]) -> None:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)
    draw.text(((SIZE - (right - left)) / 2 - left, y), text, font=font, fill=fill)


def draw_cover() -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, SIZE - 260, SIZE, SIZE), fill=RED_DARK)
    draw.rectangle((60, 60, SIZE - 60, SIZE - 60), outline=GOLD, width=14)
    # A gold star, as in the site's masthead.
    centered(draw, 260, "★", ImageFont.truetype(FONT, 340), GOLD)
    # The three forms on one line, as large as fits inside the frame.
    size = 160
    while draw.textlength(TITLE, font=ImageFont.truetype(FONT, size)) > SIZE - 260:
        size -= 2
    centered(draw, 720, TITLE, ImageFont.truetype(FONT, size), CREAM)
    draw.rectangle((SIZE / 2 - 120, 990, SIZE / 2 + 120, 1002), fill=GOLD)
    centered(draw, SIZE - 200, "PODCAST", ImageFont.truetype(FONT, 96), GOLD)
    return image


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    draw_cover().save(out, "PNG", optimize=True)
    print(out)


if __name__ == "__main__":
    main()

"""Still pictures for generated video: a title card and a cover fitted to the frame."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]
RED, GOLD = (165, 28, 36), (255, 213, 74)


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def fit_cover(cover: Path | None, size: tuple[int, int], scale: float = 1.0) -> Image.Image:
    """The cover cropped to fill `size` × `scale`; a plain red gradient when there is none."""
    w, h = int(size[0] * scale), int(size[1] * scale)
    if cover is not None:
        with Image.open(cover) as opened:
            return ImageOps.fit(opened.convert("RGB"), (w, h), Image.Resampling.LANCZOS)
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=(int(165 - 80 * t), int(28 + 20 * t), int(36 + 30 * t)))
    return img


def title_card(title: str, cover: Path | None, size: tuple[int, int], label: str,
               target: Path) -> Path:
    """The opening card: the cover darkened and blurred, the title over it, the site label."""
    w, h = size
    img = fit_cover(cover, size).filter(ImageFilter.GaussianBlur(6))
    shade = Image.new("RGB", size, (20, 10, 10))
    img = Image.blend(img, shade, 0.55)
    draw = ImageDraw.Draw(img)
    portrait = h > w
    title_font = font(int(min(w, h) * (0.075 if portrait else 0.065)))
    wrap = 18 if portrait else 32
    lines = textwrap.wrap(title, wrap)[:6]
    line_h = int(title_font.size * 1.3) if hasattr(title_font, "size") else 40
    y = (h - line_h * len(lines)) // 2
    margin = int(w * 0.07)
    draw.rectangle([margin, y - int(line_h * 0.9), margin + int(w * 0.12), y - int(line_h * 0.75)],
                   fill=GOLD)
    for line in lines:
        draw.text((margin, y), line, font=title_font, fill=(255, 255, 255))
        y += line_h
    draw.text((margin, h - int(h * 0.1)), label, font=font(int(min(w, h) * 0.035)), fill=GOLD)
    img.save(target, quality=92)
    return target


def still_frame(cover: Path | None, title: str, size: tuple[int, int], target: Path) -> Path:
    """A single frame for an audio-only upload: its article's cover, or a title card."""
    if cover is not None:
        fit_cover(cover, size).save(target, quality=92)
        return target
    return title_card(title, None, size, "ĐỌC · NGHE · XEM", target)

"""Still pictures for generated video, drawn with Pillow: the title card, the plain card, the
caption that goes with a picture, the subtitle band and the portal's corner mark.

Everything is laid out on one grid (`Layout`) so that no two texts ever meet: the subtitle
band is the bottom strip of the frame and nothing else is drawn there; captions and cards keep
above it; the corner mark keeps to the top right.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
RED, DARK_RED, GOLD, CREAM = (165, 28, 36), (92, 12, 20), (255, 213, 74), (255, 240, 214)
BAND = (14, 10, 12, 224)  # the subtitle band: near-black, a little of the picture shows through

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def font(size: int, bold: bool = True) -> Font:
    for path in (BOLD, REGULAR) if bold else (REGULAR, BOLD):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class Layout:
    """Where things go in a frame of `size` (16:9 or 9:16)."""

    size: tuple[int, int]

    @property
    def portrait(self) -> bool:
        return self.size[1] > self.size[0]

    @property
    def unit(self) -> float:
        """1 at 720 px on the short side: sizes below are given for 1280×720 (or 720×1280)."""
        return min(self.size) / 720

    def px(self, n: float) -> int:
        return max(1, round(n * self.unit))

    @property
    def margin(self) -> int:
        return self.px(56 if not self.portrait else 40)

    @property
    def band_height(self) -> int:
        return self.px(132 if not self.portrait else 176)

    @property
    def band_top(self) -> int:
        # On a phone the band sits a little above the bottom, clear of a player's controls.
        return self.size[1] - self.band_height - (self.px(96) if self.portrait else 0)

    @property
    def picture_box(self) -> tuple[int, int, int, int]:
        """x, y, width, height of a picture: the whole frame in 16:9; a 4:3 panel under the
        heading in 9:16."""
        w, h = self.size
        if not self.portrait:
            return 0, 0, w, h
        return 0, self.px(330), w, w * 3 // 4

    @property
    def subtitle_font_size(self) -> int:
        return self.px(32 if not self.portrait else 30)

    @property
    def subtitle_width(self) -> int:
        return self.size[0] - 2 * self.margin


def _pieces(word: str, face: Font, width: int) -> list[str]:
    """A word wider than `width` (a web address, a long number) cut into pieces that fit."""
    pieces = [""]
    for ch in word:
        if pieces[-1] and face.getlength(pieces[-1] + ch) > width:
            pieces.append("")
        pieces[-1] += ch
    return pieces


def wrap(text: str, face: Font, width: int) -> list[str]:
    """`text` broken into lines no wider than `width` pixels (a word wider than a line is cut
    where it reaches the edge)."""
    lines: list[str] = []
    for long_word in text.split():
        for word in _pieces(long_word, face, width):
            if lines and face.getlength(f"{lines[-1]} {word}") <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
    return lines


def fit_text(text: str, sizes: tuple[int, ...], width: int, max_lines: int,
             bold: bool = True) -> tuple[Font, list[str]]:
    """The largest of `sizes` at which `text` fits in `max_lines`; at the smallest, what does
    not fit ends in an ellipsis."""
    for size in sizes:
        face = font(size, bold)
        lines = wrap(text, face, width)
        if len(lines) <= max_lines:
            return face, lines
    kept = lines[:max_lines]
    while kept and face.getlength(kept[-1] + " …") > width and len(kept[-1]) > 1:
        kept[-1] = kept[-1].rsplit(" ", 1)[0] if " " in kept[-1] else kept[-1][:-1]
    if kept:
        kept[-1] += " …"
    return face, kept


def line_height(face: Font) -> int:
    return round(getattr(face, "size", 20) * 1.28)


def fit_picture(path: Path | None, size: tuple[int, int]) -> Image.Image | None:
    """The picture at `path` cropped to fill `size`; None when there is no picture."""
    if path is None:
        return None
    with Image.open(path) as opened:
        return ImageOps.fit(opened.convert("RGB"), size, Image.Resampling.LANCZOS)


def _background(layout: Layout, top: tuple[int, int, int], bottom: tuple[int, int, int]
                ) -> Image.Image:
    w, h = layout.size
    img = Image.new("RGB", layout.size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (w, y)], fill=colour)
    return img


def _label(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, layout: Layout) -> int:
    """The section's name in a gold tab; returns the x where the tab ends."""
    face = font(layout.px(22))
    pad_x, pad_y = layout.px(14), layout.px(7)
    x, y = xy
    width = int(face.getlength(text))
    draw.rounded_rectangle([x, y, x + width + 2 * pad_x, y + line_height(face) + 2 * pad_y],
                           radius=layout.px(4), fill=GOLD)
    draw.text((x + pad_x, y + pad_y), text, font=face, fill=DARK_RED)
    return x + width + 2 * pad_x


def _emblem(emblem: Path | None, side: int) -> Image.Image | None:
    if emblem is None or not emblem.exists():
        return None
    with Image.open(emblem) as opened:
        return ImageOps.contain(opened.convert("RGBA"), (side, side), Image.Resampling.LANCZOS)


def corner_mark(site: str, emblem: Path | None, layout: Layout) -> Image.Image:
    """The portal's emblem and name, small, on a dark chip: the corner mark (RGBA)."""
    face = font(layout.px(17))
    side = layout.px(40)
    mark = _emblem(emblem, side)
    pad = layout.px(10)
    name_w = int(face.getlength(site))
    width = pad + (side + pad if mark else 0) + name_w + pad
    height = side + 2 * pad
    chip = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(chip)
    draw.rounded_rectangle([0, 0, width - 1, height - 1], radius=layout.px(8),
                           fill=(10, 6, 8, 150))
    x = pad
    if mark is not None:
        chip.alpha_composite(mark, (x + (side - mark.width) // 2, pad + (side - mark.height) // 2))
        x += side + pad
    draw.text((x, (height - line_height(face)) // 2 + layout.px(2)), site, font=face,
              fill=(255, 255, 255, 255))
    return chip


def corner_position(chip: Image.Image, layout: Layout) -> tuple[int, int]:
    return layout.size[0] - chip.width - layout.px(24), layout.px(24)


def band(layout: Layout) -> Image.Image:
    """The subtitle band (RGBA), the frame's width and the band's height."""
    return Image.new("RGBA", (layout.size[0], layout.band_height), BAND)


def title_card(title: str, section: str, date: str, layout: Layout, target: Path) -> Path:
    """The opening card: section and date, then the title, on the portal's colours. No
    picture behind the title: a cover that carries its own words would show through."""
    w, _ = layout.size
    img = _background(layout, RED, DARK_RED)
    draw = ImageDraw.Draw(img)
    m = layout.margin
    top = layout.px(112 if not layout.portrait else 150)
    x = _label(draw, (m, top), section.upper(), layout) if section else m
    if date:
        face = font(layout.px(22), bold=False)
        draw.text((x + (layout.px(18) if section else 0), top + layout.px(7)), date, font=face,
                  fill=CREAM)
    title_face, lines = fit_text(
        title, tuple(layout.px(n) for n in (54, 48, 42, 36)), w - 2 * m,
        4 if not layout.portrait else 7)
    lh = line_height(title_face)
    area_top = top + layout.px(70)
    area_bottom = layout.band_top - layout.px(36)
    y = max(area_top, area_top + (area_bottom - area_top - lh * len(lines)) // 2)
    draw.rectangle([m, y - layout.px(26), m + layout.px(96), y - layout.px(20)], fill=GOLD)
    for line in lines:
        draw.text((m, y), line, font=title_face, fill=(255, 255, 255))
        y += lh
    img.save(target, quality=92)
    return target


def plain_card(title: str, section: str, emblem: Path | None, layout: Layout,
               target: Path) -> Path:
    """What is shown while no picture goes with the words: the story's section and title
    on a quiet background, the emblem faint behind. No caption: there is no photo."""
    w, h = layout.size
    img = _background(layout, (58, 16, 22), (24, 10, 14))
    mark = _emblem(emblem, layout.px(420))
    if mark is not None:
        faint = mark.copy()
        faint.putalpha(faint.getchannel("A").point(lambda a: a * 14 // 100))
        canvas = img.convert("RGBA")
        canvas.alpha_composite(faint, (w - faint.width - layout.px(40),
                                       (layout.band_top - faint.height) // 2 + layout.px(30)))
        img = canvas.convert("RGB")
    draw = ImageDraw.Draw(img)
    m = layout.margin
    top = layout.px(112 if not layout.portrait else 150)
    if section:
        _label(draw, (m, top), section.upper(), layout)
    title_face, lines = fit_text(title, (layout.px(40), layout.px(34)),
                                 int((w - 2 * m) * (0.72 if not layout.portrait else 1)), 4)
    y = top + layout.px(76)
    for line in lines:
        draw.text((m, y), line, font=title_face, fill=CREAM)
        y += line_height(title_face)
    draw.rectangle([m, y + layout.px(18), m + layout.px(96), y + layout.px(24)], fill=GOLD)
    img.save(target, quality=92)
    return target


def caption_box(caption: str, layout: Layout) -> Image.Image:
    """A picture's caption (RGBA): white words on a dark box with a gold edge, two lines at
    most. Placed by `caption_position`, above the band."""
    face, lines = fit_text(caption, (layout.px(22), layout.px(19)),
                           layout.size[0] - 2 * layout.margin - layout.px(40), 2, bold=False)
    lh = line_height(face)
    pad = layout.px(12)
    bar = layout.px(6)
    width = bar + pad + max(int(face.getlength(line)) for line in lines) + pad
    box = Image.new("RGBA", (width, lh * len(lines) + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(box)
    draw.rectangle([0, 0, box.width - 1, box.height - 1], fill=(10, 6, 8, 190))
    draw.rectangle([0, 0, bar - 1, box.height - 1], fill=GOLD)
    for n, line in enumerate(lines):
        draw.text((bar + pad, pad + n * lh), line, font=face, fill=(255, 255, 255))
    return box


def caption_position(box: Image.Image, layout: Layout) -> tuple[int, int]:
    if layout.portrait:  # under the picture panel
        _, y, _, h = layout.picture_box
        return layout.margin, y + h + layout.px(20)
    return layout.margin, layout.band_top - box.height - layout.px(18)


def picture_backdrop(title: str, section: str, caption: str, layout: Layout,
                     target: Path) -> Path:
    """9:16 only: the frame a picture panel is set into (section, title, caption)."""
    w, _ = layout.size
    img = _background(layout, (58, 16, 22), (24, 10, 14))
    draw = ImageDraw.Draw(img)
    m = layout.margin
    top = layout.px(120)
    if section:
        _label(draw, (m, top), section.upper(), layout)
    face, lines = fit_text(title, (layout.px(28),), w - 2 * m, 3)
    y = top + layout.px(64)
    for line in lines:
        draw.text((m, y), line, font=face, fill=CREAM)
        y += line_height(face)
    if caption:
        box = caption_box(caption, layout)
        canvas = img.convert("RGBA")
        canvas.alpha_composite(box, caption_position(box, layout))
        img = canvas.convert("RGB")
    img.save(target, quality=92)
    return target


def still_frame(cover: Path | None, title: str, size: tuple[int, int], target: Path) -> Path:
    """A single frame for an audio-only upload: its article's cover, or a title card."""
    picture = fit_picture(cover, size)
    if picture is not None:
        picture.save(target, quality=92)
        return target
    return title_card(title, "", "", Layout(size), target)

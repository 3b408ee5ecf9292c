"""Responsive variants of a still picture (article covers): smaller widths, lighter formats.

Pure: bytes in, bytes out. The worker stores the results; the pages list them in `srcset`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

from .errors import InvalidMediaError

# Phones (1x–2x), tablets and the desktop article column (680 CSS px, ~1200 at 2x).
WIDTHS = (480, 800, 1200)
JPEG_QUALITY = 80
WEBP_QUALITY = 75
EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}


@dataclass(frozen=True)
class ImageVariant:
    width: int
    height: int
    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


# Above this many pixels a picture is refused before it is decoded: a PNG of a few hundred KB
# can unpack to gigabytes (a "decompression bomb"). Callers pass their configured limit.
MAX_PIXELS = 40_000_000
# The formats an upload may be: what browsers show. (Pillow reads dozens more, each one more
# decoder an attacker can aim at.)
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


class ImageTooLarge(InvalidMediaError):
    """A picture with more pixels than allowed; refused from its header alone."""


def open_upload(fileobj: IO[bytes], max_pixels: int = MAX_PIXELS) -> Image.Image:
    """An uploaded picture, decoded only once its header says it is a JPEG, PNG, WebP or GIF
    of at most `max_pixels` pixels. InvalidMediaError (ImageTooLarge) says what is wrong."""
    try:
        image: Image.Image = Image.open(fileobj, formats=UPLOAD_FORMATS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise InvalidMediaError("Tệp không phải ảnh hợp lệ (JPEG, PNG, WebP).", str(exc)) \
            from None
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(f"Ảnh quá lớn: {width}×{height} điểm ảnh (tối đa "
                            f"{max_pixels / 1e6:.0f} triệu điểm ảnh).")
    try:
        image.load()
    except (OSError, Image.DecompressionBombError, ValueError, SyntaxError) as exc:
        raise InvalidMediaError("Tệp ảnh bị hỏng.", str(exc)) from None
    return image


def webp_supported() -> bool:
    return bool(features.check("webp"))


def open_image(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode (checked as open_upload), turned upright (EXIF orientation), in sRGB, plain RGB."""
    try:
        image = open_upload(io.BytesIO(data), max_pixels)
    except ImageTooLarge:
        raise
    except InvalidMediaError as exc:
        raise InvalidMediaError("Tệp ảnh bìa bị hỏng hoặc không phải ảnh.", exc.detail) from None
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:  # browsers assume sRGB for untagged pictures: bake the profile in
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB") or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are beat no picture
    return flatten(image)


def flatten(image: Image.Image) -> Image.Image:
    """Plain RGB; transparent parts on the page's white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def web_jpeg(image: Image.Image, max_width: int, quality: int) -> tuple[bytes, int, int]:
    """A progressive JPEG at most `max_width` wide (never enlarged): (bytes, width, height)."""
    image = flatten(image)
    if image.width > max_width:
        image.thumbnail((max_width, max_width * 10))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
    return buf.getvalue(), image.width, image.height


def target_widths(source_width: int, widths: tuple[int, ...] = WIDTHS) -> list[int]:
    """The widths to make: never wider than the source (a narrow source gives itself)."""
    chosen = [w for w in widths if w <= source_width]
    if source_width < max(widths) and source_width not in chosen:
        chosen.append(source_width)
    return chosen


def _encode(image: Image.Image, content_type: str) -> bytes:
    buf = io.BytesIO()
    if content_type == "image/webp":
        image.save(buf, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buf.getvalue()


def make_variants(data: bytes, widths: tuple[int, ...] = WIDTHS,
                  webp: bool | None = None) -> list[ImageVariant]:
    """Each target width as JPEG (and WebP when Pillow has it), aspect kept, no metadata.

    Raises InvalidMediaError when `data` is not a picture.
    """
    source = open_image(data)
    formats = ["image/jpeg"]
    if webp_supported() if webp is None else webp:
        formats.append("image/webp")
    variants = []
    for width in target_widths(source.width, widths):
        height = max(1, round(source.height * width / source.width))
        resized = source if width == source.width else source.resize(
            (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized.info.clear()  # no EXIF, GPS, comments or profile in what readers download
        variants += [ImageVariant(width, height, _encode(resized, ct), ct) for ct in formats]
    return variants

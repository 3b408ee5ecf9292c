import io

import pytest
from PIL import Image, ImageCms

from media_pipeline.errors import InvalidMediaError
from media_pipeline.images import make_variants


def picture(size=(1600, 900), fmt="JPEG", **save) -> bytes:
    image = Image.new("RGB", size, (200, 30, 40))
    image.paste((20, 80, 140), (0, 0, size[0] // 2, size[1]))  # something to resize
    buf = io.BytesIO()
    image.save(buf, fmt, **save)
    return buf.getvalue()


def decoded(variant) -> Image.Image:
    image = Image.open(io.BytesIO(variant.data))
    image.load()
    return image


def test_a_wide_cover_gets_three_widths_in_jpeg_and_webp_with_its_aspect():
    variants = make_variants(picture((1600, 900)), webp=True)
    assert [(v.width, v.height, v.content_type) for v in variants] == [
        (480, 270, "image/jpeg"), (480, 270, "image/webp"),
        (800, 450, "image/jpeg"), (800, 450, "image/webp"),
        (1200, 675, "image/jpeg"), (1200, 675, "image/webp")]
    for v in variants:
        image = decoded(v)
        assert image.format == {"image/jpeg": "JPEG", "image/webp": "WEBP"}[v.content_type]
        assert image.size == (v.width, v.height) and image.mode == "RGB"
    small_jpeg, small_webp = variants[0], variants[1]
    assert len(small_webp.data) < len(small_jpeg.data) < len(variants[4].data)
    assert decoded(variants[4]).info.get("progressive") == 1


def test_a_narrow_picture_is_never_enlarged():
    variants = make_variants(picture((640, 480), "PNG"), webp=False)
    assert [(v.width, v.height) for v in variants] == [(480, 360), (640, 480)]
    assert {v.content_type for v in variants} == {"image/jpeg"}
    tiny = make_variants(picture((300, 200)), webp=False)
    assert [(v.width, v.height) for v in tiny] == [(300, 200)]


def test_camera_metadata_is_stripped_and_the_photo_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    exif[0x010F] = "Máy ảnh của phóng viên"  # Make
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = picture((900, 1600), exif=exif.tobytes(), icc_profile=srgb)
    assert Image.open(io.BytesIO(data)).getexif()[0x010F]  # (the input does carry them)
    variants = make_variants(data, webp=True)
    assert {(v.width, v.height) for v in variants} == {(480, 270), (800, 450), (1200, 675)}
    for v in variants:
        image = decoded(v)
        assert dict(image.getexif()) == {}
        assert "icc_profile" not in image.info and "exif" not in image.info


def test_a_transparent_png_is_flattened_on_white_not_black():
    image = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    jpeg = make_variants(buf.getvalue(), webp=False)[0]
    assert decoded(jpeg).getpixel((10, 10)) >= (250, 250, 250)


@pytest.mark.parametrize("data", [b"", b"not a picture", picture()[:200]])
def test_a_corrupt_file_raises_a_vietnamese_media_error(data):
    with pytest.raises(InvalidMediaError) as caught:
        make_variants(data)
    assert caught.value.reason == "Tệp ảnh bìa bị hỏng hoặc không phải ảnh."

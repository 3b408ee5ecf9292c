"""The home page's banner slot, run by admins (its label, "Thông tin tuyên truyền" by default,
is a site setting: tests/app/views/test_site_settings.py)."""

import io
import re
from datetime import date, timedelta

import requests
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Banner, Role
from tests.conftest import csrf_token


def png(width=1600, height=400) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 40, 255)).save(buf, "PNG")
    return buf.getvalue()


def create(client, image: bytes | None = None, **fields):
    form = {"csrf_token": csrf_token(client, "/bien-tap/quang-cao"),
            "title": "Tuần lễ du lịch Hòa An", "alt_text": "Tuần lễ du lịch Hòa An 2026",
            "link_url": "https://dulich.hoaan.gov.vn/tuan-le", "position": "1", "active": "on",
            "image": (io.BytesIO(png() if image is None else image), "banner.png")}
    form.update(fields)
    return client.post("/bien-tap/quang-cao", data=form, content_type="multipart/form-data")


def banner_slot(client) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<aside class="banner-slot" aria-label="[^"]*">.*?</aside>', page,
                      re.S)
    return match.group(0) if match else ""


def test_an_admin_places_a_banner_shown_on_the_home_page(login, client, store):
    admin = login("quantri", role=Role.admin)
    response = create(admin)
    assert response.status_code == 303
    banner = db.session.scalar(select(Banner))
    assert re.fullmatch(r"images/banners/[0-9a-f]{16}-1200x300\.jpg", banner.image_key)
    slot = banner_slot(client)
    assert ">Thông tin tuyên truyền</p>" in slot
    assert 'href="https://dulich.hoaan.gov.vn/tuan-le" rel="sponsored noopener"' in slot
    assert 'alt="Tuần lễ du lịch Hòa An 2026"' in slot and 'loading="lazy"' in slot
    assert 'width="1200" height="300"' in slot
    src = re.search(r'<img src="([^"]+)"', slot).group(1)
    assert src == store.url(banner.image_key)
    image = requests.get(src, timeout=10)  # straight from SeaweedFS, no signature
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (1200, 300)


def test_a_site_path_link_is_not_marked_sponsored_and_edits_keep_the_image(login, client):
    admin = login("quantri", role=Role.admin)
    create(admin, link_url="/trang/lien-he")
    banner = db.session.scalar(select(Banner))
    key = banner.image_key
    response = admin.post(f"/bien-tap/quang-cao/{banner.id}", data={
        "csrf_token": csrf_token(admin, f"/bien-tap/quang-cao/{banner.id}"),
        "title": "Liên hệ", "alt_text": "Liên hệ Ban Biên tập", "link_url": "/trang/lien-he",
        "position": "2", "active": "on"}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    assert banner.image_key == key and banner.alt_text == "Liên hệ Ban Biên tập"
    slot = banner_slot(client)
    assert '<a href="/trang/lien-he"><img' in slot and "sponsored" not in slot


def test_inactive_expired_and_future_banners_are_not_shown(login, client):
    admin = login("quantri", role=Role.admin)
    today = date.today()
    create(admin, title="Tắt", active="")
    create(admin, title="Hết hạn", ends_on=(today - timedelta(days=3)).isoformat())
    create(admin, title="Sắp tới", starts_on=(today + timedelta(days=3)).isoformat())
    assert db.session.scalar(select(func.count(Banner.id))) == 3
    assert banner_slot(client) == ""
    assert "banner-slot" not in client.get("/").get_data(as_text=True)


def test_a_javascript_link_and_a_non_image_are_refused(login, client):
    admin = login("quantri", role=Role.admin)
    for link in ("javascript:alert(1)", "JavaScript:alert(1)", "//evil.example/x"):
        response = create(admin, link_url=link)
        assert response.status_code == 422
        assert "Liên kết phải bắt đầu bằng" in response.get_data(as_text=True)
    not_image = create(admin, image=b"%PDF-1.4 this is not an image")
    page = not_image.get_data(as_text=True)
    assert not_image.status_code == 422 and "không phải ảnh hợp lệ" in page
    assert 'value="Tuần lễ du lịch Hòa An"' in page  # the typed values are kept
    no_alt = create(admin, alt_text=" ")
    assert no_alt.status_code == 422
    assert db.session.scalar(select(func.count(Banner.id))) == 0


def test_deleting_a_banner_removes_it_and_its_image(login, client, store):
    admin = login("quantri", role=Role.admin)
    create(admin)
    banner = db.session.scalar(select(Banner))
    key = banner.image_key
    response = admin.post(f"/bien-tap/quang-cao/{banner.id}/xoa",
                          data={"csrf_token": csrf_token(admin, "/bien-tap/quang-cao")})
    assert response.status_code == 303
    assert db.session.scalar(select(Banner)) is None and not store.exists(key)
    assert banner_slot(client) == ""


def test_editors_cannot_manage_banners(login, client):
    editor = login("bientap", role=Role.editor)
    assert editor.get("/bien-tap/quang-cao").status_code == 403
    token = csrf_token(editor, "/bien-tap/binh-luan")
    response = editor.post("/bien-tap/quang-cao", data={
        "csrf_token": token, "title": "x", "alt_text": "x",
        "image": (io.BytesIO(png()), "b.png")}, content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.session.scalar(select(Banner)) is None

"""The portal's identity page (/bien-tap/thiet-lap), run by admins: what it changes on the
pages readers see (masthead, footer, RSS, podcast, JSON-LD, the banner slot), at once even
through the page cache, and what it refuses."""

from __future__ import annotations

import io
import json
import re

import feedparser
import pytest
import requests
from PIL import Image
from sqlalchemy import event, insert, select

from app.extensions import db
from app.models import AuditEntry, Banner, Role, SiteSetting
from app.services import site
from tests.conftest import csrf_token

URL = "/bien-tap/thiet-lap"
HOA_AN = {
    "name": "Cổng thông tin điện tử Tỉnh ủy Hòa An",
    "governing_body": "Tỉnh ủy Hòa An",
    "responsible": "Nguyễn Văn Thành, Chánh Văn phòng Tỉnh ủy",
    "licence_number": "152/GP-TTĐT",
    "licence_date": "2024-06-14",
    "address": "Số 1 đường Trần Hưng Đạo, phường Phú Hòa, tỉnh Hòa An",
    "phone": "0200 3812 345",
    "email": "banbientap@hoaan.test",
    "banner_label": "propaganda",
}


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_TTL"] = 300
    yield
    app.config["PAGE_CACHE_TTL"] = 0


def picture(fmt: str = "PNG", size=(300, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, (20, 120, 60)).save(buf, fmt)
    return buf.getvalue()


def save(client, emblem: tuple[bytes, str] | None = None, **changes):
    form = {**HOA_AN, **changes, "csrf_token": csrf_token(client, URL)}
    if emblem is not None:
        form["emblem"] = (io.BytesIO(emblem[0]), emblem[1])
    return client.post(URL, data=form, content_type="multipart/form-data")


def masthead(page: str) -> str:
    return re.search(r'<header class="masthead".*?</header>', page, re.S).group(0)


def footer(page: str) -> str:
    return re.search(r'<footer class="footer">.*?</footer>', page, re.S).group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_only_admins_open_the_settings_page(client, login):
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and "/bien-tap/dang-nhap" in anonymous.headers["Location"]
    for name, role in (("congtacvien", Role.contributor), ("bientap", Role.editor)):
        login(name, role=role)
        assert client.get(URL).status_code == 403
        refused = client.post(URL, data={**HOA_AN, "csrf_token": csrf_token(client, "/bien-tap/")})
        assert refused.status_code == 403
        client.post("/bien-tap/dang-xuat",
                    data={"csrf_token": csrf_token(client, "/bien-tap/")})
    assert db.session.scalar(select(SiteSetting)) is None
    login("quantri", role=Role.admin)
    page = client.get(URL).get_data(as_text=True)
    assert "Cơ quan chủ quản" in page and "Người chịu trách nhiệm chính" in page
    staffbar = client.get("/bien-tap/").get_data(as_text=True)
    assert f'href="{URL}"' in staffbar  # linked from the admin's bar


def test_a_save_shows_everywhere_at_once_even_through_the_page_cache(
        app, client, login, make_article, store, page_cache_on):
    article = make_article("Hội nghị tổng kết công tác năm 2026")
    reader = app.test_client()
    before = {url: reader.get(url) for url in ("/", f"/bai-viet/{article.slug}", "/rss.xml",
                                               "/podcast.xml")}
    assert reader.get("/").headers.get("X-Page-Cache") == "hit"  # the cache is on
    assert "★" not in before["/"].get_data(as_text=True)  # the emblem, not a generic star
    assert 'src="/static/img/emblem.png' in masthead(before["/"].get_data(as_text=True))

    login("quantri", role=Role.admin)
    response = save(client, emblem=(picture(), "huy-hieu.png"))
    assert response.status_code == 303
    key = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "emblem_key"))
    assert re.fullmatch(r"images/site/emblem-[0-9a-f]{16}-256x256\.png", key)
    emblem_url = store.url(key)

    home = reader.get("/")
    assert home.headers.get("X-Page-Cache") == "miss"  # the cached pages were dropped
    page = home.get_data(as_text=True)
    top = masthead(page)
    assert "Cổng thông tin điện tử Tỉnh ủy Hòa An" in top
    assert f'<img class="brand__emblem" src="{emblem_url}" alt="" width="256" height="256">' \
        in top
    bottom = text(footer(page))
    for words in ("Cơ quan chủ quản: Tỉnh ủy Hòa An",
                  "Chịu trách nhiệm chính: Nguyễn Văn Thành, Chánh Văn phòng Tỉnh ủy",
                  "Giấy phép số 152/GP-TTĐT ngày 14/06/2024",
                  "Địa chỉ: Số 1 đường Trần Hưng Đạo, phường Phú Hòa, tỉnh Hòa An",
                  "Điện thoại: 0200 3812 345", "Thư điện tử: banbientap@hoaan.test"):
        assert words in bottom
    assert 'href="mailto:banbientap@hoaan.test"' in footer(page)
    assert 'href="tel:02003812345"' in footer(page)

    article_page = reader.get(f"/bai-viet/{article.slug}").get_data(as_text=True)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                              article_page, re.S).group(1))
    assert ld["publisher"] == {"@type": "Organization",
                               "name": "Cổng thông tin điện tử Tỉnh ủy Hòa An",
                               "logo": {"@type": "ImageObject", "url": emblem_url}}
    rss = feedparser.parse(reader.get("/rss.xml").data)
    assert rss.feed.title == "Cổng thông tin điện tử Tỉnh ủy Hòa An"
    assert rss.feed.image.href == emblem_url
    podcast = feedparser.parse(reader.get("/podcast.xml").data)
    assert podcast.feed.title == "Cổng thông tin điện tử Tỉnh ủy Hòa An"
    assert podcast.feed.author_detail.email == "banbientap@hoaan.test"
    calendar = reader.get("/lich-cong-tac.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "X-WR-CALNAME:Lịch công tác — Cổng thông tin điện tử Tỉnh ủy Hòa An" in calendar

    fetched = requests.get(emblem_url, timeout=10)  # public, from the store, cached a year
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/png"
    assert "immutable" in fetched.headers["Cache-Control"]
    assert Image.open(io.BytesIO(fetched.content)).mode == "RGBA"  # transparency kept


def test_the_save_is_audited_with_the_fields_changed_in_words(client, login):
    login("quantri", role=Role.admin)
    assert save(client).status_code == 303
    assert save(client, email="lienhe@hoaan.test", phone="(0200) 3812.999",
                emblem=(picture("JPEG"), "logo.jpg")).status_code == 303
    assert 'href="tel:02003812999">(0200) 3812.999</a>' in client.get("/").get_data(as_text=True)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "settings.edit")
                                 .order_by(AuditEntry.id)).all()
    assert len(entries) == 2 and entries[1].username == "quantri"
    assert entries[1].summary == "Sửa thông tin cổng: điện thoại, thư điện tử, biểu trưng"
    audit_page = client.get("/bien-tap/nhat-ky").get_data(as_text=True)
    assert "Sửa thông tin cổng" in audit_page
    # nothing changed: nothing written, no entry
    assert save(client, email="lienhe@hoaan.test", phone="(0200) 3812.999").status_code == 303
    assert len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "settings.edit")).all()) == 2


@pytest.mark.parametrize(("upload", "name"), [
    (b"%PDF-1.7 not a picture at all", "huy-hieu.png"),  # an image's name, not its content
    (picture("GIF"), "huy-hieu.gif"),
    (picture("PNG")[:60], "cut.png"),  # a PNG cut off after its header
])
def test_a_file_that_is_not_a_png_jpeg_or_webp_is_refused_and_the_old_emblem_kept(
        client, login, store, upload, name):
    login("quantri", role=Role.admin)
    assert save(client, emblem=(picture("WEBP"), "logo.webp")).status_code == 303
    key = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == "emblem_key"))
    response = save(client, emblem=(upload, name), name="Tên mới không được lưu")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp tải lên không phải ảnh PNG, JPEG hoặc WebP hợp lệ." in page \
        or "Tệp ảnh bị hỏng." in page
    db.session.expire_all()
    assert db.session.scalar(select(SiteSetting.value).where(
        SiteSetting.key == "emblem_key")) == key
    home = client.get("/").get_data(as_text=True)
    assert store.url(key) in masthead(home) and "Tên mới không được lưu" not in home


def test_bad_input_is_a_422_with_vietnamese_messages_and_nothing_saved(client, login, app):
    login("quantri", role=Role.admin)
    response = save(client, email="banbientap@", name="  ", licence_date="14/06/2024x")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Địa chỉ thư điện tử không hợp lệ" in page
    assert "Tên cổng không được để trống." in page
    assert "Ngày cấp giấy phép không hợp lệ" in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(SiteSetting)) is None
    too_big = picture("PNG", size=(1, 1)) + b"\0" * app.config["SITE_EMBLEM_MAX_BYTES"]
    response = save(client, emblem=(too_big, "big.png"))
    assert response.status_code == 422
    assert "Ảnh biểu trưng vượt quá 2 MB." in response.get_data(as_text=True)


def banner_slot(client) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<aside class="banner-slot".*?</aside>', page, re.S)
    return match.group(0) if match else ""


def test_the_banner_slot_label_follows_the_setting(app, client, login):
    db.session.add(Banner(title="Dịch vụ công trực tuyến", alt_text="Dịch vụ công trực tuyến",
                          link_url="/van-ban/", position=0, active=True,
                          image_key="images/banners/0123456789abcdef-1200x300.jpg"))
    db.session.commit()
    reader = app.test_client()
    slot = banner_slot(reader)  # the default: a public-service notice
    assert 'aria-label="Thông tin tuyên truyền"' in slot
    assert '<p class="banner-slot__label">Thông tin tuyên truyền</p>' in slot
    login("quantri", role=Role.admin)
    save(client, banner_label="ads")
    slot = banner_slot(reader)
    assert '<p class="banner-slot__label">Quảng cáo</p>' in slot
    save(client, banner_label="none")
    slot = banner_slot(reader)
    assert "banner-slot__label" not in slot and "Quảng cáo" not in slot
    assert "Thông tin tuyên truyền" not in slot and 'alt="Dịch vụ công trực tuyến"' in slot
    assert save(client, banner_label="popup").status_code == 422  # not one of the choices


def test_each_process_keeps_the_identity_until_another_saves(app, client, redis_conn):
    """Pages ask no SQL for the identity while it is unchanged; a save in another process (a
    row written, then the version in Redis moved) shows at this one's next request."""
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    client.get("/")  # the identity is loaded once…
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/")
        assert not [s for s in statements if "site_settings" in s]  # …then kept
        with db.engine.begin() as conn:  # another process's save: no ORM hook runs here
            conn.execute(insert(SiteSetting.__table__).values(
                key="name", value="Cổng thông tin điện tử Tỉnh ủy Hòa An"))
        redis_conn.incr(site.VERSION_KEY)
        page = client.get("/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "Cổng thông tin điện tử Tỉnh ủy Hòa An" in masthead(page)
    assert [s for s in statements if "site_settings" in s]  # read again, once

"""Editor comfort: images with captions in the body, autosave, the preview, and HTML from the
rich-text editor (Quill) kept as it is."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import requests
from PIL import Image
from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.media import queues
from app.media.queues import SERIALIZER
from app.models import (
    Article,
    ArticleImage,
    ArticleStatus,
    AuditEntry,
    Autosave,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
    User,
)
from app.models.base import utcnow
from app.services import views_counter
from app.services.accounts import unit_named
from app.services.publishing import sanitize_html
from tests.conftest import csrf_token

OLD_TITLE = "Hội nghị tổng kết công tác năm 2026"


def jpeg(size=(4000, 2000), orientation: int | None = None, color=(190, 40, 40)) -> bytes:
    """A camera-like JPEG; orientation 6: the phone was held upright (turn 90° to show)."""
    image = Image.new("RGB", size, color)
    image.paste((20, 90, 160), (0, 0, size[0] // 4, size[1] // 4))  # tells the corners apart
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


@pytest.fixture
def draft(make_article):
    return make_article(OLD_TITLE, publish=False)


def headers_for(client, article) -> dict[str, str]:
    """The CSRF header article-editor.js sends (the token from the edit page)."""
    return {"X-CSRFToken": csrf_token(client, f"/bien-tap/bai-viet/{article.id}")}


def upload(client, article, data: bytes, caption="Người dân dự lễ khánh thành.",
           filename="anh.jpg", headers=None):
    return client.post(f"/bien-tap/bai-viet/{article.id}/anh",
                       headers=headers or headers_for(client, article),
                       data={"file": (io.BytesIO(data), filename), "caption": caption},
                       content_type="multipart/form-data")


@pytest.fixture(autouse=True)
def no_leftover_images(store):
    """Article ids repeat between tests (tables are emptied): start each with no images."""
    for prefix in ("images/", "private/images/"):
        store.delete_prefix(prefix)
    yield
    for prefix in ("images/", "private/images/"):
        store.delete_prefix(prefix)


def body_keys(store, article) -> list[str]:
    """The article's body pictures in the store, public or (while a draft) private."""
    return [*store.list_keys(f"images/{article.id}/body/"),
            *store.list_keys(f"private/images/{article.id}/body/")]


# --- images in the body -----------------------------------------------------------------

def test_an_image_is_stored_upright_as_a_web_jpeg_with_its_row_and_a_queued_job(
        login, draft, store, redis_conn):
    client = login()
    response = upload(client, draft, jpeg((4000, 2000), orientation=6))
    assert response.status_code == 200, response.get_data(as_text=True)
    image = db.session.scalar(select(ArticleImage))
    body = response.json
    url = body.pop("url")
    assert body == {"id": image.id, "width": 1600, "height": 3200,
                             "caption": "Người dân dự lễ khánh thành."}
    # Content-addressed, under the article's body images, private while it is a draft (the
    # editor gets a signed URL); upright and at most 1600 px wide.
    assert re.fullmatch(rf"private/images/{draft.id}/body/[0-9a-f]{{16}}\.jpg", image.key)
    assert url.startswith(store.url(image.key) + "?") and "X-Amz-Signature=" in url
    got = requests.get(url, timeout=5)
    assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(got.content))
    assert stored.format == "JPEG" and stored.size == (1600, 3200)
    assert not stored.getexif().get(0x0112)  # no orientation left for browsers to apply
    assert (image.article_id, image.caption, image.width, image.height, image.variants) == (
        draft.id, "Người dân dự lễ khánh thành.", 1600, 3200, {})
    jobs = Queue(queues.IMAGES, connection=redis_conn, serializer=SERIALIZER).jobs
    assert [(j.func_name, j.args) for j in jobs] == [
        (queues.BODY_IMAGE_VARIANTS, [image.id, image.key])]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "article.image"))
    assert entry.target_id == draft.id and entry.username == "bientap"

    # The same picture again is the same file, not a second copy.
    again = upload(client, draft, jpeg((4000, 2000), orientation=6), caption="")
    assert again.json["id"] == image.id and body_keys(store, draft) == [image.key]


def test_a_file_that_is_not_a_picture_is_refused_in_vietnamese(login, draft, store):
    client = login()
    response = upload(client, draft, b"%PDF-1.4 not a picture", filename="anh.jpg")
    assert response.status_code == 422
    assert response.json == {"error": "Tệp đã chọn không phải ảnh hợp lệ (JPEG, PNG, WebP)."}
    assert db.session.scalar(select(func.count(ArticleImage.id))) == 0
    assert body_keys(store, draft) == []


def test_a_picture_over_the_size_limit_is_refused_with_413(app, login, draft, store,
                                                          monkeypatch):
    client = login()
    monkeypatch.setitem(app.config, "BODY_IMAGE_MAX_BYTES", 50_000)
    response = upload(client, draft, jpeg((3000, 2000)) + b"\0" * 60_000)
    assert response.status_code == 413
    assert response.json["error"].startswith("Ảnh quá lớn")
    assert db.session.scalar(select(func.count(ArticleImage.id))) == 0


def test_a_contributor_of_another_unit_cannot_place_images(login, make_article, store):
    own, other = unit_named("Sở Y tế"), unit_named("Sở Giáo dục")
    article = make_article("Tin của Sở Y tế", publish=False, unit_id=own.id)
    client = login("phongvien", role=Role.contributor, unit=other)
    response = upload(client, article, jpeg((800, 600)),
                      headers={"X-CSRFToken": csrf_token(client, "/bien-tap/")})
    assert response.status_code == 403 and "error" in response.json
    assert db.session.scalar(select(func.count(ArticleImage.id))) == 0
    assert body_keys(store, article) == []


@pytest.fixture
def page_cache_on(app):
    app.config["PAGE_CACHE_TTL"] = 300
    yield
    app.config["PAGE_CACHE_TTL"] = 0


def figure_html(store, image) -> str:
    return (f'<figure><img src="{store.url(image.key)}" alt="{image.caption}" '
            f'width="{image.width}" height="{image.height}">'
            f"<figcaption>{image.caption}</figcaption></figure>")


def test_the_worker_makes_the_widths_readers_are_offered_in_srcset(
        app, login, draft, store, run_worker, page_cache_on):
    client = login()
    image_id = upload(client, draft, jpeg((2400, 1600))).json["id"]
    image = db.session.get(ArticleImage, image_id)
    body = f"<p>Sáng nay, lễ khánh thành diễn ra.</p>{figure_html(store, image)}<p>Hết.</p>"
    draft.body_html = body  # (as the edit form stores it; published without narration)
    draft.status, draft.published_at = ArticleStatus.published, utcnow()
    db.session.commit()
    reader = app.test_client()
    before = reader.get(f"/bai-viet/{draft.slug}").get_data(as_text=True)  # now cached
    tag = re.search(r"<figure><img [^>]*>", before).group(0)
    assert "srcset" not in tag and 'loading="lazy"' in tag and 'decoding="async"' in tag

    run_worker()
    image = db.session.get(ArticleImage, image_id)
    assert image.variants["size"] == "1200x800"
    for width in (480, 800, 1200):
        for name, content_type in ((f"{width}", "image/jpeg"), (f"{width}.webp", "image/webp")):
            key = image.variants[name]
            assert key.startswith(image.key.removesuffix(".jpg") + "-")
            got = requests.get(store.url(key), timeout=5)
            assert got.status_code == 200 and got.headers["Content-Type"] == content_type
            assert Image.open(io.BytesIO(got.content)).width == width

    page = reader.get(f"/bai-viet/{draft.slug}").get_data(as_text=True)  # the cache was dropped
    figure = re.search(r"<figure>(.*?)</figure>", page, re.S).group(1)
    img = re.search(r"<img [^>]*>", figure).group(0)
    jpegs = ", ".join(f"{store.url(image.variants[str(w)])} {w}w" for w in (480, 800, 1200))
    assert f'srcset="{jpegs}, {store.url(image.key)} 1600w"' in img  # the stored JPEG too
    assert 'sizes="(min-width: 792px) 680px' in img
    assert 'width="1600" height="1067"' in img and 'loading="lazy" decoding="async"' in img
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', figure).group(1)
    assert webp == ", ".join(f"{store.url(image.variants[f'{w}.webp'])} {w}w"
                             for w in (480, 800, 1200))
    assert "<figcaption>Người dân dự lễ khánh thành.</figcaption>" in figure
    assert db.session.get(Article, draft.id).body_html == body  # srcset is made when shown


# --- autosave ---------------------------------------------------------------------------

def autosave(client, article, headers, **fields):
    url = f"/bien-tap/bai-viet/{article.id}/tu-luu" if article else "/bien-tap/bai-viet/moi/tu-luu"
    return client.post(url, json=fields, headers=headers)


def autosaves() -> list[Autosave]:
    return list(db.session.scalars(select(Autosave).order_by(Autosave.id)))


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def test_autosave_keeps_one_row_per_user_and_article_and_never_changes_the_article(
        login, draft):
    client = login()
    headers = headers_for(client, draft)
    first = autosave(client, draft, headers, title="Tiêu đề đang gõ", lede="Sapo mới",
                     body_html="<p>Đoạn một</p>", category_id="0", unit_id="0",
                     base_version=str(draft.version))
    assert first.status_code == 200
    assert re.fullmatch(r"Đã tự động lưu lúc \d\d:\d\d", first.json["message"])
    second = autosave(client, draft, headers, title="Tiêu đề đang gõ tiếp",
                      body_html="<p>Đoạn một</p><p>Đoạn hai</p>", base_version=str(draft.version))
    assert second.status_code == 200
    rows = autosaves()
    assert len(rows) == 1
    assert (rows[0].user_id, rows[0].article_id, rows[0].base_version) == (
        user_id("bientap"), draft.id, draft.version)
    assert rows[0].fields["title"] == "Tiêu đề đang gõ tiếp"
    assert rows[0].fields["body_html"] == "<p>Đoạn một</p><p>Đoạn hai</p>"
    db.session.expire_all()
    article = db.session.get(Article, draft.id)
    assert article.title == OLD_TITLE and "Đoạn hai" not in article.body_html

    # A new article has its own autosave (no article yet).
    new = autosave(client, None, headers, title="Bài mới chưa lưu")
    assert new.status_code == 200
    assert [(r.article_id, r.fields["title"]) for r in autosaves()] == [
        (draft.id, "Tiêu đề đang gõ tiếp"), (None, "Bài mới chưa lưu")]


def test_the_edit_page_offers_a_newer_autosave_and_restores_it_without_javascript(
        login, draft):
    client = login()
    url = f"/bien-tap/bai-viet/{draft.id}"
    assert "Có bản tự động lưu" not in client.get(url).get_data(as_text=True)
    autosave(client, draft, headers_for(client, draft), title="Tiêu đề chưa lưu",
             body_html="<p>Nội dung chưa lưu</p>", lede="Sapo chưa lưu",
             base_version=str(draft.version))

    page = client.get(url).get_data(as_text=True)
    assert re.search(r"Có bản tự động lưu lúc \d\d:\d\d \d\d/\d\d/\d{4} chưa được lưu vào bài",
                     page)
    assert f'href="{url}?khoi-phuc=1"' in page
    assert f'action="{url}/tu-luu/bo-qua"' in page
    assert f'value="{OLD_TITLE}"' in page  # the form still shows the article as saved

    restored = client.get(f"{url}?khoi-phuc=1").get_data(as_text=True)
    assert 'value="Tiêu đề chưa lưu"' in restored
    assert "&lt;p&gt;Nội dung chưa lưu&lt;/p&gt;</textarea>" in restored
    assert "Sapo chưa lưu</textarea>" in restored
    assert "Đã khôi phục bản tự động lưu" in restored and "Có bản tự động lưu" not in restored


def test_bo_qua_deletes_the_autosave(login, draft):
    client = login()
    url = f"/bien-tap/bai-viet/{draft.id}"
    autosave(client, draft, headers_for(client, draft), title="Tiêu đề chưa lưu")
    response = client.post(f"{url}/tu-luu/bo-qua", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert autosaves() == []
    assert "Có bản tự động lưu" not in client.get(url).get_data(as_text=True)


def edit_form(client, url: str, **fields) -> dict[str, str]:
    """The edit form as the browser posts it: its own values, the hidden ones included."""
    page = client.get(url).get_data(as_text=True)
    data = {name: value for name, value in re.findall(
        r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"', page)}
    data.update({"title": "", "lede": "", "body_html": "", "category_id": "0", "unit_id": "0",
                 "author_name": "", "cover_caption": "", "listen_source": "narration",
                 "save": "Lưu nháp"})
    data.update(fields)
    return data


def test_saving_the_article_clears_the_users_autosave_only(login, make_user, draft, category):
    url = f"/bien-tap/bai-viet/{draft.id}"
    other = make_user("bientap2")
    db.session.add(Autosave(user_id=other.id, article_id=draft.id,
                            fields={"title": "Bản của người khác"}, base_version=draft.version))
    db.session.commit()
    client = login()
    autosave(client, draft, headers_for(client, draft), title="Tiêu đề mới")
    response = client.post(url, data=edit_form(client, url, title="Tiêu đề mới",
                                               category_id=str(category.id)))
    assert response.status_code in (302, 303)
    assert db.session.get(Article, draft.id).title == "Tiêu đề mới"
    assert [(r.user_id, r.fields["title"]) for r in autosaves()] == [
        (other.id, "Bản của người khác")]

    # A new article: saving it clears the user's autosave of "the new article".
    autosave(client, None, headers_for(client, draft), title="Bài mới")
    response = client.post("/bien-tap/bai-viet/moi", data=edit_form(
        client, "/bien-tap/bai-viet/moi", title="Bài mới", category_id=str(category.id)))
    assert response.status_code in (302, 303)
    assert [r.user_id for r in autosaves()] == [other.id]


def test_a_failed_save_keeps_the_autosave(login, draft):
    client = login()
    url = f"/bien-tap/bai-viet/{draft.id}"
    autosave(client, draft, headers_for(client, draft), title="Tiêu đề mới")
    response = client.post(url, data=edit_form(client, url, title=""))  # title is required
    assert response.status_code == 422
    assert len(autosaves()) == 1


def test_another_users_autosave_is_never_shown(login, make_user, draft):
    other = make_user("bientap2")
    db.session.add(Autosave(user_id=other.id, article_id=draft.id,
                            fields={"title": "Bản của người khác"}, base_version=draft.version))
    db.session.add(Autosave(user_id=other.id, article_id=None,
                            fields={"title": "Bài mới của người khác"}))
    db.session.commit()
    client = login()
    url = f"/bien-tap/bai-viet/{draft.id}"
    for page in (client.get(url), client.get(f"{url}?khoi-phuc=1"),
                 client.get("/bien-tap/bai-viet/moi"),
                 client.get("/bien-tap/bai-viet/moi?khoi-phuc=1")):
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Có bản tự động lưu" not in text and "của người khác" not in text


def test_an_autosave_older_than_a_later_save_is_not_offered(login, draft):
    client = login()
    autosave(client, draft, headers_for(client, draft), title="Tiêu đề cũ chưa lưu",
             base_version=str(draft.version))
    row = autosaves()[0]
    row.saved_at = draft.updated_at - timedelta(minutes=5)
    draft.version += 1  # someone saved the article since
    db.session.commit()
    page = client.get(f"/bien-tap/bai-viet/{draft.id}").get_data(as_text=True)
    assert "Có bản tự động lưu" not in page


def test_a_new_article_offers_any_autosave(login):
    client = login()
    autosave(client, None, {"X-CSRFToken": csrf_token(client, "/bien-tap/bai-viet/moi")},
             title="Bài mới chưa lưu", body_html="<p>Đoạn đầu</p>")
    page = client.get("/bien-tap/bai-viet/moi").get_data(as_text=True)
    assert "Có bản tự động lưu lúc" in page and 'href="/bien-tap/bai-viet/moi?khoi-phuc=1"' in page
    restored = client.get("/bien-tap/bai-viet/moi?khoi-phuc=1").get_data(as_text=True)
    assert 'value="Bài mới chưa lưu"' in restored


def test_autosave_refuses_a_contributor_of_another_unit(login, make_article):
    own, other = unit_named("Sở Y tế"), unit_named("Sở Giáo dục")
    article = make_article("Tin của Sở Y tế", publish=False, unit_id=own.id)
    client = login("phongvien", role=Role.contributor, unit=other)
    response = autosave(client, article, {"X-CSRFToken": csrf_token(client, "/bien-tap/")},
                        title="Chen ngang")
    assert response.status_code == 403 and autosaves() == []


# --- preview ----------------------------------------------------------------------------

def test_the_preview_shows_a_draft_as_readers_will_see_it(
        app, login, draft, redis_conn, page_cache_on):
    # Readers cannot reach the draft (asked first: Flask-Login remembers the user on the
    # test's app context).
    assert app.test_client().get(f"/bai-viet/{draft.slug}").status_code == 404
    draft.media.append(MediaAsset(
        kind=MediaKind.audio, status=MediaStatus.ready, duration=42.0, engine="espeak:vi",
        outputs={"mp3": f"audio/{draft.id}/ban-nghe.mp3", "timings": f"audio/{draft.id}/t.json",
                 "vtt": f"audio/{draft.id}/t.vtt"}))
    db.session.commit()
    client = login()
    response = client.get(f"/bien-tap/bai-viet/{draft.id}/xem-truoc")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bản xem trước — chưa xuất bản" in page
    assert '<meta name="robots" content="noindex' in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response.headers
    assert f"<h1 class=\"article__title\" data-readalong>{OLD_TITLE}</h1>" in page
    assert "Hội nghị đã thảo luận 08 ý kiến." in page
    assert "data-player" in page and f"audio/{draft.id}/ban-nghe.mp3" in page  # the player
    assert "/static/js/player.js" in page
    # The newsroom sees which voice read it, in words (as the media panel says it).
    assert "Giọng đọc tự động (eSpeak NG, giọng máy dự phòng — vi)." in page
    assert "Ý kiến bạn đọc" not in page  # no comment form on a preview
    assert db.session.get(Article, draft.id).view_count == 0
    assert views_counter.pending_views(draft.id) == 0


def test_the_edit_page_links_to_the_preview_for_unpublished_articles(login, draft, make_article):
    client = login()
    page = client.get(f"/bien-tap/bai-viet/{draft.id}").get_data(as_text=True)
    assert f'href="/bien-tap/bai-viet/{draft.id}/xem-truoc">Xem trước' in page
    live = make_article("Tin đã đăng")
    page = client.get(f"/bien-tap/bai-viet/{live.id}").get_data(as_text=True)
    assert f'href="/bai-viet/{live.slug}">Xem trên cổng' in page


def test_the_preview_refuses_a_contributor_of_another_unit(login, make_article):
    own, other = unit_named("Sở Y tế"), unit_named("Sở Giáo dục")
    article = make_article("Tin của Sở Y tế", publish=False, unit_id=own.id)
    client = login("phongvien", role=Role.contributor, unit=other)
    assert client.get(f"/bien-tap/bai-viet/{article.id}/xem-truoc").status_code == 403


# --- rich text --------------------------------------------------------------------------

FIGURE_SRC = "https://media.example.vn/anh/images/7/body/0123456789abcdef.jpg"
# A body as the portal stores it (sanitized)…
STORED = ('<p>Mở đầu "trích" &amp; <strong>đậm</strong> và <em>nghiêng</em>, <u>gạch</u>.</p>'
          "<h2>Tiêu đề phụ</h2><ul><li>Một</li><li>Hai</li></ul><ol><li>Ba</li></ol>"
          "<blockquote>Trích dẫn</blockquote><h3>Nhỏ</h3>"
          '<p><a href="https://example.vn/x?a=1&amp;b=2" rel="noopener noreferrer">liên kết</a></p>'
          f'<figure><img src="{FIGURE_SRC}" alt="Ảnh chú thích" width="1600" height="800">'
          "<figcaption>Ảnh chú thích</figcaption></figure><p>Kết thúc.</p>")
# …and what Quill 2 (static/js/article-editor.js, getSemanticHTML) writes back for it when it
# is opened and saved unchanged (recorded in Chromium; tests/browser/test_article_editor.py
# checks the same round trip in a real browser).
FROM_QUILL = ('<p>Mở đầu &quot;trích&quot; &amp; <strong>đậm</strong> và <em>nghiêng</em>, '
              "<u>gạch</u>.</p><h2>Tiêu đề phụ</h2><ul><li>Một</li><li>Hai</li></ul>"
              "<ol><li>Ba</li></ol><blockquote>Trích dẫn</blockquote><h3>Nhỏ</h3>"
              '<p><a href="https://example.vn/x?a=1&amp;b=2" rel="noopener noreferrer" '
              'target="_blank">liên kết</a></p>'
              f'<figure><img src="{FIGURE_SRC}" alt="Ảnh chú thích" width="1600" height="800">'
              "<figcaption>Ảnh chú thích</figcaption></figure><p>Kết thúc.</p>")


def test_html_from_the_rich_text_editor_round_trips_unchanged(login, draft):
    assert sanitize_html(STORED) == STORED
    assert sanitize_html(FROM_QUILL) == STORED
    client = login()
    url = f"/bien-tap/bai-viet/{draft.id}"
    response = client.post(url, data=edit_form(client, url, title=OLD_TITLE,
                                               body_html=FROM_QUILL))
    assert response.status_code in (302, 303)
    assert db.session.get(Article, draft.id).body_html == STORED


def test_images_no_version_of_the_article_shows_are_removed_after_the_grace_period(
        login, draft, store):
    """Uploaded then taken out before saving: the periodic job drops the row and its files.
    An image still in the text, in an older revision (a restore brings it back) or in an
    autosave stays, and so does one uploaded within the grace period."""
    from app.models import ArticleRevision
    from app.services.drafting import remove_unused_body_images

    client = login()
    uploaded = {}
    for name, color in (("in_text", (200, 0, 0)), ("removed", (0, 200, 0)),
                        ("in_revision", (0, 0, 200)), ("in_autosave", (200, 200, 0)),
                        ("recent", (0, 200, 200))):
        response = upload(client, draft, jpeg((800, 600), color=color))
        assert response.status_code == 200
        uploaded[name] = db.session.get(ArticleImage, response.json["id"])
    removed = uploaded["removed"]
    removed.variants = {"480": removed.key.replace(".jpg", "-480.jpg"), "size": "480x360"}
    store.upload_fileobj(io.BytesIO(b"w"), removed.variants["480"], "image/jpeg")
    draft.body_html = f'<figure><img src="{store.url(uploaded["in_text"].key)}"></figure>'
    db.session.add(ArticleRevision(article_id=draft.id, number=99, status="draft",
                                   fields={"body_html": store.url(uploaded["in_revision"].key)}))
    autosave = db.session.scalar(select(User)).id
    db.session.add(Autosave(user_id=autosave, article_id=draft.id, base_version=1,
                            fields={"body_html": store.url(uploaded["in_autosave"].key)}))
    for name, image in uploaded.items():
        if name != "recent":
            image.created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    assert remove_unused_body_images(timedelta(days=1)) == 1
    left = set(db.session.scalars(select(ArticleImage.key)))
    assert left == {image.key for name, image in uploaded.items() if name != "removed"}
    assert not store.exists(removed.key) and not store.exists(removed.variants["480"])
    assert all(store.exists(key) for key in left)

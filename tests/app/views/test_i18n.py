"""The interface speaks Vietnamese by default and English for a reader who chooses it; the
content (titles, dates, names) stays as written."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from app.extensions import db
from config import BASE_DIR
from tests.app.conftest import compile_catalogues

EN_PO = BASE_DIR / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', page)
    assert match, "no <html lang>"
    return match.group(1)


def choose(client, code: str, next_path: str = "/"):
    return client.get(f"/ngon-ngu/{code}?next={next_path}")


@pytest.fixture
def english(client):
    """A reader who picked English."""
    response = choose(client, "en", "/van-ban/")
    assert response.status_code == 303
    return client


@pytest.fixture
def story(make_article):
    article = make_article("Hội nghị tổng kết công tác năm 2026")
    article.published_at = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # 05/03/2026 in Vietnam
    article.edited_at = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)  # edited since: "Cập nhật"
    db.session.commit()
    return article


def test_the_default_interface_is_vietnamese(client, story):
    page = client.get("/").get_data(as_text=True)
    assert html_lang(page) == "vi"
    assert "Tìm kiếm" in page and "Trang chủ" in page and "Lịch công tác" in page
    assert 'hreflang="en">English</a>' in page  # the switch offers the other language
    assert "Search" not in page


def test_choosing_english_sets_a_cookie_and_goes_back_to_the_page(client):
    response = choose(client, "en", "/van-ban/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/van-ban/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ngon-ngu=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_english_reader_sees_english_labels_and_the_content_unchanged(english, story):
    home = english.get("/").get_data(as_text=True)
    assert html_lang(home) == "en"
    for label in ("Search", "Home", "Documents", "Work schedule", "Read · Listen · Watch",
                  "Skip to main content", "High contrast"):
        assert label in home, label
    for vietnamese in ("Tìm kiếm", "Trang chủ", "Lịch công tác", "Bỏ qua, đến nội dung chính"):
        assert vietnamese not in home, vietnamese
    assert story.title in home and "05/03/2026" in home  # data and dates stay as they are
    assert 'hreflang="vi">Tiếng Việt</a>' in home

    article = english.get(f"/bai-viet/{story.slug}").get_data(as_text=True)
    assert html_lang(article) == "en"
    for label in ("Listen to this article", "Updated", "Views: ", "Share this article",
                  "Print article"):
        assert label in article, label
    assert "Nghe bài viết" not in article and "Cập nhật" not in article
    assert story.title in article and "05/03/2026" in article
    assert 'content="en_US"' in article


def test_search_documents_and_schedules_speak_english(english, story):
    search = english.get("/tim-kiem?q=tong+ket").get_data(as_text=True)
    assert html_lang(search) == "en"
    assert "<h1 class=\"section-title\">Search</h1>" in search
    assert "All sections" in search and "From" in search and "Stories" in search
    assert "Results for “tong ket”: 1" in search
    assert story.title in search and "05/03/2026" in search

    nothing = english.get("/tim-kiem?q=khongcogica").get_data(as_text=True)
    assert "No results for “khongcogica”" in nothing

    documents = english.get("/van-ban/").get_data(as_text=True)
    assert html_lang(documents) == "en"
    assert '<h1 class="section-title">Documents</h1>' in documents
    assert "Issuing body" in documents and "Cơ quan ban hành" not in documents

    week = english.get("/lich-cong-tac/?tuan=2026-03-04").get_data(as_text=True)
    assert html_lang(week) == "en"
    assert "Work schedule for the week of 02/03/2026 to 08/03/2026" in week
    assert "Lịch công tác tuần" not in week


def test_pagination_and_editor_login_speak_english(english, make_article, app, monkeypatch):
    monkeypatch.setitem(app.config, "ARTICLES_PER_PAGE", 2)
    for i in range(3):
        make_article(f"Tin số {i}")
    page = english.get("/?trang=2").get_data(as_text=True)
    assert "Page 2 of 2" in page and "Newer" in page
    login = english.get("/bien-tap/dang-nhap").get_data(as_text=True)
    assert "Newsroom login" in login and "Username" in login and "Password" in login
    refused = english.post("/bien-tap/dang-nhap", data={})  # no CSRF token
    assert refused.status_code == 400 and "Invalid request." in refused.get_data(as_text=True)


def test_editor_pages_and_flash_messages_speak_english(english, login, make_article):
    from tests.conftest import csrf_token

    login()
    article = make_article("Bài viết thử")
    listing = english.get("/bien-tap/").get_data(as_text=True)
    assert "Write a new article" in listing and "Published" in listing
    assert "None yet" in listing  # MEDIA_LABELS, lazily translated
    token = csrf_token(english, f"/bien-tap/bai-viet/{article.id}")
    saved = english.post(f"/bien-tap/bai-viet/{article.id}", data={
        "csrf_token": token, "title": "Bài viết thử", "category_id": "0", "unit_id": "0",
        "listen_source": "narration", "save": "1"}, follow_redirects=True)
    body = saved.get_data(as_text=True)
    assert "Article saved." in body and "Edit article" in body
    assert '"none": "None yet"' in body  # the media labels handed to media-panel.js
    empty = english.post(f"/bien-tap/bai-viet/{article.id}", data={
        "csrf_token": token, "title": "", "category_id": "0", "unit_id": "0",
        "listen_source": "narration", "save": "1"})
    assert empty.status_code == 422 and "The title is required." in empty.get_data(as_text=True)


def test_switching_back_to_vietnamese(english, story):
    response = choose(english, "vi", f"/bai-viet/{story.slug}")
    assert response.status_code == 303 and "ngon-ngu=vi;" in response.headers["Set-Cookie"]
    page = english.get(f"/bai-viet/{story.slug}").get_data(as_text=True)
    assert html_lang(page) == "vi" and "Nghe bài viết" in page
    assert "Listen to this article" not in page


@pytest.mark.parametrize("code", ["fr", "xx", "EN", "vi-VN"])
def test_an_unknown_language_is_a_404_and_sets_nothing(client, code):
    response = choose(client, code)
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers
    assert "Không tìm thấy trang bạn yêu cầu." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil", "//evil.example/x",
                                    "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                                    "/\r\n/x", "javascript:alert(1)", ""])
def test_no_open_redirect(client, target):
    response = client.get("/ngon-ngu/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/"), location


def test_a_language_cookie_the_portal_does_not_speak_falls_back_to_vietnamese(client):
    client.set_cookie("ngon-ngu", "fr")
    assert html_lang(client.get("/").get_data(as_text=True)) == "vi"


def test_error_pages_and_api_errors_are_in_the_readers_language(english, client):
    missing = english.get("/bai-viet/khong-co-bai-nay")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and html_lang(page) == "en"
    assert "The page you requested could not be found." in page
    assert "Back to the home page" in page and "Error 404" in page
    assert "Không tìm thấy" not in page

    api = english.get("/api/v1/khong-co")
    assert api.status_code == 404
    assert api.get_json() == {"error": "The page you requested could not be found.",
                              "status": 404}


def test_api_errors_are_vietnamese_by_default(client):
    api = client.get("/api/v1/khong-co")
    assert api.get_json()["error"] == "Không tìm thấy trang bạn yêu cầu."


def test_login_required_flash_is_translated_and_kept_as_plain_text(english):
    response = english.get("/bien-tap/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Please log in to continue." in page


def test_every_english_msgid_is_translated():
    with EN_PO.open("rb") as source:
        catalog = read_po(source)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    untranslated = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_every_placeholder_survives_translation():
    with EN_PO.open("rb") as source:
        catalog = read_po(source)
    broken = [(m.id, m.string) for m in catalog if m.id
              and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))]
    assert broken == []


def test_every_interface_string_in_the_templates_is_in_the_template_catalogue():
    """A wrapped string that nobody extracted would silently stay Vietnamese in English."""
    from babel.messages.pofile import read_po as read

    with (BASE_DIR / "app" / "translations" / "messages.pot").open("rb") as source:
        pot_ids = {m.id for m in read(source) if m.id}
    with EN_PO.open("rb") as source:
        po_ids = {m.id for m in read(source) if m.id}
    assert pot_ids == po_ids


def test_stale_catalogues_are_compiled(tmp_path):
    po_dir = tmp_path / "en" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Tìm kiếm"\nmsgstr "Search"\n', encoding="utf-8")
    assert compile_catalogues(tmp_path) == [po_dir / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: left alone
    from babel.support import Translations

    assert Translations.load(str(tmp_path), ["en"]).gettext("Tìm kiếm") == "Search"



def test_numbers_are_grouped_the_readers_way(app):
    group = app.jinja_env.filters["vn_number"]
    # A fresh app context each time: Flask-Babel keeps the chosen locale on `g`.
    with app.app_context(), app.test_request_context("/"):
        assert group(1234567) == "1.234.567"
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "ngon-ngu=en"}):
        assert group(1234567) == "1,234,567"

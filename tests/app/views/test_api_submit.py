"""POST /api/v1/articles: a unit's system submits an article with its API token; it becomes
that unit's draft waiting for review, never a published article."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.media.queues import SERIALIZER
from app.models import Article, ArticleStatus, AuditEntry, MediaAsset, Role, User
from app.services import accounts
from app.services.accounts import unit_named

BODY = "<p>Sáng 18/11/2026, Sở Y tế tổ chức tiêm chủng mở rộng tại 12 xã.</p>"


@pytest.fixture
def unit(app):
    unit = unit_named("Sở Y tế")
    db.session.commit()
    return unit


@pytest.fixture
def token(unit, make_user):
    """A live token of the unit, in full (as its system holds it)."""
    admin = make_user("quantri", role=Role.admin)
    _row, full = accounts.create_token(unit, "Cổng Sở Y tế", by=admin)
    return full


def submit(client, token, payload=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/articles", json=payload, headers=headers, **kwargs)


def articles() -> list[Article]:
    return list(db.session.scalars(select(Article)))


def test_a_submission_becomes_the_units_draft_waiting_for_review(
        client, token, unit, category, redis_conn):
    response = submit(client, token, {
        "title": "Tiêm chủng mở rộng tại 12 xã", "body_html": BODY,
        "lede": "Chiến dịch kéo dài hai tuần.", "author_name": "Minh Anh",
        "category": category.slug})
    assert response.status_code == 201
    data = response.get_json()
    [article] = articles()
    assert data == {"id": article.id, "status": "submitted",
                    "title": "Tiêm chủng mở rộng tại 12 xã", "unit": "Sở Y tế"}
    assert response.headers["Location"].endswith(f"/bien-tap/bai-viet/{article.id}")
    assert article.status is ArticleStatus.submitted and article.submitted_at is not None
    assert article.unit_id == unit.id and article.category_id == category.id
    assert article.published_at is None and article.created_by_id is None
    assert article.lede == "Chiến dịch kéo dài hai tuần." and article.author_name == "Minh Anh"
    # Nothing published, nothing narrated.
    assert client.get(f"/bai-viet/{article.slug}").status_code == 404
    assert client.get("/api/v1/articles").get_json()["total"] == 0
    assert db.session.scalar(select(func.count(MediaAsset.id))) == 0
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api.submit"))
    row = accounts.token_from_header(f"Bearer {token}")
    assert entry.username == f"api:{row.prefix}" and entry.target_id == article.id
    assert entry.user_id is None
    assert row.last_used_at is not None


def test_the_submission_shows_in_the_newsroom_for_the_unit(client, token, unit, login):
    submit(client, token, {"title": "Tin từ hệ thống của Sở", "body_html": BODY})
    contributor = login("ctv", Role.contributor, unit)
    assert "Tin từ hệ thống của Sở" in contributor.get("/bien-tap/").get_data(as_text=True)


@pytest.mark.parametrize("header", [
    None, "Bearer ", "Bearer dnx_00000000_khong-ton-tai", "Basic cXVhbnRyaTptYXRraGF1",
])
def test_a_missing_or_unknown_token_is_refused(client, token, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/articles", json={"title": "X", "body_html": BODY},
                           headers=headers)
    assert response.status_code == 401
    assert "mã không hợp lệ hay đã bị thu hồi" in response.get_json()["error"]
    assert articles() == []


def test_a_revoked_token_is_refused(client, token):
    row = accounts.token_from_header(f"Bearer {token}")
    accounts.revoke_token(row, by=db.session.scalar(select(User)))
    response = submit(client, token, {"title": "Sau khi thu hồi", "body_html": BODY})
    assert response.status_code == 401 and "error" in response.get_json()
    assert articles() == []


def test_missing_fields_are_named_one_by_one(client, token):
    response = submit(client, token, {"lede": "Chỉ có sapo", "body_html": "<p> </p>"})
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "Dữ liệu không hợp lệ.",
        "fields": {"title": "Tiêu đề không được để trống.",
                   "body_html": "Nội dung bài viết không được để trống."}}
    assert articles() == []


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "Có tiêu đề", "body_html": "<script>alert(1)</script>"}, "body_html"),
    ({"title": "Có tiêu đề", "body_html": BODY, "category": "khong-co"}, "category"),
    ({"title": ["không", "phải", "chuỗi"], "body_html": BODY}, "title"),
    ({"title": "T" * 301, "body_html": BODY}, "title"),
])
def test_bad_fields_are_refused(client, token, category, payload, field):
    response = submit(client, token, payload)
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == [field]
    assert articles() == []


def test_what_is_not_json_is_a_bad_request(client, token):
    response = client.post("/api/v1/articles", data="title=Tin", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]
    response = client.post("/api/v1/articles", data="{không phải json", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]
    response = submit(client, token, ["một", "danh", "sách"])
    assert response.status_code == 422
    assert articles() == []


def test_a_body_over_the_limit_is_refused(client, token, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_BODY_BYTES", 2048)
    response = submit(client, token, {"title": "Quá dài", "body_html": "<p>chữ </p>" * 500})
    assert response.status_code == 413
    assert "Bài gửi quá lớn" in response.get_json()["error"]
    assert articles() == []


def test_scripts_and_handlers_are_stripped_with_a_warning(client, token):
    response = submit(client, token, {
        "title": "Bài có mã độc", "body_html":
        '<p onclick="steal()">Nội dung thật.</p><script>steal()</script>'
        '<iframe src="https://example.com/x"></iframe><a href="javascript:steal()">Xem</a>'})
    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert warnings == ["Nội dung HTML không an toàn đã bị loại bỏ "
                        "(href=javascript:, iframe, onclick, script)."]
    [article] = articles()
    assert "<script" not in article.body_html and "steal" not in article.body_html
    assert "onclick" not in article.body_html and "<iframe" not in article.body_html
    assert "Nội dung thật." in article.body_html


def test_clean_html_gets_no_warning_and_plain_formatting_only_a_mild_one(client, token):
    clean = ('<h2>Tiêu điểm</h2><p>Có <strong>08</strong> ý kiến &amp; <a href="https://'
             'soyte.example.vn/tin">chi tiết</a>.</p><ul><li>Một</li></ul><br/>')
    response = submit(client, token, {"title": "Bài sạch", "body_html": clean})
    assert response.status_code == 201 and "warnings" not in response.get_json()

    response = submit(client, token, {"title": "Bài có div",
                                      "body_html": '<div class="x"><p>Nội dung.</p></div>'})
    assert response.status_code == 201
    assert response.get_json()["warnings"] == [
        "Một số thẻ hoặc thuộc tính HTML không được hỗ trợ đã bị bỏ (class, div)."]


def test_a_submission_from_a_browser_holding_a_staff_session_is_still_the_tokens(
        token, login):
    """The token answers for the article, whoever else is logged in on that browser."""
    editor = login("bientap", role=Role.editor)
    response = submit(editor, token, {"title": "Tin từ hệ thống của Sở", "body_html": BODY})
    assert response.status_code == 201
    prefix = accounts.token_from_header(f"Bearer {token}").prefix
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["article.create", "article.submit", "api.submit"])))
    assert {(e.username, e.user_id) for e in entries} == {(f"api:{prefix}", None)}

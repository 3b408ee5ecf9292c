"""The audit log viewer: newest first in Vietnamese words, filters, pages of 50, admins only,
and bad filters answered with a 400 that says what is wrong."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Article, ArticleStatus, AuditEntry, Role
from app.services import audit

URL = "/bien-tap/nhat-ky"
START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def add_entry(action: str, at: datetime, summary: str, target=None, username: str = "",
              user=None, ip: str = "") -> AuditEntry:
    entry = audit.record(action, target, summary, user=user, username=username)
    entry.at = at
    entry.ip = ip
    return entry


def summaries(html: str) -> list[str]:
    """The summary column, top to bottom."""
    return [s.strip() for s in re.findall(r'<td class="audit-table__summary">(.*?)</td>', html,
                                          re.S)]


@pytest.fixture
def logged(app, make_user):
    """A few entries across two days (in Vietnam time), by a person and by a token."""
    editor = make_user("bientapvien", role=Role.editor)
    article = Article(title="Hội nghị tổng kết", slug="hoi-nghi", status=ArticleStatus.published)
    db.session.add(article)
    db.session.flush()
    add_entry("article.create", START, "Tạo bài Hội nghị tổng kết", article, user=editor,
              ip="10.0.0.7")
    add_entry("article.publish", START + timedelta(hours=1), "Xuất bản bài Hội nghị tổng kết",
              article, user=editor)
    add_entry("api.submit", START + timedelta(hours=2), "Đơn vị gửi bài qua API",
              username="api:ab12cd")
    # 17:30 UTC on 1 March is 00:30 on 2 March in Vietnam.
    add_entry("login.failed", datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
              "Đăng nhập sai cho tài khoản bientapvien", username="bientapvien")
    add_entry("widget.frobnicate", START + timedelta(days=2), "Một việc chưa có tên")
    db.session.commit()
    return article


def test_entries_newest_first_in_vietnamese_words(logged, login):
    response = login("quantri", Role.admin).get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert summaries(html) == [
        "Một việc chưa có tên", "Đăng nhập sai cho tài khoản bientapvien",
        "Đơn vị gửi bài qua API", "Xuất bản bài Hội nghị tổng kết",
        "Tạo bài Hội nghị tổng kết"]
    for words in ("Xuất bản bài viết", "Tạo bài viết", "Gửi bài qua API", "Đăng nhập sai"):
        assert words in html
    # An action no label names yet gets words, not its raw key (issue 17: it used to show
    # as recorded).
    unknown = html.split('data-action="widget.frobnicate">', 1)[1].split("</td>", 1)[0]
    assert unknown.strip() == "Thao tác khác"
    assert "api:ab12cd" in html and "10.0.0.7" in html
    assert "17:00 01/03/2026" in html  # 10:00 UTC, shown in Vietnam time
    assert html.count(f'href="/bien-tap/bai-viet/{logged.id}"') == 2
    assert 'href="/bien-tap/nhat-ky"' in html  # the staff bar's link, for admins


def test_deleted_articles_are_named_without_a_link(logged, login):
    article_id = logged.id
    db.session.delete(logged)
    db.session.commit()
    html = login("quantri", Role.admin).get(URL).get_data(as_text=True)
    assert f"Bài viết #{article_id}" in html
    assert f'href="/bien-tap/bai-viet/{article_id}"' not in html


def test_filters_by_action_user_target_and_local_dates(logged, login):
    client = login("quantri", Role.admin)

    def shown(query: str) -> list[str]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, query
        return summaries(response.get_data(as_text=True))

    assert shown("hanh_dong=article.publish") == ["Xuất bản bài Hội nghị tổng kết"]
    assert shown("nguoi=API:") == ["Đơn vị gửi bài qua API"]  # any case, part of the name
    assert shown("nguoi=bientapvien") == [
        "Đăng nhập sai cho tài khoản bientapvien", "Xuất bản bài Hội nghị tổng kết",
        "Tạo bài Hội nghị tổng kết"]
    assert shown(f"loai=articles&ma={logged.id}") == [
        "Xuất bản bài Hội nghị tổng kết", "Tạo bài Hội nghị tổng kết"]
    assert shown("ma=999999") == []
    # Days are Vietnamese days: the 17:30 UTC attempt belongs to 2 March.
    assert shown("tu=2026-03-02&den=2026-03-02") == ["Đăng nhập sai cho tài khoản bientapvien"]
    assert len(shown("den=2026-03-01")) == 3
    assert shown("hanh_dong=article.create&tu=2026-03-01&den=2026-03-01") == [
        "Tạo bài Hội nghị tổng kết"]
    # The action select offers the actions present, in Vietnamese.
    html = client.get(URL).get_data(as_text=True)
    assert '<option value="api.submit">Gửi bài qua API</option>' in html
    assert '<option value="article.delete">' not in html


def test_pages_of_fifty_keep_the_filters(app, login):
    for n in range(120):
        add_entry("article.edit", START + timedelta(minutes=n), f"Sửa lần {n}",
                  username="bientap")
    add_entry("user.create", START, "Tạo tài khoản mới", username="quantri")
    db.session.commit()
    client = login("quantri", Role.admin)
    first = client.get(f"{URL}?hanh_dong=article.edit").get_data(as_text=True)
    assert summaries(first)[:2] == ["Sửa lần 119", "Sửa lần 118"]
    assert len(summaries(first)) == 50 and "1/3" in first
    assert 'href="/bien-tap/nhat-ky?trang=2&amp;hanh_dong=article.edit"' in first
    last = client.get(f"{URL}?hanh_dong=article.edit&trang=3").get_data(as_text=True)
    assert summaries(last) == [f"Sửa lần {n}" for n in range(19, -1, -1)]
    assert client.get(f"{URL}?trang=9").status_code == 200  # past the end: an empty page


@pytest.mark.parametrize("role", [Role.editor, Role.contributor])
def test_only_admins_read_the_log(logged, login, role):
    client = login("nhanvien", role)
    assert client.get(URL).status_code == 403
    assert 'href="/bien-tap/nhat-ky"' not in client.get("/bien-tap/").get_data(as_text=True)


def test_strangers_are_sent_to_the_login_page(app, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/bien-tap/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("query, message", [
    ("ma=abc", "Mã đối tượng phải là một số"),
    ("ma=-5", "Mã đối tượng phải là một số"),
    ("tu=2026-13-01", "Ngày không hợp lệ"),
    ("den=hôm-nay", "Ngày không hợp lệ"),
    ("tu=1900-01-01", "Ngày không hợp lệ"),
    ("tu=2026-03-05&den=2026-03-01", "Ngày kết thúc phải sau ngày bắt đầu"),
    ("trang=0", "Số trang không hợp lệ"),
    ("trang=mot", "Số trang không hợp lệ"),
    ("hanh_dong=<script>", "Hành động không hợp lệ"),
    ("loai=bài viết", "Loại đối tượng không hợp lệ"),
    ("nguoi=" + "x" * 81, "Tên người dùng quá dài"),
])
def test_bad_filters_are_a_400_saying_why(logged, login, query, message):
    response = login("quantri", Role.admin).get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if not query.startswith("trang="):  # the field at fault is marked
        assert 'aria-invalid="true"' in html
    assert "<script>" not in html.split('id="noi-dung"')[1]  # echoed back escaped

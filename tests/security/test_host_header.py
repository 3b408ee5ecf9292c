"""Links never come from the Host header: absolute URLs are made from SITE_URL, and a forged
Host or X-Forwarded-Host neither shows in a page, feed or file nor poisons the page cache."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.models import Role, User
from app.services import documents, schedules, workflow
from app.services.publishing import ArticleInput
from app.services.sections import category_named
from tests.security.conftest import fresh

pytestmark = pytest.mark.security
EVIL = "evil.example"
FORGED = [{"Host": EVIL}, {"X-Forwarded-Host": EVIL}, {"Host": EVIL, "X-Forwarded-Host": EVIL},
          {"Host": f"cong.hoaan.test@{EVIL}"}, {"X-Forwarded-Host": f"{EVIL}, cong.hoaan.test"},
          {"Forwarded": f"host={EVIL};proto=https"}]


@pytest.fixture
def content(app, make_user):
    from datetime import UTC, datetime, timedelta
    from io import BytesIO

    editor = make_user("bientap", role=Role.editor)
    section = category_named("Thời sự")
    db.session.commit()
    article = workflow.save(None, ArticleInput(
        title="Khai mạc kỳ họp thứ 12 Hội đồng nhân dân tỉnh", lede="Sáng 6/12.",
        body_html="<p>Kỳ họp xem xét 25 nội dung.</p>", category_id=section.id), editor,
        then="publish")
    document = documents.save_document(None, {
        "number": "05-NQ/TU", "doc_type": "Nghị quyết", "issuer": "Tỉnh ủy Hòa An",
        "signer": "", "issued_on": "05/01/2026", "summary": "Về chuyển đổi số.",
        "published": "on"}, documents.Upload(BytesIO(documents.demo_pdf(["NQ"])), "nq.pdf"))
    schedules.save_entry(None, schedules.ScheduleInput(
        starts_at=datetime.now(UTC) + timedelta(hours=2), ends_at=None, content="Họp giao ban",
        place="Hội trường", participants="", unit_id=None, published=True))
    return article, document, section


def urls(article, document, section) -> list[str]:
    return ["/", f"/bai-viet/{article.slug}", f"/chuyen-muc/{section.slug}/",
            f"/van-ban/{document.slug}", "/van-ban/", "/lich-cong-tac/", "/lich-cong-tac.ics",
            "/rss.xml", f"/rss/{section.slug}.xml", "/podcast.xml",
            f"/podcast/{section.slug}.xml", "/sitemap.xml", "/robots.txt",
            "/api/v1/articles", f"/api/v1/articles/{article.id}",
            "/tim-kiem?q=k%E1%BB%B3+h%E1%BB%8Dp"]


def check(app, content, count) -> None:
    pages = urls(*content)
    for headers in FORGED:
        client = app.test_client()
        for url in pages:
            body = fresh(client).get(url, headers=headers).get_data(as_text=True)
            assert EVIL not in body, (url, headers)
            count(1)
    honest = app.test_client()
    for url in pages:  # what a forged request may have put in the cache, a reader would get
        response = fresh(honest).get(url)
        assert EVIL not in response.get_data(as_text=True), url
        count(1)
    assert app.config["SITE_URL"] in fresh(honest).get(pages[1]).get_data(as_text=True)


def test_forged_hosts_change_no_link_and_poison_no_cached_page(app, content, monkeypatch,
                                                               tally):
    monkeypatch.setitem(app.config, "PAGE_CACHE_TTL", 300)
    check(app, content, tally("host header"))


def test_behind_a_proxy_forged_hosts_change_nothing_either(app_config, content, tally):
    class BehindProxy(app_config):
        TRUSTED_PROXIES = 1
        PAGE_CACHE_TTL = 300

    proxied = create_app(BehindProxy)
    with proxied.app_context():
        check(proxied, content, tally("host header"))
        db.session.remove()


def test_the_api_location_header_uses_the_site_url(app, content, tally):
    """A unit's system is told where its article went on the configured site."""
    from app.services.accounts import create_token

    unit = __import__("app.services.accounts", fromlist=["x"]).unit_named("Sở Y tế")
    admin = User(username="quantri", role=Role.admin, full_name="Quản trị")
    admin.set_password("mat-khau-dung")
    db.session.add(admin)
    db.session.commit()
    _row, token = create_token(unit, "Hệ thống của Sở", admin)
    response = app.test_client().post(
        "/api/v1/articles", json={"title": "Tin từ Sở", "body_html": "<p>Nội dung.</p>"},
        headers={"Authorization": f"Bearer {token}", "Host": EVIL})
    assert response.status_code == 201
    assert response.headers["Location"].startswith("https://cong.hoaan.test/bien-tap/")
    tally("host header")(1)

"""Browser defences on every kind of response: a Content-Security-Policy with no inline
script, nosniff, a Referrer-Policy, no framing of the newsroom, HSTS in production. A page the
cache middleware answers carries the same headers as a fresh one."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.models import Role
from app.services import workflow
from app.services.publishing import ArticleInput

pytestmark = pytest.mark.security


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def assert_defended(response, newsroom: bool) -> None:
    csp = policy(response)
    assert csp["script-src"] == "script-src 'self'"  # no inline script, no eval, no CDN
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["object-src"] == "object-src 'none'" and csp["base-uri"] == "base-uri 'self'"
    assert csp["frame-ancestors"] == ("frame-ancestors 'none'" if newsroom
                                      else "frame-ancestors 'self'")
    assert response.headers["X-Frame-Options"] == ("DENY" if newsroom else "SAMEORIGIN")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: make run


@pytest.fixture
def article(app, make_user):
    editor = make_user("bientap", role=Role.editor)
    return workflow.save(None, ArticleInput(title="Tin nóng", body_html="<p>Nội dung.</p>"),
                         editor, then="publish")


def test_public_pages_fresh_and_cached_carry_the_same_defences(app, client, article,
                                                               monkeypatch, tally):
    count = tally("headers")
    monkeypatch.setitem(app.config, "PAGE_CACHE_TTL", 300)
    for url in ("/", f"/bai-viet/{article.slug}", "/rss.xml", "/api/v1/articles",
                "/khong-co-trang-nay", "/static/css/site.css"):
        first, second = client.get(url), client.get(url)
        for response in (first, second):
            assert_defended(response, newsroom=url.startswith("/api/"))
            count(1)
    assert client.get("/").headers.get("X-Page-Cache") == "hit"  # the middleware's answer


def test_newsroom_pages_refuse_framing(login, tally):
    staff = login("bientap", Role.editor)
    for url in ("/bien-tap/", "/bien-tap/bai-viet/moi", "/bien-tap/dang-nhap"):
        assert_defended(staff.get(url), newsroom=True)
        tally("headers")(1)


def test_production_sends_hsts(app_config, tally):
    class Production(app_config):
        HSTS_SECONDS = 365 * 24 * 3600

    prod = create_app(Production)
    with prod.app_context():
        response = prod.test_client().get("/")
        assert response.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"
        db.session.remove()
    from config import ProdConfig

    assert ProdConfig.HSTS_SECONDS >= 180 * 24 * 3600
    tally("headers")(1)


def test_media_may_come_from_the_object_store_only(app, client, tally):
    csp = policy(client.get("/"))
    store = app.config["S3_ENDPOINT_URL"].rstrip("/")
    for directive in ("img-src", "media-src", "connect-src"):
        assert store in csp[directive].split(), directive
    assert csp["default-src"] == "default-src 'self'"
    tally("headers")(1)

"""Every route from the URL map: state changes need a CSRF token, the newsroom needs a login,
and each route reads at most its own body limit. A new route joins these checks by existing."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from app.http_security import route_body_limit
from app.models import Role
from tests.security.conftest import fresh, token_for

pytestmark = pytest.mark.security

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that take no CSRF token, each for a reason a reviewer can check.
CSRF_EXEMPT = {
    # Anonymous readers post from pages shared through the page cache; no session acts, and
    # the browser's Origin must be the site's (tests/app/services/test_comments.py).
    "public.post_comment",
    # A unit's own system, with a Bearer token; session cookies are not accepted there
    # (test_the_api_takes_no_cookie_for_a_token below).
    "api.submit_article",
}
# Routes with a body limit of their own (the rest read at most FORM_MAX_BYTES).
OWN_LIMITS = {
    "public.post_comment": "COMMENT_MAX_BYTES",
    "api.submit_article": "API_MAX_BODY_BYTES",
    "editor.edit": "BODY_IMAGE_MAX_BYTES",  # the form carries the cover
    "editor.body_image": "BODY_IMAGE_MAX_BYTES",
    "editor.banners_page": "BODY_IMAGE_MAX_BYTES",
    "editor.site_settings": "SITE_EMBLEM_MAX_BYTES",  # the form carries the emblem
    "editor.documents_page": "DOCUMENT_MAX_BYTES",
    "editor.upload_video": "VIDEO_FORM_MAX_BYTES",  # the form without JavaScript
    "editor.upload_captions": None,  # a fixed 1 MB (media_pipeline.captions.MAX_BYTES)
    "editor.autosave": None,  # a fixed 2 MB (app.services.drafting.AUTOSAVE_MAX_BYTES)
}
# Newsroom endpoints open without a login.
OPEN_NEWSROOM = {"editor.login"}


def concrete_url(app, rule: Rule, **known: object) -> str:
    """The rule with every argument filled (an id, a slug, or what `known` gives): what is
    checked here happens before the view looks anything up."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # noqa: SLF001 (the map's own converters)
        values[name] = known.get(name, 1 if isinstance(converter, IntegerConverter) else "x")
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def rules(app, methods: set[str]) -> list[tuple[Rule, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & methods):
            found.append((rule, method))
    return found


def test_every_state_changing_route_refuses_a_request_without_a_csrf_token(
        app, client, login, tally):
    """Anonymous and logged in as an admin: 400 before anything happens."""
    count = tally("csrf")
    admin = login("quantri", Role.admin)
    checked = 0
    for rule, method in rules(app, STATE_CHANGING):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = concrete_url(app, rule)
        for who in (app.test_client(), admin):
            response = fresh(who).open(url, method=method, data={"title": "x"})
            assert response.status_code == 400, (method, url, response.status_code)
            checked += 1
    count(checked)
    assert checked >= 100  # the newsroom's many forms are all here


def test_the_exempt_routes_are_the_only_ones(app):
    """Flask-WTF's exemptions match the list above and nothing else."""
    from app.extensions import csrf

    exempt = {name.rsplit(".", 1)[-1] for name in csrf._exempt_views}  # noqa: SLF001
    exempt |= {f"{getattr(bp, 'name', bp)}.*" for bp in csrf._exempt_blueprints}  # noqa: SLF001
    assert exempt == {"post_comment", "api.*"}
    api_writes = {r.endpoint for r, _m in rules(app, STATE_CHANGING)
                  if r.endpoint.startswith("api.")}
    assert api_writes <= CSRF_EXEMPT


def test_the_api_takes_no_cookie_for_a_token(login, tally):
    """A logged-in editor's browser cannot be made to post to the API (no CSRF token there)."""
    editor = login("bientap", Role.editor)
    response = editor.post("/api/v1/articles", json={"title": "x", "body_html": "<p>x</p>"})
    assert response.status_code == 401
    tally("csrf")(1)


def test_every_newsroom_route_without_a_login_goes_to_the_login_page(app, tally):
    """GET pages redirect to the login form; forms posted with a valid token but no login do
    too (JSON endpoints answer 401 with a Vietnamese message instead of a page)."""
    count = tally("login required")
    checked = 0
    for rule, method in rules(app, {"GET", *STATE_CHANGING}):
        if rule.endpoint in OPEN_NEWSROOM or not rule.endpoint.startswith("editor."):
            continue
        client = app.test_client()
        url = concrete_url(app, rule)
        data = {"csrf_token": token_for(client)} if method != "GET" else None
        response = fresh(client).open(url, method=method, data=data)
        if response.status_code == 401:
            assert response.is_json and response.get_json()["error"], (method, url)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/bien-tap/dang-nhap"), (method, url)
        checked += 1
    count(checked)
    assert checked >= 75


def test_every_route_reads_at_most_its_own_body_limit(app, make_user, tally):
    """Each state-changing route's limit is the default form limit or one named above; the
    ones small enough to try refuse one byte more with a 413 before parsing anything."""
    from app.services import workflow
    from app.services.accounts import create_token, unit_named
    from app.services.publishing import ArticleInput

    count = tally("body limits")
    editor = make_user("bientap", role=Role.admin)
    article = workflow.save(None, ArticleInput(title="Tin có ý kiến", body_html="<p>Nội dung.</p>"),
                            editor, then="publish")
    _row, token = create_token(unit_named("Sở Tài chính"), "Hệ thống", editor)
    bearer = {"Authorization": f"Bearer {token}"}  # the API reads nothing unauthenticated
    default = app.config["MAX_CONTENT_LENGTH"]
    for rule, method in rules(app, STATE_CHANGING):
        limit = route_body_limit(app, rule.endpoint)
        setting = OWN_LIMITS.get(rule.endpoint, "default")
        if rule.endpoint not in OWN_LIMITS:
            assert limit == default, rule.endpoint
        elif setting is not None:
            assert app.config[setting] <= limit <= app.config[setting] + 4 * 1024**2, \
                rule.endpoint
        if limit <= 2 * 1024 * 1024:
            url = concrete_url(app, rule, slug=article.slug)
            response = app.test_client().open(url, method=method, headers=bearer,
                                              data=b"x" * (limit + 1),
                                              content_type="application/octet-stream")
            assert response.status_code == 413, (rule.endpoint, response.status_code)
        count(1)
    assert route_body_limit(app, "public.post_comment") < 100 * 1024  # kilobytes, not gigabytes
    # The newsroom's big limits are a logged-in session's: a stranger's upload is refused
    # before it is read (then, with a token, it would only be refused for want of a login).
    stranger = app.test_client().post(f"/bien-tap/bai-viet/{article.id}/video",
                                      data=b"x" * (default + 1),
                                      content_type="application/octet-stream")
    assert stranger.status_code == 413
    count(1)

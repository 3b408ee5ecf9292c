from sqlalchemy import select

from app.extensions import db
from app.models import InfoPage, Role
from tests.conftest import csrf_token


def test_an_admin_publishes_an_info_page_linked_from_every_footer(login, client):
    """The editorial board page: written by an admin, sanitized, linked in the footer."""
    client = login("quantri", role=Role.admin)
    response = client.post("/bien-tap/trang", data={
        "csrf_token": csrf_token(client, "/bien-tap/trang"), "title": "Ban Biên tập",
        "body_html": "<p>Trưởng ban: …</p><script>alert(1)</script>", "position": "1",
        "published": "on"})
    assert response.status_code == 303
    page = db.session.scalar(select(InfoPage))
    assert page.slug == "ban-bien-tap" and "script" not in page.body_html
    public = client.get("/trang/ban-bien-tap")
    assert public.status_code == 200 and "Trưởng ban" in public.get_data(as_text=True)
    assert 'href="/trang/ban-bien-tap"' in client.get("/").get_data(as_text=True)


def test_hidden_pages_are_404_and_editors_cannot_manage_pages(login, client):
    db.session.add(InfoPage(title="Quy chế", slug="quy-che", body_html="<p>x</p>",
                            published=False))
    db.session.commit()
    assert client.get("/trang/quy-che").status_code == 404
    editor = login("bientap", role=Role.editor)
    assert editor.get("/bien-tap/trang").status_code == 403


def test_an_empty_title_is_refused(login):
    client = login("quantri", role=Role.admin)
    response = client.post("/bien-tap/trang", data={
        "csrf_token": csrf_token(client, "/bien-tap/trang"), "title": " ", "body_html": "x"})
    assert response.status_code == 422
    assert db.session.scalar(select(InfoPage)) is None

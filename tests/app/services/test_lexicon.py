from rq import Queue
from sqlalchemy import select

from app.extensions import db
from app.media.queues import SERIALIZER
from app.models import LexiconEntry, Role
from tests.conftest import csrf_token


def test_only_admins_reach_the_lexicon(login):
    client = login("bientap", role=Role.editor)
    assert client.get("/bien-tap/tu-dien").status_code == 403


def test_an_admin_adds_a_term_and_articles_using_it_are_narrated_again(
        login, make_article, redis_conn):
    mentioned = make_article("Hội nghị tại TP.HCM", body_html="<p>Đoàn công tác TP.HCM.</p>")
    make_article("Tin khác", body_html="<p>Không liên quan.</p>")
    Queue("narration", connection=redis_conn, serializer=SERIALIZER).empty()
    client = login("quantri", role=Role.admin)
    response = client.post("/bien-tap/tu-dien", data={
        "term": "TP.HCM", "spoken": "thành phố Hồ Chí Minh",
        "csrf_token": csrf_token(client, "/bien-tap/tu-dien")})
    assert response.status_code == 303
    entry = db.session.scalar(select(LexiconEntry))
    assert (entry.term, entry.spoken) == ("TP.HCM", "thành phố Hồ Chí Minh")
    jobs = Queue("narration", connection=redis_conn, serializer=SERIALIZER).jobs
    assert [j.args for j in jobs] == [[mentioned.asset("audio").id]]
    page = client.get("/bien-tap/tu-dien").get_data(as_text=True)
    assert "thành phố Hồ Chí Minh" in page


def test_saving_a_term_again_changes_how_it_is_said(login):
    client = login("quantri", role=Role.admin)
    for spoken in ("một", "hai"):
        client.post("/bien-tap/tu-dien", data={
            "term": "BCĐ", "spoken": spoken,
            "csrf_token": csrf_token(client, "/bien-tap/tu-dien")})
    entries = db.session.scalars(select(LexiconEntry))
    assert [(e.term, e.spoken) for e in entries] == [("BCĐ", "hai")]


def test_empty_or_oversized_entries_are_refused(login):
    client = login("quantri", role=Role.admin)
    for term, spoken in (("", "x"), ("x" * 101, "y")):
        response = client.post("/bien-tap/tu-dien", data={
            "term": term, "spoken": spoken, "csrf_token": csrf_token(client, "/bien-tap/tu-dien")})
        assert response.status_code == 422
    assert db.session.scalar(select(LexiconEntry)) is None


def test_deleting_a_term(login):
    client = login("quantri", role=Role.admin)
    client.post("/bien-tap/tu-dien", data={
        "term": "UBMTTQ", "spoken": "ủy ban mặt trận",
        "csrf_token": csrf_token(client, "/bien-tap/tu-dien")})
    entry = db.session.scalar(select(LexiconEntry))
    response = client.post(f"/bien-tap/tu-dien/{entry.id}/xoa",
                           data={"csrf_token": csrf_token(client, "/bien-tap/tu-dien")})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(LexiconEntry)) is None

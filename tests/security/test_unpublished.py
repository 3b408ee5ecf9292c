"""Unpublished means unpublished: drafts, submitted, returned, scheduled and withdrawn articles
are on no public URL — page, API, feed, sitemap, search, page cache — not even for logged-in
staff, who use the preview. Their files (a draft's pictures, a preview narration) are private;
a withdrawn document's file and a deleted article's files stop being served at once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.media import lifecycle
from app.media.storage_keys import HIDDEN, is_hidden, shown
from app.models import Article, ArticleStatus, MediaStatus, Role, User
from app.models.base import utcnow
from app.services import documents, drafting, workflow
from app.services.accounts import unit_named
from app.services.publishing import ArticleInput
from app.services.sections import category_named

pytestmark = pytest.mark.security
HIDDEN_STATES = ("draft", "submitted", "returned", "scheduled", "withdrawn")


def anonymous_get(store, key: str) -> int:
    """What a stranger gets for `key` at its public address (no signature)."""
    return requests.get(f"{store.public_url}/{key}", timeout=5).status_code


@pytest.fixture
def people(app, make_user):
    unit = unit_named("Sở Nội vụ")
    db.session.commit()
    return (make_user("bientap", role=Role.editor),
            make_user("congtacvien", role=Role.contributor, unit=unit), unit)


def make_in_state(state: str, editor: User, contributor: User, unit, section) -> Article:
    data = ArticleInput(title=f"Tin mật {state} tuyệt đối", lede=f"Tóm tắt mật {state}.",
                        body_html=f"<p>Nội dung mật {state} chưa được công bố.</p>",
                        category_id=section.id, unit_id=unit.id)
    article = workflow.save(None, data, contributor)
    if state in ("submitted", "returned"):
        workflow.submit(article, contributor)
    if state == "returned":
        workflow.return_to_unit(article, editor, "Bổ sung số liệu.")
    if state == "scheduled":
        workflow.schedule(article, editor, utcnow() + timedelta(days=2))
    if state == "withdrawn":
        workflow.publish(article, editor)
        workflow.unpublish(article, editor)
    return article


def test_unpublished_articles_are_on_no_public_surface_even_for_staff(
        app, client, login, people, monkeypatch, tally):
    count = tally("unpublished")
    editor, contributor, unit = people
    monkeypatch.setitem(app.config, "PAGE_CACHE_TTL", 300)
    section = category_named("Thời sự")
    control = workflow.save(None, ArticleInput(
        title="Tin công khai đã xuất bản", body_html="<p>Ai cũng đọc được.</p>",
        category_id=section.id, unit_id=unit.id), editor, then="publish")
    hidden = {state: make_in_state(state, editor, contributor, unit, section)
              for state in HIDDEN_STATES}
    staff = login("quantri", Role.admin)
    lists = ["/", f"/chuyen-muc/{section.slug}/", "/rss.xml", f"/rss/{section.slug}.xml",
             "/podcast.xml", "/sitemap.xml", "/api/v1/articles?per_page=100",
             "/tim-kiem?q=m%E1%BA%ADt", "/tim-kiem?q=mat",
             "/tim-kiem?q=tuy%E1%BB%87t+%C4%91%E1%BB%91i"]
    for who in (client, staff):
        for url in lists:
            body = who.get(url).get_data(as_text=True)
            for state, article in hidden.items():
                assert article.title not in body and f"/bai-viet/{article.slug}" not in body, \
                    (url, state)
                count(1)
        assert control.title in who.get("/").get_data(as_text=True)
        for state, article in hidden.items():
            assert who.get(f"/bai-viet/{article.slug}").status_code == 404, state
            assert who.get(f"/api/v1/articles/{article.id}").status_code == 404, state
            count(2)
    for article in hidden.values():  # staff read them in the preview instead
        preview = staff.get(f"/bien-tap/bai-viet/{article.id}/xem-truoc")
        assert preview.status_code == 200 and article.title in preview.get_data(as_text=True)
        assert preview.headers["Cache-Control"] == "private, no-store"


def test_a_withdrawn_article_leaves_the_page_cache_at_once(app, client, people, monkeypatch,
                                                           tally):
    editor, _contributor, unit = people
    monkeypatch.setitem(app.config, "PAGE_CACHE_TTL", 300)
    article = workflow.save(None, ArticleInput(title="Tin sẽ bị gỡ", body_html="<p>Nội dung.</p>",
                                               unit_id=unit.id), editor, then="publish")
    url = f"/bai-viet/{article.slug}"
    assert client.get(url).status_code == 200
    assert client.get(url).headers.get("X-Page-Cache") == "hit"
    workflow.unpublish(article, editor)
    assert client.get(url).status_code == 404
    assert "Tin sẽ bị gỡ" not in client.get("/").get_data(as_text=True)
    tally("unpublished")(2)


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 360), (30, 120, 60)).save(buf, "PNG")
    return buf.getvalue()


def test_a_drafts_pictures_and_preview_narration_are_private_until_published(
        app, people, store, run_worker, tally):
    count = tally("unpublished")
    editor, _contributor, unit = people
    article = workflow.save(None, ArticleInput(
        title="Bản nháp có ảnh và bản nghe thử", lede="Chưa công bố.",
        body_html="<p>Nội dung bản nháp.</p>", unit_id=unit.id), editor)
    image = drafting.add_body_image(article, io.BytesIO(png_bytes()), "Ảnh chưa công bố", editor)
    lifecycle.request_preview_narration(article)
    run_worker()
    db.session.refresh(article)
    audio = article.asset("audio")
    assert audio.status is MediaStatus.ready
    draft_keys = [image.key, *(audio.outputs[k] for k in ("mp3", "vtt", "timings"))]
    for key in draft_keys:
        assert key.startswith(HIDDEN), key
        assert anonymous_get(store, key) in (403, 404), key  # not readable as it is
        assert anonymous_get(store, shown(key)) in (403, 404), key  # nor at the public place
        assert requests.get(store.url(key, presigned=True), timeout=5).status_code == 200
        count(3)

    workflow.publish(article, editor)
    run_worker()  # the move to public, then narration again (now online engines may speak)
    db.session.refresh(image)
    db.session.refresh(audio)
    assert not is_hidden(image.key) and not is_hidden(audio.outputs["mp3"])
    assert anonymous_get(store, image.key) == 200
    assert anonymous_get(store, audio.outputs["mp3"]) == 200
    for key in draft_keys:  # the hidden copies are gone
        assert not store.exists(key), key

    workflow.unpublish(article, editor)
    run_worker()
    db.session.refresh(image)
    db.session.refresh(audio)
    assert is_hidden(image.key) and is_hidden(audio.outputs["mp3"])
    assert anonymous_get(store, shown(image.key)) in (403, 404)
    assert anonymous_get(store, shown(audio.outputs["mp3"])) in (403, 404)
    count(4)


def test_a_withdrawn_documents_file_stops_being_served_at_once(app, store, tally):
    pdf = documents.demo_pdf(["Quyết định số 12"])
    document = documents.save_document(None, {
        "number": "12/QĐ-UBND", "doc_type": "Quyết định", "issuer": "UBND tỉnh Hòa An",
        "signer": "", "issued_on": "05/01/2026", "summary": "Về việc thử.", "published": "on"},
        documents.Upload(io.BytesIO(pdf), "quyet-dinh.pdf"))
    public_key = document.file_key
    assert anonymous_get(store, public_key) == 200
    documents.set_published(document, False)  # no worker: at once
    assert anonymous_get(store, public_key) in (403, 404)
    assert is_hidden(document.file_key) and anonymous_get(store, document.file_key) in (403, 404)
    documents.set_published(document, True)
    assert anonymous_get(store, public_key) == 200
    draft = documents.save_document(None, {
        "number": "13/QĐ-UBND", "doc_type": "Quyết định", "issuer": "UBND tỉnh Hòa An",
        "signer": "", "issued_on": "05/01/2026", "summary": "Chưa công bố."},
        documents.Upload(io.BytesIO(pdf), "du-thao.pdf"))
    assert is_hidden(draft.file_key) and anonymous_get(store, shown(draft.file_key)) in (403, 404)
    tally("unpublished")(4)


def test_a_deleted_articles_files_stop_being_served_at_once(app, people, store, run_worker,
                                                            tally):
    editor, _contributor, unit = people
    article = workflow.save(None, ArticleInput(
        title="Tin sẽ bị xóa", lede="Có bản nghe.", body_html="<p>Nội dung có bản nghe.</p>",
        unit_id=unit.id), editor, then="publish")
    run_worker()
    db.session.refresh(article)
    mp3 = article.asset("audio").outputs["mp3"]
    assert anonymous_get(store, mp3) == 200
    workflow.unpublish(article, editor)  # its move to private is queued, not yet run…
    workflow.delete(db.session.get(Article, article.id), editor)  # …and it is deleted now
    assert anonymous_get(store, mp3) in (403, 404)
    assert db.session.scalar(select(Article).where(Article.status == ArticleStatus.published)) \
        is None
    tally("unpublished")(1)


def test_unpublished_documents_and_schedule_entries_are_on_no_public_surface(
        app, client, login, tally):
    from datetime import UTC, datetime

    from app.services import schedules

    pdf = documents.demo_pdf(["Dự thảo"])
    draft = documents.save_document(None, {
        "number": "99/QĐ-UBND", "doc_type": "Quyết định", "issuer": "UBND tỉnh Hòa An",
        "signer": "", "issued_on": "05/01/2026", "summary": "Dự thảo mật về ngân sách."},
        documents.Upload(io.BytesIO(pdf), "du-thao.pdf"))
    entry = schedules.save_entry(None, schedules.ScheduleInput(
        starts_at=datetime.now(UTC) + timedelta(hours=3), ends_at=None,
        content="Họp kín về nhân sự", place="Phòng họp số 2", participants="",
        unit_id=None, published=False))
    staff = login("quantri", Role.admin)
    for who in (client, staff):
        assert who.get(f"/van-ban/{draft.slug}").status_code == 404
        for url in ("/van-ban/", "/van-ban/?q=ng%C3%A2n+s%C3%A1ch", "/lich-cong-tac/",
                    "/lich-cong-tac.ics", "/tim-kiem?q=ng%C3%A2n+s%C3%A1ch",
                    "/tim-kiem?q=h%E1%BB%8Dp+k%C3%ADn"):
            body = who.get(url).get_data(as_text=True)
            assert "99/QĐ-UBND" not in body and "Dự thảo mật" not in body, url
            assert entry.content not in body, url
        tally("unpublished")(7)


def test_a_private_video_plays_in_the_newsroom_only_by_signed_segments(
        app, client, login, people, store, run_worker, tally):
    """A draft's video: the newsroom's player gets playlists from the portal that sign each
    segment; a stranger gets nothing, and the same route serves no public render."""
    from media_pipeline.samples import make_video

    editor, _contributor, unit = people
    article = workflow.save(None, ArticleInput(title="Bản nháp có video",
                                               body_html="<p>Nội dung.</p>", unit_id=unit.id),
                            editor)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        clip = make_video(Path(tmp) / "clip.mp4", seconds=2, size=(320, 180))
        with clip.open("rb") as fh:
            asset = lifecycle.attach_video(article, fh, "clip.mp4")
    run_worker()
    db.session.refresh(asset)
    assert is_hidden(asset.outputs["hls"])
    url = f"/bien-tap/media/{asset.id}/hls/master.m3u8"
    assert client.get(url).status_code == 302  # a stranger: to the login page
    staff = login("quantri", Role.admin)
    master = staff.get(url).get_data(as_text=True)
    rung = next(line for line in master.splitlines() if line.endswith(".m3u8"))
    playlist = staff.get(f"/bien-tap/media/{asset.id}/hls/{rung}").get_data(as_text=True)
    segments = [line for line in playlist.splitlines() if line and not line.startswith("#")]
    assert segments and all("X-Amz-Signature=" in s for s in segments)
    assert requests.get(segments[0], timeout=5).status_code == 200
    assert anonymous_get(store, asset.outputs["hls"]) in (403, 404)
    assert staff.get(f"/bien-tap/media/{asset.id}/hls/../../secret.m3u8").status_code == 404
    workflow.publish(article, editor)
    run_worker()
    assert staff.get(url).status_code == 404  # published: readers' own public URLs instead
    tally("unpublished")(4)


def test_files_stored_before_the_rule_are_put_in_place_by_a_command(app, people, store, runner,
                                                                    tally):
    """A draft whose picture sits at a public key (stored by an older version) is hidden by
    `flask media sync-visibility`."""
    editor, _contributor, unit = people
    article = workflow.save(None, ArticleInput(title="Bản nháp cũ", body_html="<p>x</p>",
                                               unit_id=unit.id), editor)
    image = drafting.add_body_image(article, io.BytesIO(png_bytes()), "", editor)
    public = shown(image.key)
    store.copy(image.key, public)
    store.delete(image.key)
    image.key = public
    db.session.commit()
    assert anonymous_get(store, public) == 200
    result = runner.invoke(args=["media", "sync-visibility"])
    assert "1 tệp" in result.output
    db.session.refresh(image)
    assert is_hidden(image.key) and anonymous_get(store, public) in (403, 404)
    tally("unpublished")(1)

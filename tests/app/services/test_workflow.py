"""The editorial workflow: draft → submitted → published / scheduled / returned, who may do
which step, revisions and their differences, and save conflicts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.media import queues
from app.media.queues import SERIALIZER
from app.media.queues import queue as rq_queue
from app.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    AuditEntry,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
    User,
)
from app.services import workflow
from app.services.accounts import unit_named
from app.services.errors import Conflict
from app.services.publishing import ArticleInput
from tests.conftest import csrf_token

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def unit(app):
    unit = unit_named("Sở Văn hóa, Thể thao và Du lịch")
    db.session.commit()
    return unit


def draft(user, unit, category, title="Lễ hội Nghinh Ông năm 2026", **fields) -> Article:
    """A unit's draft, written through the workflow as its contributor would."""
    data = ArticleInput(title=title, lede=fields.pop("lede", "Lễ hội diễn ra ba ngày."),
                        body_html=fields.pop("body_html", "<p>Hàng nghìn người dự lễ.</p>"),
                        category_id=category.id, unit_id=unit.id, **fields)
    return workflow.save(None, data, user)


def fields_of(article: Article, **changes) -> dict[str, str]:
    data = {"title": article.title, "lede": article.lede, "body_html": article.body_html,
            "category_id": str(article.category_id or 0), "unit_id": str(article.unit_id or 0),
            "author_name": article.author_name, "cover_caption": article.cover_caption,
            "listen_source": article.listen_source.value, "version": str(article.version)}
    data.update(changes)
    return data


def post_edit(client, article: Article | None, **fields):
    url = f"/bien-tap/bai-viet/{article.id}" if article else "/bien-tap/bai-viet/moi"
    data = fields_of(article, **fields) if article else fields
    data["csrf_token"] = csrf_token(client, "/bien-tap/")
    return client.post(url, data=data)


def post(client, url: str, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, "/bien-tap/"), **fields})


def narration_jobs(redis_conn) -> int:
    return Queue(queues.NARRATION, connection=redis_conn, serializer=SERIALIZER).count


def media_rows() -> int:
    return db.session.scalar(select(func.count(MediaAsset.id)))


def actions_logged(article: Article) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "articles", AuditEntry.target_id == article.id)
        .order_by(AuditEntry.id)))


def reload(article: Article) -> Article:
    db.session.expire_all()
    return db.session.get(Article, article.id)


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def public_get(app, url: str):
    """A reader's request. (Requests in a test share its app context, so `g` would carry the
    last logged-in user over: drop it before and after.)"""
    g.pop("_login_user", None)
    try:
        return app.test_client().get(url)
    finally:
        g.pop("_login_user", None)


def local_input(moment: datetime) -> str:
    return moment.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


# --- a contributor's draft on its way ------------------------------------------------------

def test_a_contributor_writes_and_submits_a_draft_and_nothing_is_narrated(
        login, unit, category, redis_conn):
    client = login("ctv", role=Role.contributor, unit=unit)
    response = post_edit(client, None, title="Khai mạc tuần lễ văn hóa", lede="",
                         body_html="<p>Tuần lễ kéo dài bảy ngày.</p>",
                         category_id=str(category.id), unit_id=str(unit.id), save="Lưu nháp")
    assert response.status_code == 302
    article = db.session.scalar(select(Article))
    assert article.status is ArticleStatus.draft and article.version == 1

    response = post_edit(client, article, body_html="<p>Tuần lễ kéo dài tám ngày.</p>",
                         send_for_review="Gửi duyệt")
    assert response.status_code == 302
    article = reload(article)
    assert article.status is ArticleStatus.submitted and article.submitted_at is not None
    assert "tám ngày" in article.body_html
    assert actions_logged(article) == ["article.create", "article.edit", "article.submit"]
    # Saving and submitting a draft never starts narration or a briefing.
    assert media_rows() == 0 and narration_jobs(redis_conn) == 0


def test_a_submitted_or_published_article_is_locked_for_its_contributor(
        login, unit, category, make_user):
    contributor = make_user("ctv", role=Role.contributor, unit=unit)
    article = draft(contributor, unit, category)
    workflow.submit(article, contributor)
    client = login("ctv2", role=Role.contributor, unit=unit)

    page = client.get(f"/bien-tap/bai-viet/{article.id}")
    assert page.status_code == 200 and "chưa thể sửa" in page.get_data(as_text=True)
    for button in ({"save": "Lưu nháp"}, {"send_for_review": "Gửi duyệt"}):
        response = post_edit(client, article, title="Sửa lén sau khi gửi", **button)
        assert response.status_code == 403
    article = reload(article)
    assert article.title == "Lễ hội Nghinh Ông năm 2026" and article.version == 2

    workflow.publish(article, None)
    response = post_edit(client, reload(article), title="Sửa bài đã đăng", save="Lưu nháp")
    assert response.status_code == 403
    assert reload(article).title == "Lễ hội Nghinh Ông năm 2026"


def test_a_contributor_cannot_touch_another_units_articles(login, unit, category,
                                                           make_user):
    other_unit = unit_named("Sở Y tế")
    db.session.commit()
    writer = make_user("ctv-yte", role=Role.contributor, unit=other_unit)
    article = draft(writer, other_unit, category)
    client = login("ctv", role=Role.contributor, unit=unit)
    assert client.get(f"/bien-tap/bai-viet/{article.id}").status_code == 403
    response = post_edit(client, article, title="Không phải bài của mình", save="Lưu nháp")
    assert response.status_code == 403
    assert reload(article).title == "Lễ hội Nghinh Ông năm 2026"
    assert "Lễ hội Nghinh Ông" not in client.get("/bien-tap/").get_data(as_text=True)


@pytest.mark.parametrize("button", [
    {"publish": "Xuất bản"},
    {"schedule": "Hẹn giờ xuất bản", "publish_at": "2099-01-01T08:00"},
    {"return_to_unit": "Trả lại", "return_note": "Tự trả lại"},
])
def test_a_contributor_cannot_publish_schedule_or_return(login, unit, category, redis_conn,
                                                        button):
    client = login("ctv", role=Role.contributor, unit=unit)
    article = draft(user_named("ctv"), unit, category)
    if "return_to_unit" in button:
        workflow.submit(article, None)
        article = reload(article)
    before = (article.status, article.version, article.body_html)
    response = post_edit(client, article, body_html="<p>Đổi nội dung rồi bấm nút.</p>",
                         **button)
    assert response.status_code == 403
    article = reload(article)
    assert (article.status, article.version, article.body_html) == before
    assert media_rows() == 0 and narration_jobs(redis_conn) == 0


def test_a_contributor_cannot_unpublish_delete_restore_or_open_the_review_queue(
        login, unit, category, make_article):
    published = make_article()
    client = login("ctv", role=Role.contributor, unit=unit)
    own = draft(user_named("ctv"), unit, category)
    published.unit_id = unit.id
    db.session.commit()
    assert post(client, f"/bien-tap/bai-viet/{published.id}/go-xuong").status_code == 403
    assert post(client, f"/bien-tap/bai-viet/{own.id}/xoa").status_code == 403
    assert post(client, f"/bien-tap/bai-viet/{own.id}/phien-ban/1/khoi-phuc").status_code == 403
    assert client.get("/bien-tap/duyet-bai").status_code == 403
    assert reload(published).status is ArticleStatus.published
    assert db.session.get(Article, own.id) is not None


# --- the editor's review ---------------------------------------------------------------------

def test_the_review_queue_lists_submissions_oldest_first_with_unit_and_submitter(
        login, unit, category, make_user):
    contributor = make_user("nguyenvana", role=Role.contributor, unit=unit)
    first = draft(contributor, unit, category, title="Bài gửi trước")
    workflow.submit(first, contributor)
    second = draft(contributor, unit, category, title="Bài gửi sau")
    workflow.submit(second, None, actor="api:ab12cd")
    first.submitted_at = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    db.session.commit()

    page = login().get("/bien-tap/duyet-bai").get_data(as_text=True)
    assert page.index("Bài gửi trước") < page.index("Bài gửi sau")
    assert "Sở Văn hóa, Thể thao và Du lịch" in page
    assert "Nguyenvana" in page and "api:ab12cd" in page  # a user's name, a token's
    assert "08:00 01/03/2026" in page


def test_returning_needs_a_comment_which_the_contributor_then_sees(login, unit, category,
                                                                   make_user, redis_conn):
    contributor = make_user("ctv", role=Role.contributor, unit=unit)
    article = draft(contributor, unit, category)
    workflow.submit(article, contributor)
    editor = login()

    response = post_edit(editor, reload(article), return_to_unit="Trả lại", return_note="  ")
    assert response.status_code == 422
    assert "Vui lòng ghi lý do trả lại" in response.get_data(as_text=True)
    assert reload(article).status is ArticleStatus.submitted

    note = "Thiếu nguồn ảnh & tên tác giả <b>ảnh bìa</b>."
    response = post_edit(editor, reload(article), return_to_unit="Trả lại", return_note=note)
    assert response.status_code == 302
    article = reload(article)
    assert article.status is ArticleStatus.returned and article.review_note == note
    assert actions_logged(article)[-1] == "article.return"
    revision = db.session.scalar(select(ArticleRevision).where(
        ArticleRevision.number == article.version))
    assert revision.note == note
    assert media_rows() == 0 and narration_jobs(redis_conn) == 0

    editor.post("/bien-tap/dang-xuat", data={"csrf_token": csrf_token(editor, "/bien-tap/")})
    ctv = login("ctv-2", role=Role.contributor, unit=unit)
    escaped = "Thiếu nguồn ảnh &amp; tên tác giả &lt;b&gt;ảnh bìa&lt;/b&gt;."
    page = ctv.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    assert "Ban biên tập đã trả lại bài này" in page and escaped in page
    listing = ctv.get("/bien-tap/").get_data(as_text=True)
    assert "Bị trả lại" in listing and escaped in listing
    # Fixed and sent again.
    response = post_edit(ctv, article, lede="Có nguồn ảnh.", send_for_review="Gửi duyệt")
    assert response.status_code == 302
    assert reload(article).status is ArticleStatus.submitted


@pytest.mark.parametrize("role", [Role.editor, Role.admin])
def test_publishing_a_submission_queues_its_narration(login, unit, category, make_user,
                                                      redis_conn, role):
    contributor = make_user("ctv", role=Role.contributor, unit=unit)
    article = draft(contributor, unit, category)
    workflow.submit(article, contributor)
    client = login("truongban", role=role)
    response = post_edit(client, reload(article), publish="Xuất bản")
    assert response.status_code == 302
    article = reload(article)
    assert article.status is ArticleStatus.published and article.published_at is not None
    audio = article.asset("audio")
    assert audio.status is MediaStatus.queued
    assert [j.args for j in rq_queue(queues.NARRATION, redis_conn).jobs] == [
        [audio.id]]
    assert actions_logged(article)[-1] == "article.publish"


def test_steps_that_do_not_apply_are_refused_and_change_nothing(unit, category,
                                                                make_user, make_article):
    editor = make_user("bientap", role=Role.editor)
    article = draft(editor, unit, category)
    with pytest.raises(Conflict):
        workflow.return_to_unit(article, editor, "Chưa gửi mà trả lại")
    published = make_article()
    with pytest.raises(Conflict):
        workflow.submit(published, editor)
    with pytest.raises(Conflict):
        workflow.publish(published, editor)
    with pytest.raises(Conflict):
        workflow.unpublish(article, editor)
    assert reload(article).status is ArticleStatus.draft and reload(article).version == 1
    assert reload(published).status is ArticleStatus.published


# --- scheduling ---------------------------------------------------------------------------------

def test_scheduling_in_the_past_is_refused_with_a_message(login, unit, category, make_user,
                                                         redis_conn):
    article = draft(make_user("ctv", role=Role.contributor, unit=unit), unit, category)
    client = login()
    for moment in (datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC)):
        response = post_edit(client, article, schedule="Hẹn giờ xuất bản",
                             publish_at=local_input(moment))
        assert response.status_code == 422
        assert "Thời điểm hẹn giờ phải sau hiện tại ít nhất một phút." in \
            response.get_data(as_text=True)
    response = post_edit(client, article, schedule="Hẹn giờ xuất bản", publish_at="mai nhé")
    assert response.status_code == 422
    assert "Vui lòng chọn ngày giờ xuất bản hợp lệ." in response.get_data(as_text=True)
    article = reload(article)
    assert article.status is ArticleStatus.draft and article.scheduled_at is None
    assert media_rows() == 0
    assert ScheduledJobRegistry(queues.IMAGES, connection=redis_conn).count == 0


def at(moment: datetime) -> None:
    """Move the scheduled times so that `moment` is now: rows due by then become due."""
    shift = datetime.now(UTC) - moment
    for article in db.session.scalars(select(Article).where(Article.scheduled_at.is_not(None))):
        article.scheduled_at = article.scheduled_at + shift
    db.session.commit()


def test_a_scheduled_article_is_narrated_at_once_and_goes_live_at_its_time(
        app, login, unit, category, make_user, redis_conn, run_worker):
    article = draft(make_user("ctv", role=Role.contributor, unit=unit), unit, category)
    client = login()
    when = (datetime.now(UTC) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    response = post_edit(client, article, schedule="Hẹn giờ xuất bản",
                         publish_at=local_input(when))
    assert response.status_code == 302
    article = reload(article)
    assert article.status is ArticleStatus.scheduled and article.scheduled_at == when
    assert article.asset("audio").status is MediaStatus.queued  # ready before it goes live
    assert public_get(app, f"/bai-viet/{article.slug}").status_code == 404
    assert "sẽ xuất bản lúc" in client.get(f"/bien-tap/bai-viet/{article.id}").get_data(
        as_text=True)
    assert article.title in client.get("/bien-tap/duyet-bai").get_data(as_text=True)

    run_worker()  # the narration; the publication is not due yet
    assert clock.publish_due() == []
    article = reload(article)
    assert article.status is ArticleStatus.scheduled
    assert article.asset("audio").status is MediaStatus.ready

    at(when)  # its time has come: the workers' clock publishes it
    due = reload(article).scheduled_at  # `when`, moved to now
    assert clock.publish_due() == [article.id]
    article = reload(article)
    assert article.status is ArticleStatus.published
    assert article.published_at == due  # dated at its scheduled time, not the clock's tick
    assert article.asset("audio").status is MediaStatus.ready  # not narrated again
    assert public_get(app, f"/bai-viet/{article.slug}").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "article.publish"))
    assert entry.username == "scheduler" and entry.target_id == article.id
    assert clock.publish_due() == []  # once


def test_a_reschedule_or_an_unpublish_changes_what_the_clock_publishes(
        unit, category, make_user, redis_conn):
    editor = make_user("bientap", role=Role.editor)
    article = draft(editor, unit, category)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    workflow.schedule(article, editor, soon)
    later = soon + timedelta(hours=2)
    workflow.schedule(article, editor, later)

    at(soon + timedelta(seconds=1))  # the first time passes: nothing is due any more then
    assert clock.publish_due() == []
    article = reload(article)
    assert article.status is ArticleStatus.scheduled

    workflow.unpublish(article, editor)
    at(later + timedelta(hours=1))
    assert clock.publish_due() == []
    article = reload(article)
    assert article.status is ArticleStatus.draft and article.scheduled_at is None
    assert actions_logged(article).count("article.publish") == 0


# --- revisions, differences, restore --------------------------------------------------------------

def test_every_save_is_a_revision_whose_difference_shows_the_inserted_word(
        login, unit, category, make_user):
    editor = make_user("bientap2", role=Role.editor)
    article = draft(editor, unit, category, title="Hội nghị tổng kết",
                    body_html="<p>Hội nghị đã thảo luận ý kiến.</p><p>Đoạn hai giữ nguyên.</p>")
    client = login()
    response = post_edit(client, article, title="Hội nghị tổng kết <năm>",
                         body_html="<p>Hội nghị đã thảo luận 08 ý kiến.</p>"
                                   "<p>Đoạn hai giữ nguyên.</p>", save="Lưu nháp")
    assert response.status_code == 302
    article = reload(article)
    assert article.version == 2

    listing = client.get(f"/bien-tap/bai-viet/{article.id}/phien-ban").get_data(as_text=True)
    assert "Tạo bài" in listing and "/phien-ban/1/2" in listing
    page = client.get(f"/bien-tap/bai-viet/{article.id}/phien-ban/1/2")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "thảo luận <ins>08</ins> ý kiến." in text
    assert "tổng kết <ins>&lt;năm&gt;</ins>" in text  # escaped, never markup
    assert client.get(f"/bien-tap/bai-viet/{article.id}/phien-ban/1/9").status_code == 404


def test_a_word_diff_marks_removed_and_added_words():
    old = ArticleRevision(number=1, fields={"title": "Cầu Cái Tắc", "body_html":
                                            "<p>Cầu dài 200 m.</p><p>Khánh thành hôm nay.</p>"})
    new = ArticleRevision(number=2, fields={"title": "Cầu Cái Tắc", "body_html":
                                            "<p>Cầu dài 250 m.</p><p>Khánh thành hôm nay.</p>"})
    by_name = {f.name: f for f in workflow.diff(old, new)}
    assert not by_name["title"].changed
    assert by_name["body_html"].changed
    assert str(by_name["body_html"].html) == \
        "Cầu dài <del>200</del> <ins>250</ins> m.\n\nKhánh thành hôm nay."


def test_restoring_a_revision_brings_its_text_back_as_a_new_version(login, unit, category,
                                                                    make_user):
    editor = make_user("bientap2", role=Role.editor)
    article = draft(editor, unit, category, body_html="<p>Bản đầu tiên.</p>")
    workflow.save(article, ArticleInput(title=article.title, lede=article.lede,
                                        body_html="<p>Bản thứ hai, sai.</p>",
                                        category_id=category.id, unit_id=unit.id), editor)
    client = login()
    response = post(client, f"/bien-tap/bai-viet/{article.id}/phien-ban/1/khoi-phuc")
    assert response.status_code == 303
    article = reload(article)
    assert article.body_html == "<p>Bản đầu tiên.</p>" and article.version == 3
    assert actions_logged(article)[-1] == "article.restore"
    revision = db.session.scalar(select(ArticleRevision).where(ArticleRevision.number == 3))
    assert revision.note == "Khôi phục phiên bản 1"


# --- conflicts ----------------------------------------------------------------------------

def test_a_stale_form_is_a_409_that_keeps_the_typed_text_and_overwrites_nothing(
        login, unit, category, make_user):
    colleague = make_user("bientap2", role=Role.editor)
    article = draft(colleague, unit, category, body_html="<p>Nội dung gốc.</p>")
    client = login()
    opened = client.get(f"/bien-tap/bai-viet/{article.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', opened).group(1)
    assert version == "1"
    workflow.save(article, ArticleInput(title=article.title, lede=article.lede,
                                        body_html="<p>Bản của đồng nghiệp.</p>",
                                        category_id=category.id, unit_id=unit.id), colleague)

    response = post_edit(client, reload(article), version=version,
                         body_html="<p>Đoạn tôi vừa gõ xong.</p>", save="Lưu nháp")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Bài viết đã được người khác sửa sau khi bạn mở" in page
    assert "Đoạn tôi vừa gõ xong." in page
    assert f"/bien-tap/bai-viet/{article.id}/phien-ban/1/2" in page
    article = reload(article)
    assert article.body_html == "<p>Bản của đồng nghiệp.</p>" and article.version == 2
    # Publishing from the stale form is refused the same way.
    response = post_edit(client, article, version="1", publish="Xuất bản")
    assert response.status_code == 409
    assert reload(article).status is ArticleStatus.draft


# --- unpublish and delete -----------------------------------------------------------------------

def test_an_unpublished_article_404s_for_readers_at_once_and_keeps_its_media(
        app, login, make_article):
    app.config["PAGE_CACHE_TTL"] = 300
    try:
        article = make_article()
        public_get(app, f"/bai-viet/{article.slug}")
        cached = public_get(app, f"/bai-viet/{article.slug}")
        assert cached.status_code == 200 and cached.headers.get("X-Page-Cache") == "hit"
        client = login()
        response = post(client, f"/bien-tap/bai-viet/{article.id}/go-xuong")
        assert response.status_code == 303
        article = reload(article)
        assert article.status is ArticleStatus.draft
        assert article.asset("audio") is not None  # media are kept
        assert public_get(app, f"/bai-viet/{article.slug}").status_code == 404
        assert article.title not in public_get(app, "/").get_data(as_text=True)
        assert actions_logged(article)[-1] == "article.unpublish"
    finally:
        app.config["PAGE_CACHE_TTL"] = 0


def test_a_published_article_cannot_be_deleted_until_unpublished(login, make_article):
    article = make_article(title="Bài sẽ bị xóa")
    client = login()
    response = post(client, f"/bien-tap/bai-viet/{article.id}/xoa")
    assert response.status_code == 303
    assert db.session.get(Article, article.id) is not None
    assert "gỡ xuống trước khi xóa" in client.get(f"/bien-tap/bai-viet/{article.id}").get_data(
        as_text=True)

    post(client, f"/bien-tap/bai-viet/{article.id}/go-xuong")
    response = post(client, f"/bien-tap/bai-viet/{article.id}/xoa")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Article, article.id) is None
    assert db.session.scalar(select(func.count(ArticleRevision.id))) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "article.delete"))
    assert entry.details["title"] == "Bài sẽ bị xóa" and entry.target_id == article.id


def test_a_deleted_articles_files_are_removed_after_the_grace_period(login, make_article, store,
                                                                     redis_conn):
    """Its audio, images, uploads and video renditions: nothing left in the store for nobody."""
    import io

    from app.media.jobs import delete_media

    article = make_article(title="Bài sẽ bị xóa cùng tệp", publish=False)
    video = MediaAsset(article=article, kind=MediaKind.video, status=MediaStatus.ready,
                       outputs={})
    db.session.add(video)
    db.session.commit()
    kept = make_article(title="Bài khác giữ nguyên", publish=False)
    keys = [f"audio/{article.id}/a.mp3", f"images/{article.id}/body/b.jpg",
            f"uploads/{article.id}/x/clip.mp4", f"video/{video.id}/h/master.m3u8",
            f"audio/{kept.id}/a.mp3"]
    for key in keys:
        store.upload_fileobj(io.BytesIO(b"data"), key, "application/octet-stream")

    response = post(login(), f"/bien-tap/bai-viet/{article.id}/xoa")
    assert response.status_code == 303
    [job_id] = ScheduledJobRegistry(queues.VIDEO, connection=redis_conn).get_job_ids()
    job = Queue(queues.VIDEO, connection=redis_conn, serializer=SERIALIZER).fetch_job(job_id)
    assert job.func_name == queues.DELETE_MEDIA
    assert all(store.exists(key) for key in keys)  # readers mid-play keep them for a while
    delete_media(**job.kwargs)
    assert [store.exists(key) for key in keys] == [False, False, False, False, True]

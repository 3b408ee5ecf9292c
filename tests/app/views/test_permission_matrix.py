"""Every role × every newsroom action: allowed, or refused with 403 and nothing changed.

The roles: a reader who is not logged in (sent to the login page), a contributor of the unit
that owns the articles, a contributor of another unit, an editor and an admin. The articles
belong to unit A: a draft, one submitted for review and one published.

    pytest -v tests/app/views/test_permission_matrix.py      # the matrix, one line per cell
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app.extensions import db
from app.media.queues import ALL_QUEUES, SERIALIZER
from app.models import (
    ApiToken,
    Article,
    Comment,
    CommentStatus,
    LexiconEntry,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
    Unit,
)
from app.services import workflow
from app.services.accounts import create_token
from app.services.publishing import ArticleInput
from app.services.sections import category_named

ROLES = ("anonymous", "contributor", "other_unit", "editor", "admin")
STAFF = {"contributor", "other_unit", "editor", "admin"}
OWN_UNIT = {"contributor", "editor", "admin"}  # the owning unit's contributor and the board
BOARD = {"editor", "admin"}
ADMIN = {"admin"}
PASSWORD = "mat-khau-dung-2026"


@dataclass
class World:
    unit_a: Unit
    unit_b: Unit
    category_id: int
    draft: Article
    submitted: Article
    published: Article
    failed_audio: MediaAsset
    contributor_id: int
    token: ApiToken
    comment_id: int


@pytest.fixture
def world(app, make_user, monkeypatch) -> World:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has its own tests
    unit_a, unit_b = Unit(name="Sở Văn hóa", slug="so-van-hoa"), Unit(name="Sở Y tế",
                                                                       slug="so-y-te")
    db.session.add_all([unit_a, unit_b])
    category = category_named("Thời sự")
    db.session.commit()
    contributor = make_user("congtacvien", PASSWORD, Role.contributor, unit_a)
    make_user("donvikhac", PASSWORD, Role.contributor, unit_b)
    make_user("bientap", PASSWORD, Role.editor)
    admin = make_user("quantri", PASSWORD, Role.admin)

    def article(title: str, then: str | None = None) -> Article:
        data = ArticleInput(title=title, lede="Tóm tắt.", body_html="<p>Nội dung bài viết.</p>",
                            category_id=category.id, unit_id=unit_a.id)
        return workflow.save(None, data, None, then=then)

    draft = article("Bản nháp của Sở Văn hóa")
    submitted = article("Bài đang chờ duyệt", then="submit")
    published = article("Bài đã xuất bản", then="publish")
    failed = MediaAsset(article=draft, kind=MediaKind.audio, status=MediaStatus.failed,
                        error="Không tạo được giọng đọc.", outputs={})
    db.session.add(failed)
    db.session.add(LexiconEntry(term="UBND", spoken="ủy ban nhân dân"))
    comment = Comment(article_id=published.id, name="Bạn đọc", email="a@example.vn",
                      body="Cảm ơn bài viết.", status=CommentStatus.pending)
    db.session.add(comment)
    token, _ = create_token(unit_a, "Hệ thống của Sở", admin)
    db.session.commit()
    return World(unit_a, unit_b, category.id, draft, submitted, published, failed,
                 contributor.id, token, comment.id)


USERNAMES = {"contributor": "congtacvien", "other_unit": "donvikhac", "editor": "bientap",
             "admin": "quantri"}


def log_in(client, role: str) -> None:
    if role == "anonymous":
        return
    response = client.post("/bien-tap/dang-nhap", data={"username": USERNAMES[role],
                                                         "password": PASSWORD})
    assert response.status_code == 302, f"{role} could not log in"


def fingerprint(redis_url: str) -> tuple[object, ...]:
    """Every row of every table, and every queue: what a refused action must leave as it was."""
    db.session.expire_all()
    rows = tuple((table.name, tuple(sorted(map(repr, db.session.execute(select(table))))))
                 for table in db.metadata.sorted_tables)
    conn = Redis.from_url(redis_url)
    queues = tuple((name, Queue(name, connection=conn, serializer=SERIALIZER).count,
                    ScheduledJobRegistry(name, connection=conn).count) for name in ALL_QUEUES)
    return rows, queues


def article_form(article: Article | None, w: World, button: str, **extra: str) -> dict:
    form = {"title": article.title + " (sửa)" if article else "Bài mới của đơn vị",
            "lede": "Tóm tắt.", "body_html": "<p>Nội dung đã sửa.</p>",
            "category_id": str(w.category_id), "unit_id": str(w.unit_a.id),
            "author_name": "", "listen_source": "narration", "cover_caption": "",
            "version": str(article.version) if article else "", button: "1"}
    form.update(extra)
    return form


def tomorrow_local() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).astimezone(
        ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%dT%H:%M")


def png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buf, "PNG")
    buf.seek(0)
    return buf


Request = Callable[..., object]


@dataclass(frozen=True)
class Action:
    name: str
    allowed: set[str]
    send: Callable[[object, World], object]


def edit(article: str, button: str, **extra: str) -> Callable[[object, World], object]:
    def send(client, w: World):
        target = getattr(w, article)
        return client.post(f"/bien-tap/bai-viet/{target.id}",
                           data=article_form(target, w, button, **extra))
    return send


ACTIONS = [
    # the newsroom's articles
    Action("list-articles", STAFF, lambda c, w: c.get("/bien-tap/")),
    Action("create-unit-a-draft", OWN_UNIT,
           lambda c, w: c.post("/bien-tap/bai-viet/moi", data=article_form(None, w, "save"))),
    Action("edit-draft", OWN_UNIT, edit("draft", "save")),
    Action("submit-draft", OWN_UNIT, edit("draft", "send_for_review")),
    Action("edit-submitted", BOARD, edit("submitted", "save")),
    Action("publish", BOARD, edit("submitted", "publish")),
    Action("schedule", BOARD, edit("submitted", "schedule", publish_at=tomorrow_local())),
    Action("return-with-comment", BOARD,
           edit("submitted", "return_to_unit", return_note="Bổ sung nguồn tin.")),
    Action("edit-published", BOARD, edit("published", "save")),
    Action("unpublish", BOARD,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.published.id}/go-xuong")),
    Action("delete-draft", BOARD, lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/xoa")),
    Action("view-revisions", OWN_UNIT,
           lambda c, w: c.get(f"/bien-tap/bai-viet/{w.draft.id}/phien-ban")),
    Action("restore-revision", BOARD,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/phien-ban/1/khoi-phuc")),
    Action("review-queue", BOARD, lambda c, w: c.get("/bien-tap/duyet-bai")),
    Action("preview-draft", OWN_UNIT,
           lambda c, w: c.get(f"/bien-tap/bai-viet/{w.draft.id}/xem-truoc")),
    Action("autosave-draft", OWN_UNIT,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/tu-luu",
                               data=json.dumps({"title": "Đang gõ dở", "base_version": 1}),
                               content_type="application/json")),
    Action("body-image", OWN_UNIT,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/anh",
                               data={"file": (png(), "anh.png"), "caption": "Ảnh"},
                               content_type="multipart/form-data")),
    # its media
    Action("preview-narration", OWN_UNIT,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/nghe-thu")),
    Action("retry-media", OWN_UNIT,
           lambda c, w: c.post(f"/bien-tap/media/{w.failed_audio.id}/thu-lai")),
    Action("upload-video", OWN_UNIT,
           lambda c, w: c.post(f"/bien-tap/bai-viet/{w.draft.id}/video",
                               data={"video": (io.BytesIO(b"\0" * 64), "clip.mp4")},
                               content_type="multipart/form-data")),
    Action("media-jobs-page", ADMIN, lambda c, w: c.get("/bien-tap/hang-doi")),
    Action("requeue-media", ADMIN,
           lambda c, w: c.post(f"/bien-tap/hang-doi/media/{w.failed_audio.id}/xu-ly-lai")),
    # the editorial board's other work
    Action("comments-queue", BOARD, lambda c, w: c.get("/bien-tap/binh-luan")),
    Action("approve-comment", BOARD,
           lambda c, w: c.post(f"/bien-tap/binh-luan/{w.comment_id}/duyet")),
    Action("documents", BOARD, lambda c, w: c.get("/bien-tap/van-ban")),
    Action("home-page-pins", BOARD, lambda c, w: c.get("/bien-tap/trang-chu")),
    Action("pin-on-home-page", BOARD,
           lambda c, w: c.post("/bien-tap/trang-chu/ghim", data={
               "bai": str(w.published.id), "vi_tri": "featured", "het_han": ""})),
    Action("work-schedules", BOARD, lambda c, w: c.get("/bien-tap/lich-cong-tac")),
    # statistics and the audit log
    Action("statistics", STAFF, lambda c, w: c.get("/bien-tap/thong-ke")),
    Action("statistics-xlsx", STAFF, lambda c, w: c.get("/bien-tap/thong-ke.xlsx")),
    Action("audit-log", ADMIN, lambda c, w: c.get("/bien-tap/nhat-ky")),
    # people, units and API tokens
    Action("own-password-page", STAFF, lambda c, w: c.get("/bien-tap/mat-khau")),
    Action("users", ADMIN, lambda c, w: c.get("/bien-tap/nguoi-dung")),
    Action("create-user", ADMIN,
           lambda c, w: c.post("/bien-tap/nguoi-dung/moi", data={
               "username": "nguoimoi", "full_name": "Người Mới", "role": "editor",
               "unit_id": "", "active": "on", "password": "Bien-tap-2026x"})),
    Action("change-role", ADMIN,
           lambda c, w: c.post(f"/bien-tap/nguoi-dung/{w.contributor_id}", data={
               "username": "congtacvien", "full_name": "Congtacvien", "role": "editor",
               "unit_id": str(w.unit_a.id), "active": "on"})),
    Action("reset-password", ADMIN,
           lambda c, w: c.post(f"/bien-tap/nguoi-dung/{w.contributor_id}/dat-lai-mat-khau",
                               data={"password": "Tam-thoi-2026x"})),
    Action("units", ADMIN, lambda c, w: c.get("/bien-tap/don-vi")),
    Action("create-unit", ADMIN,
           lambda c, w: c.post("/bien-tap/don-vi", data={"name": "Sở Giao thông Vận tải"})),
    Action("create-api-token", ADMIN,
           lambda c, w: c.post(f"/bien-tap/don-vi/{w.unit_a.id}/ma-api",
                               data={"token_name": "Cổng của Sở"})),
    Action("revoke-api-token", ADMIN,
           lambda c, w: c.post(f"/bien-tap/ma-api/{w.token.id}/thu-hoi")),
    # the portal's settings
    Action("sections", ADMIN, lambda c, w: c.get("/bien-tap/chuyen-muc")),
    Action("lexicon-add", ADMIN,
           lambda c, w: c.post("/bien-tap/tu-dien", data={"term": "HĐND",
                                                          "spoken": "hội đồng nhân dân"})),
    Action("info-pages", ADMIN, lambda c, w: c.get("/bien-tap/trang")),
    Action("banners", ADMIN, lambda c, w: c.get("/bien-tap/quang-cao")),
    Action("site-settings", ADMIN, lambda c, w: c.get("/bien-tap/thiet-lap")),
    Action("site-settings-save", ADMIN,
           lambda c, w: c.post("/bien-tap/thiet-lap", data={"name": "Cổng khác"})),
]


def expected(action: Action, role: str) -> str:
    if role == "anonymous":
        return "login"
    return "allowed" if role in action.allowed else "403"


CELLS = [pytest.param(action, role, id=f"{action.name}-{role}-{expected(action, role)}")
         for action in ACTIONS for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS)
def test_permission_matrix(app, client, world, action: Action, role: str):
    log_in(client, role)
    before = fingerprint(app.config["REDIS_URL"])
    response = action.send(client, world)
    want = expected(action, role)
    status = response.status_code
    if want == "allowed":
        location = response.headers.get("Location", "")
        assert status < 400 and "dang-nhap" not in location, \
            f"{role} should be allowed to {action.name}, got {status} {location}"
        return
    if want == "login":
        assert status in (302, 401), f"anonymous got {status}"
        if status == 302:
            assert "/bien-tap/dang-nhap" in response.headers["Location"]
    else:
        assert status == 403, f"{role} should be refused {action.name}, got {status}"
        page = response.get_data(as_text=True)
        assert "không có quyền" in page or "quyền" in page
    assert fingerprint(app.config["REDIS_URL"]) == before, "a refused action changed something"


def test_the_matrix_covers_every_newsroom_route():
    """A new newsroom page or action must take its place in the matrix (or be listed here as
    covered elsewhere)."""
    from app import create_app
    from config import TestConfig

    covered_elsewhere = {
        # login/logout themselves; the upload protocol's parts (tests/app/views/test_uploads.py,
        # same _article_or_404 check as upload-video); detail pages of listed admin pages
        "editor.login", "editor.logout", "editor.upload_create", "editor.upload_parts",
        "editor.upload_abort", "editor.upload_sign_part", "editor.upload_complete",
        "editor.upload_captions", "editor.cancel_media", "editor.media_status",
        "editor.discard_autosave", "editor.revision_diff", "editor.requeue_job",
        "editor.requeue_all", "editor.reject_comment", "editor.delete_comment",
        "editor.schedule_edit", "editor.schedule_publish", "editor.schedule_delete",
        "editor.documents_publish", "editor.documents_delete", "editor.banner_delete",
        # unpin and reorder: the same check as pin-on-home-page (tests/app/views/test_home_pins.py)
        "editor.home_unpin", "editor.home_move",
        "editor.lexicon_delete", "editor.user_edit", "editor.user_unlock",
        "editor.unit_rename", "editor.stats_csv", "editor.change_password",
        # a private render's playlists: the preview's check (tests/security/test_unpublished.py)
        "editor.private_hls",
    }
    in_matrix = {
        "editor.index", "editor.edit", "editor.unpublish", "editor.delete", "editor.revisions",
        "editor.restore", "editor.review_queue", "editor.preview", "editor.autosave",
        "editor.body_image", "editor.preview_narration", "editor.retry_media",
        "editor.upload_video", "editor.jobs_page", "editor.requeue_asset",
        "editor.approve_comment", "editor.comments_queue", "editor.documents_page",
        "editor.schedules_page", "editor.stats_page", "editor.stats_xlsx", "editor.audit_page",
        "editor.users_page", "editor.user_new", "editor.user_reset_password",
        "editor.units_page", "editor.token_create", "editor.token_revoke",
        "editor.sections_page", "editor.lexicon_page", "editor.info_pages_page",
        "editor.banners_page", "editor.home_page", "editor.home_pin", "editor.site_settings",
    }
    endpoints = {rule.endpoint for rule in create_app(TestConfig).url_map.iter_rules()
                 if rule.endpoint.startswith("editor.")}
    assert endpoints - covered_elsewhere - in_matrix == set()

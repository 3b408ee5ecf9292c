"""Media control: the per-article panel (read / listen / watch) on the edit page, its JSON
route and buttons, and the admin's jobs page over the real RQ queues."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rq import Queue, Worker
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from app.extensions import db
from app.media import lifecycle
from app.media.queues import SERIALIZER
from app.media.queues import queue as rq_queue
from app.models import (
    ArticleStatus,
    AuditEntry,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Role,
)
from app.services.accounts import unit_named
from tests.conftest import csrf_token

JOBS = "/bien-tap/hang-doi"
VOID = {"input", "source", "track", "br", "img", "meta", "link", "hr"}
JSON = {"Accept": "application/json"}


class Panel(HTMLParser):
    """The elements of the media panel that carry a data-role, by (form, role)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[dict] = []
        self.roles: dict[tuple[str | None, str], dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = attrs.get("data-kind") or attrs.get("data-form") or (
            self.stack[-1]["kind"] if self.stack else None)
        entry = {"tag": tag, "kind": kind, "attrs": attrs, "text": []}
        if attrs.get("data-role"):
            self.roles.setdefault((kind, attrs["data-role"]), entry)
        if tag not in VOID:
            self.stack.append(entry)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for entry in self.stack:
            entry["text"].append(data)

    def text(self, kind, role) -> str:
        return " ".join("".join(self.roles[(kind, role)]["text"]).split())

    def attrs(self, kind, role) -> dict:
        return self.roles[(kind, role)]["attrs"]

    def shown(self, kind, role) -> bool:
        return (kind, role) in self.roles and "hidden" not in self.attrs(kind, role)


def add_asset(article, kind, status, **fields):
    asset = MediaAsset(article=article, kind=kind, status=status,
                       outputs=fields.pop("outputs", {}), **fields)
    db.session.add(asset)
    db.session.commit()
    return asset


def edit_page(client, article) -> tuple[str, Panel]:
    response = client.get(f"/bien-tap/bai-viet/{article.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, Panel(html)


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


VIDEO_OUTPUTS = {
    "hls": "video/7/abc/hls/master.m3u8", "mp4": "video/7/abc/video.mp4",
    "poster": "video/7/abc/poster.jpg", "width": 1280, "height": 720,
    "renditions": [{"name": "360p", "width": 640, "height": 360, "bandwidth": 800000},
                   {"name": "720p", "width": 1280, "height": 720, "bandwidth": 2800000}],
}


# --- the panel on the edit page -------------------------------------------------------------

def test_ready_narration_shows_its_voice_duration_and_a_player_and_offers_regenerate(
        login, make_article):
    article = make_article(publish=False)
    audio = add_asset(article, MediaKind.audio, MediaStatus.ready, engine="gtts:vi-com.vn",
                      duration=95.2, progress=100,
                      outputs={"mp3": "audio/1/abc.mp3", "vtt": "audio/1/abc.vtt"})
    _, panel = edit_page(login(), article)
    assert panel.text("audio", "state") == "Sẵn sàng"
    assert panel.text("audio", "engine") == "Giọng đọc: Google (gTTS) — vi-com.vn"
    assert panel.text("audio", "duration") == "Thời lượng: 1:35"
    player = panel.roles[("audio", "player")]
    assert player["attrs"]["data-version"] == "audio/1/abc.mp3"
    assert not panel.shown("audio", "progress") and not panel.shown("audio", "error")
    assert panel.shown("audio", "retry") and panel.text("audio", "retry-label") == "Làm lại"
    assert panel.attrs("audio", "retry")["action"] == f"/bien-tap/media/{audio.id}/thu-lai"
    assert not panel.shown("audio", "cancel")
    assert not panel.shown("audio", "preview-narration")  # it has narration already


def test_the_ready_audio_preview_is_a_lazy_audio_player_of_the_mp3(login, make_article):
    article = make_article(publish=False)
    add_asset(article, MediaKind.audio, MediaStatus.ready, engine="espeak:vi", duration=12,
              outputs={"mp3": "audio/9/xyz.mp3"})
    html, panel = edit_page(login(), article)
    audio_tag = re.search(r"<audio [^>]*>", html).group(0)
    assert 'preload="none"' in audio_tag and "controls" in audio_tag
    assert re.search(r'src="[^"]+/audio/9/xyz\.mp3"', audio_tag)
    assert panel.text("audio", "engine") == "Giọng đọc: eSpeak NG, giọng máy dự phòng — vi"


def test_a_failed_form_shows_its_error_as_an_alert_and_offers_retry(login, make_article):
    article = make_article(publish=False)
    asset = add_asset(article, MediaKind.video, MediaStatus.failed,
                      error="Tệp video bị hỏng hoặc không phải video.")
    _, panel = edit_page(login(), article)
    assert panel.text("video", "state") == "Lỗi"
    assert panel.shown("video", "error")
    assert panel.attrs("video", "error")["role"] == "alert"
    assert panel.text("video", "error") == "Tệp video bị hỏng hoặc không phải video."
    assert panel.text("video", "retry-label") == "Thử lại"
    assert panel.attrs("video", "retry")["action"] == f"/bien-tap/media/{asset.id}/thu-lai"
    assert not panel.shown("video", "cancel") and not panel.shown("video", "progress")


def test_processing_shows_live_progress_and_cancel_queued_an_open_bar(login, make_article):
    article = make_article(publish=False)
    video = add_asset(article, MediaKind.video, MediaStatus.processing, progress=40)
    audio = add_asset(article, MediaKind.audio, MediaStatus.queued)
    _, panel = edit_page(login(), article)
    assert panel.text("video", "state") == "Đang xử lý"
    assert panel.shown("video", "progress") and panel.attrs("video", "progress")["value"] == "40"
    assert panel.text("video", "percent") == "40%"
    assert panel.shown("video", "cancel") and not panel.shown("video", "retry")
    assert panel.attrs("video", "cancel")["action"] == f"/bien-tap/media/{video.id}/huy"
    assert panel.text("audio", "state") == "Trong hàng đợi"
    assert panel.shown("audio", "progress")
    assert "value" not in panel.attrs("audio", "progress")  # indeterminate until it starts
    assert panel.attrs("audio", "cancel")["action"] == f"/bien-tap/media/{audio.id}/huy"


def test_ready_video_shows_its_renditions_poster_and_the_hls_player(login, make_article):
    article = make_article(publish=False)
    add_asset(article, MediaKind.video, MediaStatus.ready, duration=61, outputs=VIDEO_OUTPUTS)
    html, panel = edit_page(login(), article)
    assert panel.text("video", "renditions") == "Các mức chất lượng đã tạo: 360p · 720p"
    assert panel.text("video", "duration") == "Thời lượng: 1:01"
    assert panel.text("video", "retry-label") == "Làm lại"
    player = re.search(r'<div class="vplayer" data-vplayer data-hls="([^"]*)"', html)
    assert player and player.group(1).endswith("video/7/abc/hls/master.m3u8")
    video_tag = re.search(r"<video [^>]*>", html).group(0)
    assert 'preload="none"' in video_tag
    assert re.search(r'poster="[^"]+/video/7/abc/poster\.jpg"', video_tag)
    assert "js/video-player.js" in html
    # No briefing: its row stays out of the way until one is made.
    assert re.search(r'<section class="media-form" data-kind="briefing"[^>]* hidden>', html)


def test_the_read_form_shows_the_workflow_state_and_when(login, make_article):
    draft = make_article("Bài nháp", publish=False)
    published = make_article("Bài đã đăng")
    client = login()
    _, panel = edit_page(client, draft)
    assert panel.text("read", "read-state") == "Bản nháp"
    assert not panel.shown("read", "published")
    _, panel = edit_page(client, published)
    assert panel.text("read", "read-state") == "Đã xuất bản"
    assert panel.shown("read", "published") and re.fullmatch(
        r"Xuất bản lúc \d\d:\d\d \d\d/\d\d/\d{4}", panel.text("read", "published"))


def test_the_json_route_gives_every_form_with_labels_and_preview_urls(login, make_article):
    article = make_article(publish=False)
    article.status = ArticleStatus.submitted
    audio = add_asset(article, MediaKind.audio, MediaStatus.ready, engine="piper:vi_VN-x",
                      duration=30, outputs={"mp3": "audio/3/k.mp3"})
    add_asset(article, MediaKind.video, MediaStatus.processing, progress=55,
              outputs=VIDEO_OUTPUTS)  # a new render runs; readers keep the last one
    client = login()
    data = client.get(f"/bien-tap/bai-viet/{article.id}/media.json").get_json()
    assert data["read"]["status"] == "submitted" and data["read"]["label"] == "Chờ duyệt"
    assert data["busy"] is True
    assert data["audio"]["status"] == "ready" and data["audio"]["label"] == "Sẵn sàng"
    assert data["audio"]["engine"] == "piper:vi_VN-x"
    assert data["audio"]["engine_label"].startswith("Giọng đọc: Piper")
    assert data["audio"]["duration"] == 30 and data["audio"]["duration_label"] == "0:30"
    assert data["audio"]["preview"]["mp3"].endswith("/audio/3/k.mp3")
    assert data["audio"]["retry_url"] == f"/bien-tap/media/{audio.id}/thu-lai"
    assert data["audio"]["cancel_url"] is None and data["audio"]["error"] is None
    video = data["video"]
    assert (video["status"], video["label"], video["progress"]) == ("processing", "Đang xử lý",
                                                                    55)
    assert video["renditions"] == ["360p", "720p"]
    assert video["preview"]["hls"].endswith("hls/master.m3u8")
    assert video["preview"]["poster"].endswith("poster.jpg")
    assert video["cancel_url"] and video["retry_url"] is None
    assert data["briefing"]["status"] == "none" and data["briefing"]["label"] == "Chưa có"


# --- preview narration, retry, cancel -------------------------------------------------------

def test_preview_narration_queues_a_job_for_a_draft_and_is_audited(
        login, make_article, redis_conn):
    article = make_article(publish=False)
    client = login()
    html, panel = edit_page(client, article)
    assert panel.shown("audio", "preview-narration") and "Tạo bản nghe thử" in html
    assert rq_queue("narration", redis_conn).count == 0  # drafts wait to be asked
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(f"{url}/nghe-thu", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303
    db.session.expire_all()
    audio = article.asset("audio")
    assert audio.status is MediaStatus.queued
    queue = Queue("narration", connection=redis_conn, serializer=SERIALIZER)
    assert [job.args for job in queue.jobs] == [[audio.id]]
    [entry] = entries("media.preview")
    assert entry.target_id == audio.id and "Tạo bản nghe thử" in entry.summary
    _, panel = edit_page(client, article)
    assert panel.text("audio", "state") == "Trong hàng đợi"
    assert not panel.shown("audio", "preview-narration")


def test_a_contributor_of_another_unit_cannot_ask_for_a_preview(login, make_article, redis_conn):
    theirs = unit_named("Sở Y tế")
    mine = unit_named("Sở Giáo dục")
    db.session.commit()
    article = make_article(publish=False, unit_id=theirs.id)
    client = login("ctv", role=Role.contributor, unit=mine)
    token = csrf_token(client, "/bien-tap/")
    response = client.post(f"/bien-tap/bai-viet/{article.id}/nghe-thu",
                           data={"csrf_token": token})
    assert response.status_code == 403
    assert client.get(f"/bien-tap/bai-viet/{article.id}/media.json").status_code == 403
    db.session.expire_all()
    assert article.asset("audio") is None
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 0
    assert entries("media.preview") == []


def test_a_contributor_may_preview_their_own_units_draft(login, make_article, redis_conn):
    unit = unit_named("Sở Giáo dục")
    db.session.commit()
    article = make_article(publish=False, unit_id=unit.id)
    client = login("ctv", role=Role.contributor, unit=unit)
    url = f"/bien-tap/bai-viet/{article.id}"
    response = client.post(f"{url}/nghe-thu", data={"csrf_token": csrf_token(client, url)},
                           headers=JSON)
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and data["audio"]["status"] == "queued" and data["busy"] is True
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 1


def test_retry_of_a_failed_asset_requeues_it_and_is_audited(login, make_article, redis_conn):
    article = make_article(publish=False)
    asset = add_asset(article, MediaKind.video, MediaStatus.failed, source_key="uploads/x/a.mp4",
                      error="Tệp video bị hỏng.")
    client = login()
    url = f"/bien-tap/bai-viet/{article.id}"
    queue = Queue("video", connection=redis_conn, serializer=SERIALIZER)
    before = queue.count
    response = client.post(f"/bien-tap/media/{asset.id}/thu-lai",
                           data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    db.session.expire_all()
    assert asset.status is MediaStatus.queued and asset.error == ""
    assert queue.count == before + 1 and queue.jobs[-1].args == [asset.id]
    [entry] = entries("media.retry")
    assert entry.target_id == asset.id


def test_retry_and_cancel_answer_json_for_the_live_panel(login, make_article, redis_conn):
    article = make_article(publish=False)
    audio = add_asset(article, MediaKind.audio, MediaStatus.ready,
                      outputs={"mp3": "audio/1/a.mp3"})
    client = login()
    token = csrf_token(client, f"/bien-tap/bai-viet/{article.id}")
    data = client.post(f"/bien-tap/media/{audio.id}/thu-lai", data={"csrf_token": token},
                       headers=JSON).get_json()
    assert data["ok"] is True and data["message"] == "Đã đưa vào hàng đợi xử lý lại."
    assert data["audio"]["status"] == "queued" and data["audio"]["cancel_url"]
    # Asking again while it is queued adds nothing to the queue.
    again = client.post(f"/bien-tap/media/{audio.id}/thu-lai", data={"csrf_token": token},
                        headers=JSON).get_json()
    assert again["ok"] is False and rq_queue("narration", redis_conn).count == 1
    cancelled = client.post(f"/bien-tap/media/{audio.id}/huy", data={"csrf_token": token},
                            headers=JSON).get_json()
    assert cancelled["audio"]["status"] == "failed"
    assert cancelled["audio"]["error"].startswith("Đã hủy")
    assert cancelled["audio"]["retry_label"] == "Thử lại"
    assert len(entries("media.retry")) == 1 and len(entries("media.cancel")) == 1


# --- the admin's jobs page ------------------------------------------------------------------

def count(html: str, queue: str, what: str) -> int:
    block = html.split(f'data-queue="{queue}"', 1)[1]
    return int(re.search(rf'data-count="{what}">(\d+)<', block).group(1))


def failed_transcode(article) -> MediaAsset:
    """A video whose original is missing from the store: the real job fails."""
    return lifecycle.use_uploaded_video(article, f"uploads/{article.id}/gone/missing.mp4")


def test_admin_sees_queue_counts_and_a_real_failed_job_and_requeues_it(
        login, make_article, redis_conn, run_worker):
    article = make_article("Phóng sự lễ hội đua ghe", publish=False)
    video = failed_transcode(article)
    run_worker()
    assert video.status is MediaStatus.failed
    waiting = make_article("Bài chờ đọc", publish=False)
    lifecycle.request_preview_narration(waiting)  # stays queued: no worker runs now
    client = login("quantri", role=Role.admin)
    html = client.get(JOBS).get_data(as_text=True)
    assert count(html, "narration", "queued") == 1
    assert count(html, "video", "failed") == 1 and count(html, "video", "queued") == 0
    [job_id] = FailedJobRegistry("video", connection=redis_conn).get_job_ids()
    row = html.split(f'<tr data-job="{job_id}">', 1)[1].split("</tr>", 1)[0]
    assert "Chuyển mã video tải lên" in row and "asset" not in row  # words, not RQ's name
    assert f'href="/bien-tap/bai-viet/{article.id}"' in row and "Phóng sự lễ hội đua ghe" in row
    assert "Không tìm thấy tệp gốc trong kho lưu trữ" in row  # the asset's own words
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", row)  # when it failed
    # …and the failed media row from the database, with its retry button.
    assert f'data-asset="{video.id}"' in html
    response = client.post(f"{JOBS}/video/{job_id}/dua-lai",
                           data={"csrf_token": csrf_token(client, JOBS)})
    assert response.status_code == 303
    db.session.expire_all()
    assert video.status is MediaStatus.queued
    assert [job.args for job in rq_queue("video", redis_conn).jobs] == [[video.id]]
    assert FailedJobRegistry("video", connection=redis_conn).count == 0
    [entry] = entries("media.requeue")
    assert entry.target_id == video.id
    page = client.get(JOBS).get_data(as_text=True)
    assert "Đã đưa lại vào hàng đợi." in page and count(page, "video", "queued") == 1


def test_a_failed_job_without_an_asset_shows_its_last_error_line_and_requeue_all(
        login, redis_conn, run_worker):
    images = Queue("images", connection=redis_conn, serializer=SERIALIZER)
    images.enqueue("builtins.int", "mười hai", description="số không hợp lệ")
    run_worker()
    client = login("quantri", role=Role.admin)
    html = client.get(JOBS).get_data(as_text=True)
    assert count(html, "images", "failed") == 1
    # the kind of error in words; its message (ffmpeg output, paths) stays in the log
    assert "Lỗi ngoài dự kiến (ValueError); chi tiết ở nhật ký của máy xử lý." in html
    assert "invalid literal" not in html
    assert "số không hợp lệ" in html and "Đưa lại tất cả" in html
    response = client.post(f"{JOBS}/images/dua-lai-tat-ca",
                           data={"csrf_token": csrf_token(client, JOBS)}, follow_redirects=True)
    assert "Đã đưa lại 1 việc vào hàng đợi Ảnh bìa." in response.get_data(as_text=True)
    assert images.count == 1 and FailedJobRegistry(queue=images).count == 0
    assert len(entries("media.requeue")) == 1


def test_workers_alive_are_listed_with_their_current_job(
        login, make_article, redis_conn):
    article = make_article("Bài đang đọc", publish=False)
    lifecycle.request_preview_narration(article)
    audio = article.asset("audio")
    audio.move_to(MediaStatus.processing)
    audio.progress = 35
    db.session.commit()
    worker = Worker(["narration"], connection=redis_conn, name="may-doc-1",
                    serializer=SERIALIZER)
    worker.register_birth()
    try:
        job = Queue.dequeue_any([rq_queue("narration", redis_conn)], None,
                                connection=redis_conn, serializer=SERIALIZER)[0]
        worker.prepare_execution(job)
        worker.prepare_job_execution(job)
        worker.set_state("busy")
        client = login("quantri", role=Role.admin)
        html = client.get(JOBS).get_data(as_text=True)
    finally:
        worker.register_death()
    item = html.split('data-worker="may-doc-1"', 1)[1].split("</li>", 1)[0]
    assert "Đang làm việc" in item and "Đọc bài thành tiếng" in item and "(35%)" in item
    assert "hàng đợi: Bản nghe" in item and "narration" not in item.split(">", 1)[1]
    assert count(html, "narration", "started") == 1
    running = html.split(f'<li data-job="{job.id}">', 1)[1].split("</li>", 1)[0]
    assert f'href="/bien-tap/bai-viet/{article.id}"' in running and 'value="35"' in running


def test_no_worker_running_is_said_plainly(login):
    html = login("quantri", role=Role.admin).get(JOBS).get_data(as_text=True)
    assert "Không có máy xử lý nào đang chạy" in html


@pytest.mark.parametrize("role", [Role.editor, Role.contributor])
def test_editors_and_contributors_may_not_see_or_requeue_jobs(
        role, login, make_article, redis_conn, run_worker):
    article = make_article(publish=False)
    video = failed_transcode(article)
    run_worker()
    unit = unit_named("Sở Văn hóa") if role is Role.contributor else None
    db.session.commit()
    client = login("nguoidung", role=role, unit=unit)
    token = csrf_token(client, "/bien-tap/")
    [job_id] = FailedJobRegistry("video", connection=redis_conn).get_job_ids()
    assert client.get(JOBS).status_code == 403
    assert client.post(f"{JOBS}/video/{job_id}/dua-lai",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"{JOBS}/video/dua-lai-tat-ca",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"{JOBS}/media/{video.id}/xu-ly-lai",
                       data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert video.status is MediaStatus.failed
    assert FailedJobRegistry("video", connection=redis_conn).count == 1
    assert rq_queue("video", redis_conn).count == 0 and entries("media.requeue") == []
    page = client.get("/bien-tap/").get_data(as_text=True)
    assert JOBS not in page  # no link in the staff bar either


def test_the_admin_retries_a_failed_media_row_from_the_jobs_page(
        login, make_article, redis_conn):
    article = make_article(publish=False)
    asset = add_asset(article, MediaKind.audio, MediaStatus.failed,
                      error="Không đọc được bài viết thành tiếng.")
    client = login("quantri", role=Role.admin)
    html = client.get(JOBS).get_data(as_text=True)
    row = html.split(f'data-asset="{asset.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Không đọc được bài viết thành tiếng." in row and "Bản nghe" in row
    assert 'href="/bien-tap/hang-doi"' in html  # the staff bar links the page for admins
    client.post(f"{JOBS}/media/{asset.id}/xu-ly-lai", data={"csrf_token": csrf_token(client, JOBS)})
    db.session.expire_all()
    assert asset.status is MediaStatus.queued
    assert Queue("narration", connection=redis_conn, serializer=SERIALIZER).count == 1
    assert [e.target_id for e in entries("media.requeue")] == [asset.id]


def test_the_jobs_page_renders_with_redis_unreachable(app, login, make_article, monkeypatch):
    article = make_article(publish=False)
    asset = add_asset(article, MediaKind.video, MediaStatus.failed, error="Tệp video bị hỏng.")
    client = login("quantri", role=Role.admin)
    token = csrf_token(client, JOBS)
    app.extensions.pop("redis", None)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    try:
        response = client.get(JOBS)
        requeue = client.post(f"{JOBS}/video/abc/dua-lai", data={"csrf_token": token},
                              follow_redirects=True)
    finally:
        app.extensions.pop("redis", None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Không kết nối được hàng đợi xử lý (Redis)" in html
    assert f'data-asset="{asset.id}"' in html and "Tệp video bị hỏng." in html
    assert requeue.status_code == 200
    assert "Không kết nối được hàng đợi xử lý (Redis)" in requeue.get_data(as_text=True)

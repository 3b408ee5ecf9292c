"""Media control: the per-article panel (read / listen / watch) and the admin's jobs page.

The panel's state is built once here (`panel_state`) for both the edit page's template and the
JSON that static/js/media-panel.js polls; the jobs page shows RQ's queues, failed jobs and
workers next to the media rows that failed, and puts work back on the queues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import DeserializationError, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from workers import queues

from .. import MEDIA_LABELS
from ..extensions import db
from ..http_security import body_limit
from ..models import Article, ArticleStatus, ListenSource, MediaAsset, MediaKind, MediaStatus
from ..services import media_jobs
from ..services.infra import media_url, object_store, redis_conn
from ..services.media_keys import is_hidden
from ..services.serializers import hls_url
from . import bp
from .access import admin_required, staff_required, viewable_article, writable_article
from .forms import VideoForm

Outcome = media_jobs.Outcome

ARTICLE_STATES = {
    ArticleStatus.draft: _l("Bản nháp"),
    ArticleStatus.submitted: _l("Chờ duyệt"),
    ArticleStatus.returned: _l("Bị trả lại"),
    ArticleStatus.scheduled: _l("Đã lên lịch"),
    ArticleStatus.published: _l("Đã xuất bản"),
}
# The panel reuses the media state colours for the workflow.
ARTICLE_STATE_CLASSES = {ArticleStatus.draft: "pending", ArticleStatus.submitted: "queued",
                         ArticleStatus.returned: "failed", ArticleStatus.scheduled: "queued",
                         ArticleStatus.published: "ready"}
ENGINE_NAMES = {"gtts": _l("Google (gTTS)"), "espeak": _l("eSpeak NG, giọng máy dự phòng"),
                "piper": _l("Piper, giọng tự nhiên chạy trên máy chủ")}
BUSY = {MediaStatus.queued.value, MediaStatus.processing.value}


# --- the per-article panel ------------------------------------------------------------------

def engine_words(engine: str) -> str:
    """"gtts:vi-com.vn" → "Google (gTTS) — vi-com.vn": which voice read the article."""
    name, _sep, voice = engine.partition(":")
    pretty = str(ENGINE_NAMES.get(name, name))
    return f"{pretty} — {voice}" if voice else pretty


def _when(value: datetime | None) -> str | None:
    return current_app.jinja_env.filters["vn_datetime"](value) if value else None


def read_state(article: Article) -> dict[str, Any]:
    """The read form is the article itself: where it stands in the workflow."""
    return {"status": article.status.value, "label": str(ARTICLE_STATES[article.status]),
            "css": ARTICLE_STATE_CLASSES[article.status],
            "scheduled_at": _when(article.scheduled_at)
            if article.status is ArticleStatus.scheduled else None,
            "published_at": _when(article.published_at) if article.is_published else None}


def _preview(kind: MediaKind, outputs: dict[str, Any], asset_id: int) -> dict[str, Any] | None:
    """What readers get now (the last whole render), to play in the panel."""
    if kind is MediaKind.audio:
        return {"mp3": media_url(outputs["mp3"]), "version": outputs["mp3"]} \
            if outputs.get("mp3") else None
    if not outputs.get("mp4"):
        return None
    return {"hls": hls_url(asset_id, outputs.get("hls")), "mp4": media_url(outputs["mp4"]),
            "poster": media_url(outputs.get("poster")), "version": outputs["mp4"],
            "width": outputs.get("width"), "height": outputs.get("height")}


def asset_state(article: Article, kind: MediaKind) -> dict[str, Any]:
    """One form's state, labels and the actions it allows now."""
    asset = article.asset(kind.value)
    status = asset.status.value if asset is not None else "none"
    outputs = (asset.outputs or {}) if asset is not None else {}
    busy = status in BUSY
    duration = asset.duration if asset is not None and outputs else None
    engine = asset.engine if asset is not None and kind is MediaKind.audio else ""
    return {
        "status": status, "label": str(MEDIA_LABELS[status]), "busy": busy,
        "progress": asset.progress if asset is not None else 0,
        "error": (asset.error or None) if asset is not None else None,
        "engine": engine or None,
        "engine_label": _("Giọng đọc: %(engine)s", engine=engine_words(engine))
        if engine else None,
        "duration": duration,
        "duration_label": current_app.jinja_env.filters["clock"](duration) or None,
        "renditions": [r["name"] for r in outputs.get("renditions", [])],
        "preview": _preview(kind, outputs, asset.id) if asset is not None else None,
        "retry_url": url_for("editor.retry_media", asset_id=asset.id)
        if asset is not None and not busy else None,
        "retry_label": _("Làm lại") if status in ("ready", "stale") else _("Thử lại"),
        "cancel_url": url_for("editor.cancel_media", asset_id=asset.id)
        if asset is not None and busy else None,
    }


def panel_state(article: Article) -> dict[str, Any]:
    """Everything the media panel shows, as JSON-ready values."""
    forms = {kind.value: asset_state(article, kind) for kind in MediaKind}
    audio = forms["audio"]
    audio["listen_source"] = article.listen_source.value
    # Drafts are never narrated by themselves: the editor may ask for a preview.
    audio["preview_narration_url"] = url_for("editor.preview_narration", article_id=article.id) \
        if audio["status"] == "none" and article.listen_source is ListenSource.narration \
        else None
    return {"read": read_state(article), **forms,
            "busy": any(form["busy"] for form in forms.values())}


@bp.context_processor
def media_panel_helpers() -> dict[str, Any]:
    return {"media_panel": panel_state}


def editable_asset(asset_id: int) -> MediaAsset:
    """A media asset of an article the user may edit (403 otherwise)."""
    asset = db.session.get(MediaAsset, asset_id) or abort(404)
    writable_article(asset.article_id)
    return asset


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) \
        == "application/json"


def panel_response(article: Article, message: str, category: str = "success"):
    """The panel's JSON for media-panel.js, or back to the edit page with a flash without JS."""
    if _wants_json():
        return jsonify({**panel_state(article), "message": message,
                        "ok": category == "success"})
    flash(message, category)
    return redirect(url_for("editor.edit", article_id=article.id)), 303


OUTCOME_MESSAGES = {
    Outcome.busy: (_l("Việc này đang được xử lý; hãy chờ xong hoặc bấm Hủy trước."), "warning"),
    Outcome.queue_down: (_l("Hàng đợi xử lý tạm thời không hoạt động; "
                            "vui lòng thử lại sau ít phút."), "error"),
}


def outcome_response(article: Article, outcome: Outcome, queued_message: str):
    message, category = OUTCOME_MESSAGES.get(outcome, (queued_message, "success"))
    return panel_response(article, str(message), category)


@bp.post("/bai-viet/<int:article_id>/video")
@body_limit("VIDEO_FORM_MAX_BYTES")
@staff_required
def upload_video(article_id: int):
    """Attach a video from the form (without JavaScript; the page's uploader goes straight to
    the store, app/editor/uploads.py): stored as uploaded and transcoded by a worker."""
    article = writable_article(article_id)
    form = VideoForm()
    if not form.validate_on_submit():
        for message in form.video.errors:
            flash(str(message), "error")
        return redirect(url_for("editor.edit", article_id=article.id)), 303
    upload = form.video.data
    media_jobs.attach_video(article, upload.stream, upload.filename, upload.mimetype)
    flash(_("Đã tải video lên; hệ thống đang xử lý."), "success")
    return redirect(url_for("editor.edit", article_id=article.id)), 303


@bp.post("/media/<int:asset_id>/thu-lai")
@staff_required
def retry_media(asset_id: int):
    """Thử lại / Làm lại: queue a media asset again (audited); JSON for media-panel.js."""
    asset = editable_asset(asset_id)
    return outcome_response(asset.article, media_jobs.retry_by_hand(asset),
                            _("Đã đưa vào hàng đợi xử lý lại."))


@bp.post("/media/<int:asset_id>/huy")
@staff_required
def cancel_media(asset_id: int):
    """Stop a queued or running media job (audited); JSON for media-panel.js."""
    asset = editable_asset(asset_id)
    if media_jobs.cancel_by_hand(asset):
        return panel_response(asset.article, _("Đã hủy xử lý."))
    return panel_response(asset.article, _("Không có việc nào đang chạy để hủy."), "warning")


# A playlist of a render: master.m3u8, or <rung>/index.m3u8.
PLAYLIST_NAME = re.compile(r"^(?:[\w-]+/)?[\w-]+\.m3u8$")
_MAP_URI = re.compile(r'URI="([^"]+)"')


@bp.get("/media/<int:asset_id>/hls/<path:name>")
@staff_required
def private_hls(asset_id: int, name: str):
    """A private render's HLS playlist (an article not yet published), for the newsroom's
    player: sub-playlists come from here too, segments by signed URLs. (A signed master
    playlist alone would leave its segments unreachable.)"""
    asset = db.session.get(MediaAsset, asset_id) or abort(404)
    viewable_article(asset.article_id)
    master = str((asset.outputs or {}).get("hls") or "")
    if not is_hidden(master) or not PLAYLIST_NAME.fullmatch(name):
        abort(404)
    folder = master.rsplit("/", 1)[0]
    here = f"{folder}/{name.rpartition('/')[0]}".rstrip("/")
    try:
        text = object_store().read(f"{folder}/{name}").decode("utf-8")
    except ClientError:
        abort(404)

    def signed(uri: str) -> str:
        return media_url(f"{here}/{uri}") or uri

    lines = []
    for line in text.splitlines():
        if line.startswith("#EXT-X-MAP:"):
            line = _MAP_URI.sub(lambda m: f'URI="{signed(m.group(1))}"', line)
        elif line and not line.startswith("#") and not line.endswith(".m3u8"):
            line = signed(line)  # a segment; a sub-playlist stays relative (this route)
        lines.append(line)
    response = Response("\n".join(lines) + "\n", mimetype="application/vnd.apple.mpegurl")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/bai-viet/<int:article_id>/media.json")
@staff_required
def media_status(article_id: int):
    """Media states for the live panel on the edit page (static/js/media-panel.js)."""
    return jsonify(panel_state(viewable_article(article_id)))


@bp.post("/bai-viet/<int:article_id>/nghe-thu")
@staff_required
def preview_narration(article_id: int):
    """Tạo bản nghe thử: narrate an article that is not live yet (audited media.preview)."""
    article = writable_article(article_id)
    outcome = media_jobs.request_preview_narration(article)
    return outcome_response(article, outcome,
                            _("Đã đưa bản nghe thử vào hàng đợi; ít phút nữa có thể nghe."))


# --- the admin's jobs page ------------------------------------------------------------------

QUEUE_NAMES = {queues.IMAGES: _l("Ảnh bìa"), queues.NARRATION: _l("Bản nghe"),
               queues.VIDEO: _l("Video")}
JOB_NAMES = {
    "workers.tasks.narrate_article": _l("Đọc bài thành tiếng"),
    "workers.tasks.transcode_video": _l("Chuyển mã video tải lên"),
    "workers.tasks.make_briefing": _l("Dựng video tóm tắt"),
    "workers.tasks.make_cover_variants": _l("Tạo các cỡ ảnh bìa"),
    "workers.tasks.retire_cover_variants": _l("Xóa các cỡ ảnh bìa cũ"),
    "workers.tasks.delete_media": _l("Xóa media cũ"),
    "workers.tasks.make_body_image_variants": _l("Tạo các cỡ ảnh trong bài"),
    "workers.tasks.sync_media": _l("Công bố hoặc thu hồi tệp của bài"),
}
# Jobs about an article rather than a media asset: their first argument is the article's id.
ARTICLE_JOBS = {"workers.tasks.make_cover_variants", "workers.tasks.retire_cover_variants"}
# RQ's own reasons for a failure, in words (the rest is shown as the exception's last line).
RQ_FAILURES = [
    ("JobTimeoutException", _l("Việc chạy quá thời gian cho phép nên đã bị dừng.")),
    ("AbandonedJobError", _l("Máy xử lý ngừng giữa chừng; việc bị bỏ dở.")),
    ("terminated unexpectedly", _l("Máy xử lý bị dừng đột ngột (hết bộ nhớ hoặc bị tắt).")),
    ("StopRequested", _l("Đã dừng theo yêu cầu.")),
]
WORKER_STATES = {"busy": _l("Đang làm việc"), "idle": _l("Đang chờ việc"),
                 "suspended": _l("Tạm ngưng"), "started": _l("Vừa khởi động")}
KIND_NAMES = {"audio": _l("Bản nghe"), "video": _l("Video tải lên"),
              "briefing": _l("Video tóm tắt")}
FAILED_SHOWN = 50  # per queue; "Đưa lại tất cả" still takes every one
REDIS_DOWN = _l("Không kết nối được hàng đợi xử lý (Redis). Không xem được các việc đang chờ "
                "hay đang chạy; các bản media lỗi bên dưới vẫn lấy từ cơ sở dữ liệu.")
REQUEUE_MESSAGES = {
    Outcome.queued: (_l("Đã đưa lại vào hàng đợi."), "success"),
    Outcome.busy: (_l("Bản media này đang được xử lý; không cần đưa lại."), "warning"),
    Outcome.queue_down: (_l("Hàng đợi xử lý tạm thời không hoạt động; "
                            "vui lòng thử lại sau ít phút."), "error"),
    Outcome.superseded: (_l("Việc này đã được làm lại sau đó; đã gỡ khỏi danh sách lỗi."),
                         "success"),
    Outcome.dropped: (_l("Bài viết của việc này không còn; đã gỡ khỏi danh sách lỗi."),
                      "success"),
}


@dataclass
class JobRow:
    id: str
    name: str
    description: str
    article: Article | None = None
    asset: MediaAsset | None = None
    progress: int | None = None
    when: datetime | None = None
    error: str = ""


@dataclass
class QueueRow:
    name: str
    label: str
    queued: int = 0
    scheduled: int = 0
    started: list[JobRow] = field(default_factory=list)
    failed: list[JobRow] = field(default_factory=list)
    failed_count: int = 0


@dataclass
class WorkerRow:
    name: str
    state: str
    queues: list[str]
    heartbeat: datetime | None
    job: JobRow | None


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def error_words(job: Job) -> str:
    """The last line of a failed job's traceback, or RQ's reason in words."""
    result = job.latest_result()
    text = (result.exc_string if result is not None else "") or ""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    for marker, words in RQ_FAILURES:
        if marker in text:
            return str(words)
    return _("Lỗi: %(line)s", line=lines[-1])


def job_row(job: Job, failed: bool = False) -> JobRow:
    """A job as the page shows it: its name in words, its article, progress or error."""
    try:
        func = job.func_name or ""
    except DeserializationError:
        return JobRow(job.id, _("Việc không đọc được"), job.description or "")
    row = JobRow(job.id, str(JOB_NAMES.get(func, job.description or func)),
                 job.description or "")
    row.asset = media_jobs.asset_for_job(job)
    if row.asset is not None:
        row.article = row.asset.article
        row.progress = row.asset.progress
    elif func in ARTICLE_JOBS and job.args:
        row.article = db.session.get(Article, job.args[0])
    if row.progress is None:
        row.progress = job.meta.get("progress")
    if failed:
        row.when = _aware(job.ended_at)
        asset_error = row.asset.error if row.asset is not None else ""
        row.error = asset_error or error_words(job)
    else:
        row.when = _aware(job.started_at)
    return row


def _jobs(ids: list[str], connection, failed: bool = False) -> list[JobRow]:
    return [job_row(job, failed) for job in queues.fetch_jobs(ids, connection)
            if job is not None]


def queue_rows(connection) -> list[QueueRow]:
    rows = []
    for name in queues.ALL_QUEUES:
        queue = queues.queue(name, connection)
        failed = FailedJobRegistry(queue=queue)
        row = QueueRow(name, str(QUEUE_NAMES.get(name, name)), queued=queue.count,
                       scheduled=ScheduledJobRegistry(queue=queue).count,
                       failed_count=failed.count)
        row.started = _jobs(StartedJobRegistry(queue=queue).get_job_ids(), connection)
        row.failed = _jobs(failed.get_job_ids(0, FAILED_SHOWN - 1, desc=True), connection,
                           failed=True)
        rows.append(row)
    return rows


def worker_rows(connection) -> list[WorkerRow]:
    rows = []
    for worker in Worker.all(connection=connection, serializer=queues.SERIALIZER):
        job = worker.get_current_job()
        state = worker.get_state()
        rows.append(WorkerRow(worker.name, str(WORKER_STATES.get(state, state)),
                              worker.queue_names(), _aware(worker.last_heartbeat),
                              job_row(job) if job is not None else None))
    return sorted(rows, key=lambda w: w.name)


def troubled_assets() -> list[MediaAsset]:
    """Media rows an admin should act on: failed, or never queued because Redis was down."""
    query = select(MediaAsset).options(joinedload(MediaAsset.article)).where(or_(
        MediaAsset.status == MediaStatus.failed,
        and_(MediaAsset.status == MediaStatus.pending, MediaAsset.error != ""),
    )).order_by(MediaAsset.updated_at.desc()).limit(200)
    return list(db.session.scalars(query))


@bp.get("/hang-doi")
@admin_required
def jobs_page() -> str:
    """Hàng đợi xử lý: queues, running and failed jobs, workers, and failed media."""
    queue_list: list[QueueRow] = []
    workers: list[WorkerRow] = []
    redis_error = None
    try:
        connection = redis_conn()
        queue_list = queue_rows(connection)
        workers = worker_rows(connection)
    except RedisError as exc:
        current_app.logger.warning("jobs page without Redis: %s", exc)
        redis_error = str(REDIS_DOWN)
    return render_template("editor/jobs.html", queue_list=queue_list, workers=workers,
                           redis_error=redis_error, assets=troubled_assets(),
                           kind_names=KIND_NAMES)



def _queue_or_404(name: str) -> str:
    if name not in queues.ALL_QUEUES:
        abort(404)
    return name


def _back_to_jobs():
    return redirect(url_for("editor.jobs_page")), 303


@bp.post("/hang-doi/<queue_name>/<job_id>/dua-lai")
@admin_required
def requeue_job(queue_name: str, job_id: str):
    """Đưa lại vào hàng đợi: one failed job (audited media.requeue)."""
    _queue_or_404(queue_name)
    try:
        connection = redis_conn()
        if job_id not in FailedJobRegistry(queue_name, connection=connection,
                                      serializer=queues.SERIALIZER):
            flash(_("Việc này không còn trong danh sách lỗi."), "warning")
            return _back_to_jobs()
        outcome = media_jobs.requeue_failed_job(queues.fetch_job(job_id, connection))
    except NoSuchJobError:
        FailedJobRegistry(queue_name, connection=redis_conn()).remove(job_id)
        flash(_("Việc này đã hết hạn lưu; đã gỡ khỏi danh sách lỗi."), "warning")
        return _back_to_jobs()
    except RedisError:
        flash(str(REDIS_DOWN), "error")
        return _back_to_jobs()
    message, category = REQUEUE_MESSAGES[outcome]
    flash(str(message), category)
    return _back_to_jobs()


@bp.post("/hang-doi/<queue_name>/dua-lai-tat-ca")
@admin_required
def requeue_all(queue_name: str):
    """Đưa lại tất cả: every failed job of one queue."""
    _queue_or_404(queue_name)
    requeued = 0
    try:
        connection = redis_conn()
        registry = FailedJobRegistry(queue_name, connection=connection,
                                      serializer=queues.SERIALIZER)
        ids = registry.get_job_ids()
        for job_id, job in zip(ids, queues.fetch_jobs(ids, connection), strict=True):
            if job is None:
                registry.remove(job_id)  # expired: nothing left to run
                continue
            if media_jobs.requeue_failed_job(job) is Outcome.queued:
                requeued += 1
    except RedisError:
        flash(str(REDIS_DOWN), "error")
        return _back_to_jobs()
    flash(_("Đã đưa lại %(n)d việc vào hàng đợi %(queue)s.", n=requeued,
            queue=QUEUE_NAMES.get(queue_name, queue_name)), "success")
    return _back_to_jobs()


@bp.post("/hang-doi/media/<int:asset_id>/xu-ly-lai")
@admin_required
def requeue_asset(asset_id: int):
    """Xử lý lại a failed media row from the jobs page (audited media.requeue)."""
    asset = db.session.get(MediaAsset, asset_id) or abort(404)
    message, category = REQUEUE_MESSAGES[media_jobs.retry_by_hand(asset, "media.requeue")]
    flash(str(message), category)
    return _back_to_jobs()

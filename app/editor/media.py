"""Media control: the per-article panel (read / listen / watch) and the admin's jobs page.

The panel's state is built once here (`panel_state`) for both the edit page's template and the
JSON that static/js/media-panel.js polls; the jobs page shows RQ's queues, failed jobs and
workers next to the media rows that failed, and puts work back on the queues.
"""

from __future__ import annotations

import re
from datetime import datetime
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
from rq.exceptions import NoSuchJobError
from rq.registry import FailedJobRegistry

from ..extensions import db
from ..http_security import body_limit
from ..i18n import MEDIA_LABELS
from ..media import lifecycle, queues
from ..media.monitor import (
    KIND_NAMES,
    QUEUE_NAMES,
    QueueRow,
    WorkerRow,
    queue_rows,
    troubled_assets,
    worker_rows,
)
from ..media.storage_keys import is_hidden
from ..models import Article, ArticleStatus, ListenSource, MediaAsset, MediaKind, MediaStatus
from ..services.infra import media_url, object_store, redis_conn
from ..services.serializers import hls_url
from . import bp
from .access import (
    admin_required,
    can_edit,
    staff_required,
    viewable_article,
    writable_article,
)
from .forms import VideoForm

Outcome = lifecycle.Outcome

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
    if not can_edit(article):  # a contributor's locked article: to look at, not to redo
        for form in forms.values():
            form["retry_url"] = form["cancel_url"] = None
        audio["preview_narration_url"] = None
    return {"read": read_state(article), **forms,
            "busy": any(form["busy"] for form in forms.values())}


@bp.context_processor
def media_panel_helpers() -> dict[str, Any]:
    return {"media_panel": panel_state, "engine_words": engine_words}


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
    lifecycle.attach_video(article, upload.stream, upload.filename, upload.mimetype)
    flash(_("Đã tải video lên; hệ thống đang xử lý."), "success")
    return redirect(url_for("editor.edit", article_id=article.id)), 303


@bp.post("/media/<int:asset_id>/thu-lai")
@staff_required
def retry_media(asset_id: int):
    """Thử lại / Làm lại: queue a media asset again (audited); JSON for media-panel.js."""
    asset = editable_asset(asset_id)
    return outcome_response(asset.article, lifecycle.retry_by_hand(asset),
                            _("Đã đưa vào hàng đợi xử lý lại."))


@bp.post("/media/<int:asset_id>/huy")
@staff_required
def cancel_media(asset_id: int):
    """Stop a queued or running media job (audited); JSON for media-panel.js."""
    asset = editable_asset(asset_id)
    if lifecycle.cancel_by_hand(asset):
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
    outcome = lifecycle.request_preview_narration(article)
    return outcome_response(article, outcome,
                            _("Đã đưa bản nghe thử vào hàng đợi; ít phút nữa có thể nghe."))


# --- the admin's jobs page ------------------------------------------------------------------

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
        outcome = lifecycle.requeue_failed_job(queues.fetch_job(job_id, connection))
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
            if lifecycle.requeue_failed_job(job) is Outcome.queued:
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
    message, category = REQUEUE_MESSAGES[lifecycle.retry_by_hand(asset, "media.requeue")]
    flash(str(message), category)
    return _back_to_jobs()

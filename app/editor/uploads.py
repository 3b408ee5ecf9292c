"""Video uploads straight from the editor's browser to the object store, and subtitles.

The browser (Uppy's AwsS3 plugin in multipart mode) asks these JSON endpoints to start an
upload, to sign each part, to list the parts already stored (resume) and to complete or abort;
it PUTs the bytes to the store itself, so the web server never holds the file. Every key is
checked to lie under `uploads/<article id>/`, and the finished object's real size is checked
against VIDEO_MAX_UPLOAD_BYTES before it becomes the article's video.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from botocore.exceptions import ClientError
from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from media_pipeline import captions

from ..http_security import body_limit
from ..models import Article
from ..services import media_jobs
from ..services.errors import BadInput
from ..services.infra import media_url, object_store
from . import bp
from .access import BAD_REQUEST, Refused, json_staff_endpoint, staff_required, writable_article
from .forms import VIDEO_TYPES, human_size

log = logging.getLogger(__name__)

PART_URL_TTL = 3600  # a presigned part URL lives an hour; Uppy asks again for a retried part
MAX_PARTS = 10_000   # S3's limit

BAD_TYPE = _l("Định dạng video không được hỗ trợ.")
BAD_SIZE = _l("Kích thước tệp không hợp lệ.")
BAD_KEY = _l("Tệp tải lên không thuộc bài viết này.")
BAD_PART = _l("Số thứ tự phần tải lên không hợp lệ.")
BAD_PARTS = _l("Danh sách các phần đã tải lên không hợp lệ.")
NOT_JOINED = _l("Không ghép được các phần đã tải lên; vui lòng thử lại.")

LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français", "zh": "中文",
              "km": "ភាសាខ្មែរ", "lo": "ພາສາລາວ"}
LABEL_MAX = 60


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, BAD_REQUEST)
    return body


def _max_bytes() -> int:
    return int(current_app.config["VIDEO_MAX_UPLOAD_BYTES"])


def too_big_message() -> str:
    return _("Tệp vượt quá dung lượng tối đa cho phép (%(size)s).", size=human_size(_max_bytes()))


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _key_for(article: Article) -> str:
    """The `key` query parameter, refused (403) unless it is one of this article's uploads."""
    key = request.args.get("key", "")
    prefix = f"uploads/{article.id}/"
    if not key.startswith(prefix) or len(key) <= len(prefix) or ".." in key.split("/") \
            or len(key) > 500:
        raise Refused(403, BAD_KEY)
    return key


# --- the endpoints Uppy's AwsS3 plugin calls ------------------------------------------------

@bp.post("/bai-viet/<int:article_id>/tai-len")
@json_staff_endpoint
def upload_create(article_id: int):
    """Start a multipart upload of a video for this article → {uploadId, key}."""
    article = writable_article(article_id)
    body = _json_body()
    filename = str(body.get("filename") or "").strip()
    size = body.get("size")
    if _extension(filename) not in VIDEO_TYPES:
        raise Refused(422, BAD_TYPE)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise Refused(422, BAD_SIZE)
    if size > _max_bytes():
        raise Refused(422, too_big_message())
    declared = str(body.get("type") or "")
    content_type = declared if re.fullmatch(r"video/[\w.+-]+", declared) \
        else "application/octet-stream"
    key = media_jobs.upload_key(article, filename)
    upload_id = object_store().create_multipart_upload(key, content_type)
    log.info("multipart upload %s started for article %s by %s (%d bytes declared)",
             key, article.id, current_user.username, size)
    return jsonify({"uploadId": upload_id, "key": key})


@bp.get("/bai-viet/<int:article_id>/tai-len/<upload_id>")
@json_staff_endpoint
def upload_parts(article_id: int, upload_id: str):
    """The parts already stored, so a paused or interrupted upload resumes where it was."""
    key = _key_for(writable_article(article_id))
    return jsonify(object_store().list_parts(key, upload_id))


@bp.get("/bai-viet/<int:article_id>/tai-len/<upload_id>/<int:part_number>")
@json_staff_endpoint
def upload_sign_part(article_id: int, upload_id: str, part_number: int):
    """A presigned URL the browser PUTs one part to → {url}."""
    key = _key_for(writable_article(article_id))
    if not 1 <= part_number <= MAX_PARTS:
        raise Refused(422, BAD_PART)
    url = object_store().presign_upload_part(key, upload_id, part_number, expires=PART_URL_TTL)
    return jsonify({"url": url})


def _parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    parts = body.get("parts")
    if not isinstance(parts, list) or not parts or len(parts) > MAX_PARTS:
        raise Refused(422, BAD_PARTS)
    clean: dict[int, str] = {}
    for part in parts:
        number = part.get("PartNumber") if isinstance(part, dict) else None
        etag = part.get("ETag") if isinstance(part, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 1 <= number <= MAX_PARTS or not isinstance(etag, str) or not etag \
                or number in clean:
            raise Refused(422, BAD_PARTS)
        clean[number] = etag
    return [{"PartNumber": n, "ETag": clean[n]} for n in sorted(clean)]


@bp.post("/bai-viet/<int:article_id>/tai-len/<upload_id>/hoan-tat")
@json_staff_endpoint
def upload_complete(article_id: int, upload_id: str):
    """Join the parts, check the real size, make it the article's video and queue transcoding."""
    article = writable_article(article_id)
    key = _key_for(article)
    parts = _parts(_json_body())
    store = object_store()
    try:
        store.complete_multipart_upload(key, upload_id, parts)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") == "NoSuchUpload":
            raise
        log.warning("could not complete %s: %s", key, exc)
        raise Refused(422, NOT_JOINED) from None
    size = store.size(key)
    if size > _max_bytes():
        store.delete(key)
        log.warning("upload %s refused after completion: %d bytes", key, size)
        raise Refused(422, too_big_message())
    asset = media_jobs.use_uploaded_video(article, key)
    log.info("upload %s complete (%d bytes): video asset %s %s", key, size, asset.id,
             asset.status.value)
    flash(_("Đã tải lên; hệ thống đang xử lý."), "success")  # shown when the page reloads
    return jsonify({"asset": {"id": asset.id, "status": asset.status.value}})


@bp.delete("/bai-viet/<int:article_id>/tai-len/<upload_id>")
@json_staff_endpoint
def upload_abort(article_id: int, upload_id: str):
    """Cancel an upload and drop the parts stored so far (already gone is fine too)."""
    key = _key_for(writable_article(article_id))
    try:
        object_store().abort_multipart_upload(key, upload_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") != "NoSuchUpload":
            raise
    return "", 204


# --- subtitles ------------------------------------------------------------------------------

@bp.post("/bai-viet/<int:article_id>/phu-de")
@body_limit(captions.MAX_BYTES)
@staff_required
def upload_captions(article_id: int):
    """Attach a subtitle file (SRT or WebVTT, ≤ 1 MB) to the article's uploaded video."""
    article = writable_article(article_id)
    back = redirect(url_for("editor.edit", article_id=article.id), 303)
    asset = article.asset("video")
    if asset is None:
        flash(_("Bài viết chưa có video; hãy tải video lên trước khi thêm phụ đề."), "error")
        return back
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Vui lòng chọn tệp phụ đề (SRT hoặc WebVTT)."), "error")
        return back
    lang = (request.form.get("lang") or "vi").strip()
    if not LANG.match(lang) or len(lang) > 20:
        flash(_("Mã ngôn ngữ không hợp lệ (ví dụ: vi, en)."), "error")
        return back
    label = (request.form.get("label") or "").strip() or LANG_NAMES.get(lang, lang)
    if len(label) > LABEL_MAX:
        flash(_("Tên phụ đề dài quá %(n)d ký tự.", n=LABEL_MAX), "error")
        return back
    data = upload.stream.read(captions.MAX_BYTES + 1)
    if len(data) > captions.MAX_BYTES:
        flash(_("Tệp phụ đề vượt quá %(size)s.", size=human_size(captions.MAX_BYTES)), "error")
        return back
    try:
        media_jobs.attach_captions(asset, data, lang, label)
    except BadInput as exc:
        flash(exc.message, "error")
        return back
    flash(_("Đã thêm phụ đề %(label)s.", label=label), "success")
    return back


@bp.context_processor
def caption_helpers() -> dict[str, Any]:
    def caption_tracks(article: Article) -> list[dict[str, str | None]]:
        """The video's subtitle tracks with the address readers fetch them from."""
        asset = article.asset("video")
        return [{**track, "url": media_url(track.get("key"))}
                for track in (asset.captions or [] if asset else [])]

    return {"caption_tracks": caption_tracks, "video_max_bytes": _max_bytes(),
            "video_max_human": human_size(_max_bytes()), "video_types": VIDEO_TYPES}

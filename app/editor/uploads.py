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

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from media_pipeline import captions

from ..http_security import body_limit
from ..i18n import human_size
from ..media import lifecycle, uploads
from ..models import Article
from ..services.errors import BadInput
from ..services.infra import media_url
from . import bp
from .access import BAD_REQUEST, Refused, json_staff_endpoint, staff_required, writable_article

log = logging.getLogger(__name__)

LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français", "zh": "中文",
              "km": "ភាសាខ្មែរ", "lo": "ພາສາລາວ"}
LABEL_MAX = 60


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(400, BAD_REQUEST)
    return body


# --- the endpoints Uppy's AwsS3 plugin calls (app/media/uploads.py does the work) ------------

@bp.post("/bai-viet/<int:article_id>/tai-len")
@json_staff_endpoint
def upload_create(article_id: int):
    """Start a multipart upload of a video for this article → {uploadId, key}."""
    article = writable_article(article_id)
    body = _json_body()
    return jsonify(uploads.start(article, str(body.get("filename") or ""), body.get("size"),
                                 str(body.get("type") or ""), current_user.username))


@bp.get("/bai-viet/<int:article_id>/tai-len/<upload_id>")
@json_staff_endpoint
def upload_parts(article_id: int, upload_id: str):
    """The parts already stored, so a paused or interrupted upload resumes where it was."""
    return jsonify(uploads.stored_parts(writable_article(article_id),
                                        request.args.get("key", ""), upload_id))


@bp.get("/bai-viet/<int:article_id>/tai-len/<upload_id>/<int:part_number>")
@json_staff_endpoint
def upload_sign_part(article_id: int, upload_id: str, part_number: int):
    """A presigned URL the browser PUTs one part to → {url}."""
    return jsonify({"url": uploads.sign_part(writable_article(article_id),
                                             request.args.get("key", ""), upload_id,
                                             part_number)})


@bp.post("/bai-viet/<int:article_id>/tai-len/<upload_id>/hoan-tat")
@json_staff_endpoint
def upload_complete(article_id: int, upload_id: str):
    """Join the parts, check the real size, make it the article's video and queue transcoding."""
    article = writable_article(article_id)
    key = uploads.checked_key(article, request.args.get("key", ""))
    asset = uploads.complete(article, key, upload_id, _json_body().get("parts"))
    flash(_("Đã tải lên; hệ thống đang xử lý."), "success")  # shown when the page reloads
    return jsonify({"asset": {"id": asset.id, "status": asset.status.value}})


@bp.delete("/bai-viet/<int:article_id>/tai-len/<upload_id>")
@json_staff_endpoint
def upload_abort(article_id: int, upload_id: str):
    """Cancel an upload and drop the parts stored so far (already gone is fine too)."""
    uploads.abort(writable_article(article_id), request.args.get("key", ""), upload_id)
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
        lifecycle.attach_captions(asset, data, lang, label)
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

    return {"caption_tracks": caption_tracks, "video_max_bytes": uploads.max_bytes(),
            "video_max_human": human_size(uploads.max_bytes()),
            "video_types": uploads.VIDEO_TYPES}

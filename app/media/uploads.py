"""Editors' video uploads, straight from the browser to the object store (S3 multipart).

The browser (Uppy's AwsS3 plugin) starts an upload here, has each part signed, lists the parts
already stored (to resume), then completes or aborts; it PUTs the bytes to the store itself, so
the web server never holds the file. Every key must lie under the article's own upload prefix
(storage_keys.upload_prefix), and the joined object's real size is checked against
VIDEO_MAX_UPLOAD_BYTES before it becomes the article's video.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from botocore.exceptions import ClientError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import human_size
from ..models import Article, MediaAsset
from ..services.errors import BadInput, NotAllowed
from ..services.infra import object_store
from . import lifecycle, storage_keys

log = logging.getLogger(__name__)

PART_URL_TTL = 3600  # a presigned part URL lives an hour; Uppy asks again for a retried part
MAX_PARTS = 10_000   # S3's limit
VIDEO_TYPES = ["mp4", "mov", "m4v", "mkv", "webm", "avi", "mpg", "mpeg", "3gp", "ts"]

BAD_TYPE = _l("Định dạng video không được hỗ trợ.")
BAD_SIZE = _l("Kích thước tệp không hợp lệ.")
BAD_KEY = _l("Tệp tải lên không thuộc bài viết này.")
BAD_PART = _l("Số thứ tự phần tải lên không hợp lệ.")
BAD_PARTS = _l("Danh sách các phần đã tải lên không hợp lệ.")
NOT_JOINED = _l("Không ghép được các phần đã tải lên; vui lòng thử lại.")


def max_bytes() -> int:
    return int(current_app.config["VIDEO_MAX_UPLOAD_BYTES"])


def too_big_message() -> str:
    return _("Tệp vượt quá dung lượng tối đa cho phép (%(size)s).", size=human_size(max_bytes()))


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def checked_key(article: Article, key: str) -> str:
    """`key`, refused unless it is one of this article's uploads."""
    prefix = storage_keys.upload_prefix(article.id)
    if not key.startswith(prefix) or len(key) <= len(prefix) or ".." in key.split("/") \
            or len(key) > 500:
        raise NotAllowed(str(BAD_KEY))
    return key


def start(article: Article, filename: str, size: object, declared_type: str,
          by: str) -> dict[str, str]:
    """Start a multipart upload of a video for `article` → {uploadId, key}."""
    filename = filename.strip()
    if _extension(filename) not in VIDEO_TYPES:
        raise BadInput(str(BAD_TYPE))
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise BadInput(str(BAD_SIZE))
    if size > max_bytes():
        raise BadInput(too_big_message())
    content_type = declared_type if re.fullmatch(r"video/[\w.+-]+", declared_type) \
        else "application/octet-stream"
    key = lifecycle.upload_key(article, filename)
    upload_id = object_store().create_multipart_upload(key, content_type)
    log.info("multipart upload %s started for article %s by %s (%d bytes declared)",
             key, article.id, by, size)
    return {"uploadId": upload_id, "key": key}


def stored_parts(article: Article, key: str, upload_id: str) -> list[dict[str, Any]]:
    """The parts already stored, so a paused or interrupted upload resumes where it was."""
    return object_store().list_parts(checked_key(article, key), upload_id)


def sign_part(article: Article, key: str, upload_id: str, part_number: int) -> str:
    """A presigned URL the browser PUTs one part to."""
    key = checked_key(article, key)
    if not 1 <= part_number <= MAX_PARTS:
        raise BadInput(str(BAD_PART))
    return object_store().presign_upload_part(key, upload_id, part_number, expires=PART_URL_TTL)


def clean_parts(parts: object) -> list[dict[str, Any]]:
    """The browser's list of parts, each number once, in order (refused if malformed)."""
    if not isinstance(parts, list) or not parts or len(parts) > MAX_PARTS:
        raise BadInput(str(BAD_PARTS))
    clean: dict[int, str] = {}
    for part in parts:
        number = part.get("PartNumber") if isinstance(part, dict) else None
        etag = part.get("ETag") if isinstance(part, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 1 <= number <= MAX_PARTS or not isinstance(etag, str) or not etag \
                or number in clean:
            raise BadInput(str(BAD_PARTS))
        clean[number] = etag
    return [{"PartNumber": n, "ETag": clean[n]} for n in sorted(clean)]


def complete(article: Article, key: str, upload_id: str, parts: object) -> MediaAsset:
    """Join the parts, check the real size, make it the article's video, queue transcoding."""
    key = checked_key(article, key)
    joined = clean_parts(parts)
    store = object_store()
    try:
        store.complete_multipart_upload(key, upload_id, joined)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") == "NoSuchUpload":
            raise
        log.warning("could not complete %s: %s", key, exc)
        raise BadInput(str(NOT_JOINED)) from None
    size = store.size(key)
    if size > max_bytes():
        store.delete(key)
        log.warning("upload %s refused after completion: %d bytes", key, size)
        raise BadInput(too_big_message())
    asset = lifecycle.use_uploaded_video(article, key)
    log.info("upload %s complete (%d bytes): video asset %s %s", key, size, asset.id,
             asset.status.value)
    return asset


def abort(article: Article, key: str, upload_id: str) -> None:
    """Cancel an upload and drop the parts stored so far (already gone is fine too)."""
    key = checked_key(article, key)
    try:
        object_store().abort_multipart_upload(key, upload_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") != "NoSuchUpload":
            raise

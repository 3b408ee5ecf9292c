"""Asking for media work: narration on publish, transcoding on video upload."""

from __future__ import annotations

import logging
import uuid
from typing import IO

from flask import current_app
from redis.exceptions import RedisError
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from werkzeug.utils import secure_filename

from workers import queues

from ..extensions import db
from ..models import Article, MediaAsset, MediaKind, MediaStatus
from .infra import object_store, redis_conn

log = logging.getLogger(__name__)

CANCELLED = "Đã hủy theo yêu cầu của biên tập viên."  # the same words as workers.state
QUEUE_DOWN = "Hàng đợi xử lý tạm thời không hoạt động; hệ thống sẽ thử lại."


def get_or_create_asset(article: Article, kind: MediaKind) -> MediaAsset:
    asset = article.asset(kind.value)
    if asset is None:
        asset = MediaAsset(article=article, kind=kind, status=MediaStatus.pending, outputs={})
        db.session.add(asset)
    return asset


def _enqueue(asset: MediaAsset, job_kind: str) -> bool:
    """Commit the row as queued, then enqueue; if Redis is down the row stays pending."""
    asset.move_to(MediaStatus.queued)
    asset.progress = 0
    asset.error = ""
    db.session.commit()
    try:
        job = queues.enqueue(redis_conn(), job_kind, asset.id, current_app.config)
    except RedisError as exc:
        log.error("could not enqueue %s for asset %s: %s", job_kind, asset.id, exc)
        asset.move_to(MediaStatus.pending)
        asset.error = QUEUE_DOWN
        db.session.commit()
        return False
    asset.job_id = job.id
    db.session.commit()
    return True


def request_narration(article: Article) -> MediaAsset:
    """Queue narration of a published article; the worker skips it if the text is unchanged."""
    asset = get_or_create_asset(article, MediaKind.audio)
    _enqueue(asset, "narrate")
    return asset


def attach_video(article: Article, fileobj: IO[bytes], filename: str,
                 content_type: str | None = None) -> MediaAsset:
    """Store an uploaded original privately and queue its transcoding.

    The previous video stays published until the new one is whole.
    """
    key = upload_key(article, filename)
    object_store().upload_fileobj(fileobj, key, content_type or "application/octet-stream",
                                  cache_control="private, no-store")
    return use_uploaded_video(article, key)


def upload_key(article: Article, filename: str) -> str:
    """Where an original upload goes: private, unique per upload."""
    name = secure_filename(filename) or "video"
    return f"uploads/{article.id}/{uuid.uuid4().hex}/{name}"


def use_uploaded_video(article: Article, key: str) -> MediaAsset:
    """Make the original already stored at `key` the article's video, and queue transcoding."""
    asset = get_or_create_asset(article, MediaKind.video)
    if asset.source_key and asset.source_key != key:
        try:
            queues.schedule_deletion(redis_conn(), current_app.config, prefixes=[],
                                     keys=[asset.source_key])
        except RedisError as exc:  # the periodic clean-up is not worth failing an upload
            log.warning("could not schedule deletion of %s: %s", asset.source_key, exc)
    asset.source_key = key
    asset.attempts = 0
    _enqueue(asset, "transcode")
    return asset


def request_cover_variants(article: Article, replaced: list[str] | None = None) -> bool:
    """Queue the responsive widths of the article's (committed) cover, and the deletion of
    the `replaced` cover's variants after the grace period.

    Never raises: without variants the pages simply show the plain cover.
    """
    try:
        connection = redis_conn()
        if replaced:
            queues.schedule_cover_cleanup(connection, current_app.config, article.id, replaced)
        if article.cover_key:
            queues.enqueue_cover_variants(connection, article.id, article.cover_key,
                                          current_app.config)
    except RedisError as exc:
        log.error("could not queue cover variants for article %s: %s", article.id, exc)
        return False
    return True


JOB_FOR_KIND = {MediaKind.audio: "narrate", MediaKind.video: "transcode",
                MediaKind.briefing: "brief"}


def cancel(asset: MediaAsset) -> None:
    """Stop a queued or running job. The row says why; the job notices at its next step."""
    if asset.status not in (MediaStatus.queued, MediaStatus.processing):
        return
    asset.move_to(MediaStatus.failed)
    asset.error = CANCELLED
    db.session.commit()
    if not asset.job_id:
        return
    connection = redis_conn()
    try:
        job = Job.fetch(asset.job_id, connection=connection)
        if job.get_status() == JobStatus.STARTED:
            send_stop_job_command(connection, asset.job_id)
        else:
            job.cancel()
    except (NoSuchJobError, InvalidJobOperation, RedisError) as exc:
        log.info("cancel %s: %s", asset.job_id, exc)


def request(asset: MediaAsset, job_kind: str) -> bool:
    """Queue `job_kind` for an asset (used by workers chaining a briefing after narration)."""
    return _enqueue(asset, job_kind)


def retry(asset: MediaAsset) -> bool:
    return _enqueue(asset, JOB_FOR_KIND[asset.kind])

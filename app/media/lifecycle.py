"""Asking for media work: narration on publish, transcoding on video upload."""

from __future__ import annotations

import enum
import hashlib
import io
import logging
import uuid
from typing import IO

from flask import current_app
from redis.exceptions import RedisError
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from werkzeug.utils import secure_filename

from media_pipeline import captions
from media_pipeline.errors import InvalidMediaError

from ..extensions import db
from ..models import Article, MediaAsset, MediaKind, MediaStatus
from ..services import audit
from ..services.errors import BadInput
from ..services.infra import object_store, redis_conn
from ..services.search import refresh_search_text
from . import queues, state, storage_keys

log = logging.getLogger(__name__)

QUEUE_DOWN = "Hàng đợi xử lý tạm thời không hoạt động; hệ thống sẽ thử lại."


def get_or_create_asset(article: Article, kind: MediaKind) -> MediaAsset:
    asset = article.asset(kind.value)
    if asset is None:
        asset = MediaAsset(article=article, kind=kind, status=MediaStatus.pending, outputs={})
        db.session.add(asset)
    return asset


def _enqueue(asset: MediaAsset, job_kind: str, fresh: bool = True) -> bool:
    """Commit the row as queued, then enqueue; if Redis is down the row stays pending (and the
    clock's reconciler queues it once Redis answers). A fresh request (new input, a person's
    retry) starts the count of attempts again; the reconciler's keeps it, and its note."""
    asset.move_to(MediaStatus.queued)
    asset.progress = 0
    if fresh:
        asset.error = ""
        asset.attempts = 0
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


def refresh_briefing(article: Article) -> bool:
    """A live article was edited but says the same (a body picture, a caption, the cover, the
    section changed): its briefing video is planned again. The row stays ready, so readers
    keep the video meanwhile; the worker renders only when what the video shows changed."""
    brief = article.asset("briefing")
    if brief is None or brief.status is not MediaStatus.ready:
        return False
    try:
        queues.enqueue(redis_conn(), "brief", brief.id, current_app.config)
    except RedisError as exc:  # the video stays as it was until the next edit
        log.error("could not queue a briefing refresh for asset %s: %s", brief.id, exc)
        return False
    return True


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
    return storage_keys.upload_key(article.id, uuid.uuid4().hex, name)


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
    db.session.flush()  # a new asset needs its id for the audit entry
    audit.record("media.upload", asset, f"Tải video lên cho bài «{article.title}»",
                 article_id=article.id, kind=asset.kind.value, file=key.rsplit("/", 1)[-1])
    _enqueue(asset, "transcode")  # commits the row and the entry together
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


def request_media_sync(article: Article) -> None:
    """The article was published or withdrawn (committed): move its files to match, in a
    quick job; done here and now if Redis is down. Until then a published article's hidden
    files are shown through signed URLs (media_url), so readers never wait on this."""
    try:
        queues.enqueue_media_sync(redis_conn(), article.id, current_app.config)
    except RedisError as exc:
        log.warning("media sync of article %s done inline, Redis unavailable: %s",
                    article.id, exc)
        storage_keys.sync_article_media(article)


JOB_FOR_KIND = {MediaKind.audio: "narrate", MediaKind.video: "transcode",
                MediaKind.briefing: "brief"}


def cancel(asset: MediaAsset) -> None:
    """Stop a queued or running job. The row says why; the job notices at its next step."""
    if asset.status not in (MediaStatus.queued, MediaStatus.processing):
        return
    asset.move_to(MediaStatus.failed)
    asset.error = state.CANCELLED
    db.session.commit()
    if not asset.job_id:
        return
    connection = redis_conn()
    try:
        job = queues.fetch_job(asset.job_id, connection)
        if job.get_status() == JobStatus.STARTED:
            send_stop_job_command(connection, asset.job_id)
        else:
            job.cancel()
    except (NoSuchJobError, InvalidJobOperation, RedisError) as exc:
        log.info("cancel %s: %s", asset.job_id, exc)


def request(asset: MediaAsset, job_kind: str) -> bool:
    """Queue `job_kind` for an asset (used by workers chaining a briefing after narration)."""
    return _enqueue(asset, job_kind)


def requeue(asset: MediaAsset) -> bool:
    """The reconciler's: queue an asset whose job is gone (Redis restarted, a worker killed)
    again, keeping its count of attempts and the note saying why."""
    return _enqueue(asset, JOB_FOR_KIND[asset.kind], fresh=False)


# --- by hand: an editor's buttons on the media panel, an admin's on the jobs page ------------

BUSY = (MediaStatus.queued, MediaStatus.processing)
# Which media asset an RQ job works on: its function names the kind, its first argument the id.
ASSET_JOB_KINDS = {queues.POLICIES[name].func: kind for kind, name in JOB_FOR_KIND.items()}
KIND_WORDS = {MediaKind.audio: "bản nghe", MediaKind.video: "video tải lên",
              MediaKind.briefing: "video tóm tắt"}


class Outcome(enum.Enum):
    queued = "queued"            # on the queue now
    busy = "busy"                # already queued or running: nothing added
    queue_down = "queue_down"    # Redis did not answer; the row waits as pending
    superseded = "superseded"    # a newer job already redid it: the old failure is dropped
    dropped = "dropped"          # its asset is gone: the failed job is only removed


def _stuck(asset: MediaAsset) -> bool:
    """Queued or processing with no live job behind it (Redis restarted, a worker killed):
    the clock's reconciler would requeue it soon; a person's retry needn't wait."""
    try:
        connection = redis_conn()
        job = queues.find_job(asset.job_id, connection)
        interval = float(current_app.config["JOB_MONITORING_INTERVAL"])
        return not queues.job_alive(job, connection, interval)
    except RedisError:
        return False


def _by_hand(asset: MediaAsset, job_kind: str, action: str, summary: str) -> Outcome:
    """Queue work a person asked for, with its audit entry in the same commit. A row that is
    busy only in name (its job is gone) may be retried too."""
    if asset.status in BUSY and not _stuck(asset):
        return Outcome.busy
    db.session.flush()  # a new asset needs its id for the audit entry
    audit.record(action, asset, summary, article_id=asset.article_id, kind=asset.kind.value)
    return Outcome.queued if _enqueue(asset, job_kind) else Outcome.queue_down


def request_preview_narration(article: Article) -> Outcome:
    """Narrate an article that is not (yet) live, so its editor can listen before publishing.

    Nothing narrates drafts by itself; this is the editor's explicit ask.
    """
    asset = get_or_create_asset(article, MediaKind.audio)
    return _by_hand(asset, "narrate", "media.preview",
                    f"Tạo bản nghe thử cho bài “{article.title}”")


def retry_by_hand(asset: MediaAsset, action: str = "media.retry") -> Outcome:
    """Thử lại (failed) / Làm lại (ready) from the panel, or an admin's requeue."""
    return _by_hand(asset, JOB_FOR_KIND[asset.kind], action,
                    f"Xử lý lại {KIND_WORDS[asset.kind]} của bài “{asset.article.title}”")


def cancel_by_hand(asset: MediaAsset) -> bool:
    """Hủy from the panel; False when there was nothing running to stop."""
    if asset.status not in BUSY:
        return False
    audit.record("media.cancel", asset,
                 f"Hủy xử lý {KIND_WORDS[asset.kind]} của bài “{asset.article.title}”",
                 article_id=asset.article_id, kind=asset.kind.value)
    cancel(asset)  # commits the row and the entry together
    return True


def asset_for_job(job: Job) -> MediaAsset | None:
    """The media asset an RQ job works on, if it is an asset job and the row still exists."""
    kind = ASSET_JOB_KINDS.get(job.func_name or "")
    if kind is None or not job.args:
        return None
    asset = db.session.get(MediaAsset, job.args[0])
    return asset if asset is not None and asset.kind is kind else None


def requeue_failed_job(job: Job) -> Outcome:
    """Put a failed RQ job back on its queue (an admin's "Đưa lại vào hàng đợi").

    An asset's job goes through retry_by_hand, so the row says queued as well; the old failed
    job is then dropped from the failed list. Other jobs (covers, clean-ups) are requeued as
    they are. Raises RedisError when Redis does not answer.
    """
    registry = FailedJobRegistry(job.origin, connection=job.connection,
                                 serializer=queues.SERIALIZER)
    asset = asset_for_job(job)
    if asset is None and (job.func_name or "") in ASSET_JOB_KINDS:
        registry.remove(job, delete_job=True)  # the article (and its media) was deleted
        return Outcome.dropped
    if asset is not None:
        if asset.status in (MediaStatus.failed, MediaStatus.pending, MediaStatus.stale):
            outcome = retry_by_hand(asset, "media.requeue")
        else:
            outcome = Outcome.superseded
        if outcome is not Outcome.queue_down:
            registry.remove(job, delete_job=True)
        return outcome
    registry.requeue(job)
    audit.record("media.requeue", None,
                 f"Đưa lại việc “{job.description}” vào hàng đợi {job.origin}",
                 job_id=job.id, queue=job.origin)
    db.session.commit()
    return Outcome.queued


# --- subtitles ------------------------------------------------------------------------------

def caption_key(asset: MediaAsset, vtt: bytes) -> str:
    return storage_keys.captions_key(asset.id, hashlib.sha256(vtt).hexdigest(),
                                   asset.article.is_published)


def attach_captions(asset: MediaAsset, data: bytes, lang: str, label: str) -> dict[str, str]:
    """Check and store a subtitle file as WebVTT (public once the article is); a track of the
    same language is replaced. Raises BadInput with a Vietnamese reason."""
    try:
        vtt = captions.to_webvtt(data).encode("utf-8")
    except InvalidMediaError as exc:
        raise BadInput(str(exc)) from None
    key = caption_key(asset, vtt)
    object_store().upload_fileobj(io.BytesIO(vtt), key, "text/vtt; charset=utf-8")
    # The cue text rides along so reader search finds what is said in the video.
    track = {"lang": lang, "label": label, "key": key, "text": captions.cue_text(vtt.decode())}
    tracks = [dict(t) for t in asset.captions or []]
    same = next((i for i, t in enumerate(tracks) if t.get("lang") == lang), None)
    if same is None:
        tracks.append(track)
    else:
        tracks[same] = track
    asset.captions = tracks  # a new list, so the JSON column is written
    refresh_search_text(asset.article)
    audit.record("media.caption", asset,
                 f"{'Thêm' if same is None else 'Thay'} phụ đề {label} cho video của bài "
                 f"«{asset.article.title}»", article_id=asset.article_id, lang=lang)
    db.session.commit()
    return track

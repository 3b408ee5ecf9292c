"""Queue names and the policy every enqueue states (timeouts, TTLs, retries).

Imported by the app to enqueue by dotted name, so it must stay light: rq and redis only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

# Jobs are stored in Redis as JSON, never pickle: anyone who can write to Redis can then at
# most queue our own job functions with plain arguments, not run code in a worker.
SERIALIZER = JSONSerializer

NARRATION = "narration"
VIDEO = "video"
IMAGES = "images"  # cheap, seconds each: first, so covers never wait behind a long video
ALL_QUEUES = [IMAGES, NARRATION, VIDEO]
# The job functions (app/media/jobs.py: ids in, nothing out), by the dotted names RQ stores:
# the app enqueues by name and never imports the media code.
_JOBS = "app.media.jobs."
NARRATE = _JOBS + "narrate_article"
TRANSCODE = _JOBS + "transcode_video"
BRIEF = _JOBS + "make_briefing"
COVER_VARIANTS = _JOBS + "make_cover_variants"
RETIRE_COVER_VARIANTS = _JOBS + "retire_cover_variants"
DELETE_MEDIA = _JOBS + "delete_media"
BODY_IMAGE_VARIANTS = _JOBS + "make_body_image_variants"
SYNC_MEDIA = _JOBS + "sync_media"
JOB_NAMES = (NARRATE, TRANSCODE, BRIEF, COVER_VARIANTS, RETIRE_COVER_VARIANTS, DELETE_MEDIA,
             BODY_IMAGE_VARIANTS, SYNC_MEDIA)
# Jobs about an article rather than a media asset: their first argument is the article's id.
ARTICLE_JOBS = {COVER_VARIANTS, RETIRE_COVER_VARIANTS}
COVER_VARIANTS_TIMEOUT = 120  # seconds; resizing one picture a few times
MEDIA_SYNC_TIMEOUT = 600  # copying a long video's whole ladder


@dataclass(frozen=True)
class JobPolicy:
    queue: str
    func: str
    timeout_setting: str
    retry: Retry | None


POLICIES = {
    # Narration is idempotent (keyed by a hash of its input): safe to retry after a hiccup.
    "narrate": JobPolicy(NARRATION, NARRATE, "JOB_TIMEOUT_NARRATION",
                         Retry(max=2, interval=[10, 60])),
    # A failed transcode is usually the file's fault; the editor retries by hand.
    "transcode": JobPolicy(VIDEO, TRANSCODE, "JOB_TIMEOUT_VIDEO", None),
    # A briefing is rebuilt from stored inputs: a retry after a hiccup is safe.
    "brief": JobPolicy(VIDEO, BRIEF, "JOB_TIMEOUT_VIDEO",
                       Retry(max=1, interval=[60])),
}
# Responsive widths of a cover: keyed by article and cover, not by a media asset, with a fixed
# short timeout. Retried after a store hiccup; a corrupt picture stops retrying by itself.
COVER_VARIANTS_RETRY = Retry(max=2, interval=[10, 60])


def queue(name: str, connection: Redis) -> Queue:
    """Queue `name`, reading and writing jobs as JSON (SERIALIZER)."""
    return Queue(name, connection=connection, serializer=SERIALIZER)


def fetch_job(job_id: str, connection: Redis) -> Job:
    return Job.fetch(job_id, connection=connection, serializer=SERIALIZER)


def fetch_jobs(job_ids: list[str], connection: Redis) -> list[Job | None]:
    return Job.fetch_many(job_ids, connection=connection, serializer=SERIALIZER)


def find_job(job_id: str | None, connection: Redis) -> Job | None:
    """The job, or None if Redis no longer has it (finished long ago, or Redis restarted)."""
    if not job_id:
        return None
    try:
        return fetch_job(job_id, connection)
    except NoSuchJobError:
        return None


WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def job_alive(job: Job | None, connection: Redis, heartbeat_interval: float) -> bool:
    """A job that waits its turn, or runs in a worker whose heartbeat still beats (a busy
    worker beats every `heartbeat_interval`; its key outlives it by a minute, so the beat's
    time decides)."""
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status in WAITING:
        return True
    if status != JobStatus.STARTED or not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name,
                                connection=connection, serializer=SERIALIZER)
    if worker is None or worker.last_heartbeat is None:
        return False
    beat = worker.last_heartbeat  # (the worker machine's clock: machines keep time by NTP)
    silent = datetime.now(UTC) - (beat if beat.tzinfo else beat.replace(tzinfo=UTC))
    return silent.total_seconds() < 3 * heartbeat_interval + 5


def enqueue_cover_variants(connection: Redis, article_id: int, cover_key: str,
                           settings: Mapping[str, Any]) -> Job:
    """Make the variants of `cover_key`. Call only after the article's new cover is committed."""
    return queue(IMAGES, connection).enqueue(
        COVER_VARIANTS, article_id, cover_key,
        job_timeout=COVER_VARIANTS_TIMEOUT, result_ttl=settings["JOB_RESULT_TTL"],
        failure_ttl=settings["JOB_FAILURE_TTL"], retry=COVER_VARIANTS_RETRY,
        description=f"cover variants article {article_id}")


def enqueue_body_image_variants(connection: Redis, image_id: int, key: str,
                                settings: Mapping[str, Any]) -> Job:
    """Make the widths of an image placed in an article's body (ArticleImage `image_id`,
    stored at `key`). Call only after its row is committed."""
    return queue(IMAGES, connection).enqueue(
        BODY_IMAGE_VARIANTS, image_id, key,
        job_timeout=COVER_VARIANTS_TIMEOUT, result_ttl=settings["JOB_RESULT_TTL"],
        failure_ttl=settings["JOB_FAILURE_TTL"], retry=COVER_VARIANTS_RETRY,
        description=f"body image variants {image_id}")


def enqueue_media_sync(connection: Redis, article_id: int, settings: Mapping[str, Any]) -> Job:
    """Move an article's files to public or private after its status changed (quick queue:
    a reader of a just-published article should not wait behind a video)."""
    return queue(IMAGES, connection).enqueue(
        SYNC_MEDIA, article_id, job_timeout=MEDIA_SYNC_TIMEOUT,
        result_ttl=settings["JOB_RESULT_TTL"], failure_ttl=settings["JOB_FAILURE_TTL"],
        retry=COVER_VARIANTS_RETRY, description=f"media visibility article {article_id}")


def schedule_cover_cleanup(connection: Redis, settings: Mapping[str, Any], article_id: int,
                           keys: list[str]) -> Job | None:
    """Delete a replaced cover's variants after the grace period (cached pages still use them)."""
    if not keys:
        return None
    return queue(IMAGES, connection).enqueue_in(
        timedelta(seconds=settings["MEDIA_GC_GRACE"]), RETIRE_COVER_VARIANTS,
        article_id, keys, job_timeout=COVER_VARIANTS_TIMEOUT,
        result_ttl=settings["JOB_RESULT_TTL"], failure_ttl=settings["JOB_FAILURE_TTL"],
        description=f"delete replaced cover variants of article {article_id}")


def schedule_deletion(connection: Redis, settings: Mapping[str, Any], *, prefixes: list[str],
                      keys: list[str]) -> Job | None:
    """Delete superseded media after the grace period (RQ's scheduler runs it)."""
    if not prefixes and not keys:
        return None
    return queue(VIDEO, connection).enqueue_in(
        timedelta(seconds=settings["MEDIA_GC_GRACE"]), DELETE_MEDIA,
        prefixes=prefixes, keys=keys, job_timeout=600, result_ttl=settings["JOB_RESULT_TTL"],
        failure_ttl=settings["JOB_FAILURE_TTL"], description="delete superseded media")


def enqueue(connection: Redis, kind: str, asset_id: int, settings: Mapping[str, Any]) -> Job:
    """Put job `kind` for `asset_id` on its queue. Call only after the row is committed."""
    policy = POLICIES[kind]
    return queue(policy.queue, connection).enqueue(
        policy.func, asset_id,
        job_timeout=settings[policy.timeout_setting],
        result_ttl=settings["JOB_RESULT_TTL"],
        failure_ttl=settings["JOB_FAILURE_TTL"],
        retry=policy.retry,
        description=f"{kind} asset {asset_id}",
    )

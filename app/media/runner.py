"""The one job runner for every media kind (narration, transcoding, briefings).

    load the row (gone or another kind: nothing to do)
    → plan: the input's hash (the input itself at fault: fail, no retry)
    → the same input already rendered whole: ready again, no work
    → start (attempts + 1), render in a job folder of its own, verify, upload
    → finish: the row switches to the new render, the old one is retired
    on an error, by its cause (`classify`):
      transient (the store or Redis did not answer, the machine stopped, the disk was full):
        the row waits as queued with the reason and when the retry comes; RQ's retry, or the
        reconciler (app.clock), runs it again — up to MEDIA_MAX_ATTEMPTS;
      permanent (the file's fault, the time limit): failed with the reason, no retry.
    Either way the exception is re-raised: RQ records a failure, never a success.

Job folders are named `docnghexem-job-<pid>-…` so that the clock can sweep the folders of
work-horses that were killed before they could clean up.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from redis.exceptions import RedisError
from rq import get_current_job
from rq.timeouts import JobTimeoutException
from sqlalchemy.exc import OperationalError

from media_pipeline import ffmpeg_run
from media_pipeline.errors import MediaError
from media_pipeline.normalize import LexiconError

from ..extensions import db
from ..models import MediaAsset, MediaKind, MediaStatus
from ..models.base import utcnow
from ..services.infra import redis_conn
from ..services.localtime import local
from . import queues, state

log = logging.getLogger(__name__)
JOB_FOLDER_PREFIX = "docnghexem-job-"
STORE_DOWN = "Không truy cập được kho lưu trữ media"
QUEUE_DOWN = "Không kết nối được hàng đợi xử lý"
DATABASE_DOWN = "Cơ sở dữ liệu tạm thời không phản hồi"
WORKER_STOPPED = "Máy xử lý dừng giữa chừng"
INTERNAL = "Lỗi hệ thống khi xử lý; hãy bấm Thử lại, nếu vẫn lỗi hãy báo quản trị."
RECONCILE_RETRY = timedelta(seconds=60)  # when the clock's reconciler takes a retry over


@dataclass
class Rendered:
    """A whole render, uploaded: what the row points at once it is ready."""

    outputs: dict[str, Any]
    duration: float | None
    engine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class AssetJob(Protocol):
    kind: MediaKind

    def plan(self, asset: MediaAsset) -> str:
        """The input's hash; MediaError when there is nothing to render."""
        ...

    def render(self, asset: MediaAsset, workdir: Path, input_hash: str) -> Rendered:
        ...

    def still_wanted(self, asset: MediaAsset, input_hash: str) -> bool:
        """After rendering: is this still the row's input (no newer upload meanwhile)?"""
        ...

    def after(self, asset: MediaAsset, made: Rendered | None) -> None:
        """Once the row is ready (`made` None: it was already): what follows (a briefing after
        narration, the files moved where the article's status says)."""
        ...


def classify(exc: BaseException) -> tuple[str, bool]:
    """(the reason an editor reads, whether trying again later may succeed)."""
    if isinstance(exc, state.Cancelled):
        return state.CANCELLED, False
    if isinstance(exc, MediaError):
        if exc.detail:
            log.warning("%s: %s", exc.reason, exc.detail)
        return exc.reason, exc.transient
    if isinstance(exc, JobTimeoutException):
        return ffmpeg_run.TIME_LIMIT, False
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        log.warning("object store error: %s", exc)
        if code in ("NoSuchKey", "404"):
            return "Không tìm thấy tệp gốc trong kho lưu trữ; hãy tải lên lại.", False
        return STORE_DOWN, True
    if isinstance(exc, BotoCoreError):
        log.warning("object store unreachable: %s", exc)
        return STORE_DOWN, True
    if isinstance(exc, RedisError):
        log.warning("Redis error: %s", exc)
        return QUEUE_DOWN, True
    if isinstance(exc, OperationalError):  # the database went away for a moment
        log.warning("database error: %s", exc)
        return DATABASE_DOWN, True
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return ffmpeg_run.DISK_FULL, True
    if isinstance(exc, LexiconError):
        return str(exc), False
    log.error("media job failed", exc_info=exc)
    return INTERNAL, False


def _next_try(job: Any) -> timedelta | None:
    """When RQ retries the current job, or None if it will not."""
    if job is None or not job.retries_left:
        return None
    try:
        return timedelta(seconds=int(job.get_retry_interval()))
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


def retry_words(reason: str, after: timedelta) -> str:
    when = local(utcnow() + after).strftime("%H:%M")
    return f"{reason}; hệ thống sẽ tự thử lại lúc {when}."


def handle_failure(asset_id: int, exc: BaseException, started: bool = True) -> None:
    """The row's state after `exc`: waiting for a retry, or failed with the reason. A failure
    before the work started (`started` False) counts as an attempt too."""
    reason, transient = classify(exc)
    db.session.rollback()
    asset = db.session.get(MediaAsset, asset_id)
    if asset is not None and not started and transient:
        asset.attempts += 1
        db.session.commit()
    job = get_current_job()
    max_attempts = int(current_app.config["MEDIA_MAX_ATTEMPTS"])
    if asset is not None and transient and asset.attempts < max_attempts:
        after = _next_try(job) or RECONCILE_RETRY
        state.retry_later(asset_id, retry_words(reason, after))
        return
    if job is not None:  # the input itself is at fault, or enough tries: RQ stops too
        job.retries_left = 0
    if transient:
        tries = asset.attempts if asset is not None else max_attempts
        reason = f"{reason}; đã thử {tries} lần, hãy bấm Thử lại."
    state.fail(asset_id, reason)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def job_folder(kind: str) -> Iterator[Path]:
    """A temporary folder for one job, removed when it ends (swept by the clock if the process
    is killed first: its name carries the process id)."""
    path = Path(tempfile.mkdtemp(prefix=f"{JOB_FOLDER_PREFIX}{os.getpid()}-{kind}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep_job_folders(root: Path | None = None) -> int:
    """Remove the job folders whose process is gone (a killed work-horse). Returns how many."""
    root = root or Path(tempfile.gettempdir())
    removed = 0
    for path in root.glob(f"{JOB_FOLDER_PREFIX}*"):
        pid = path.name[len(JOB_FOLDER_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def run(job: AssetJob, asset_id: int) -> None:
    """Drive `job` for the row `asset_id` (see the module's docstring)."""
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.kind is not job.kind:
        log.info("asset %s is gone or not %s; nothing to do", asset_id, job.kind.value)
        return
    if asset.status is MediaStatus.failed:  # cancelled, or failed for good: Thử lại requeues
        log.info("asset %s is failed (%s); nothing to do", asset_id, asset.error)
        return
    try:
        input_hash = job.plan(asset)
    except Exception as exc:
        handle_failure(asset_id, exc, started=False)
        raise
    if asset.input_hash == input_hash and asset.outputs \
            and asset.status is not MediaStatus.processing:
        state.unchanged(asset)  # the same input, rendered whole already: no work…
        _follow(job, asset, None)  # …but what follows may be due now (the article went live)
        return
    state.start(asset)
    try:
        with job_folder(job.kind.value) as workdir:
            made = job.render(asset, workdir, input_hash)
        db.session.refresh(asset)
        if not job.still_wanted(asset, input_hash):
            log.info("asset %s: superseded while rendering; its newer job takes over", asset_id)
            retire(made.outputs, {})  # nobody will ever point at this render
            return
        previous = state.finish(asset, outputs=made.outputs, input_hash=input_hash,
                                duration=made.duration, engine=made.engine)
    except Exception as exc:
        handle_failure(asset_id, exc, started=True)
        raise
    retire(previous, made.outputs)
    _follow(job, asset, made)


def _follow(job: AssetJob, asset: MediaAsset, made: Rendered | None) -> None:
    """What follows a ready row; its failing does not undo the render (the files' move is
    asked for again, in a quick job)."""
    try:
        job.after(asset, made)
    except Exception:
        db.session.rollback()
        log.exception("asset %s is ready; what follows it failed", asset.id)
        _sync_later(asset.article_id)


FILE_OUTPUTS = ("mp3", "vtt", "timings")


def superseded(previous: Mapping[str, Any], current: Mapping[str, Any]
               ) -> tuple[list[str], list[str]]:
    """What a new render made obsolete: the old video folder, or the old narration files."""
    prefixes, keys = [], []
    old_hls, new_hls = previous.get("hls"), current.get("hls")
    if old_hls and old_hls != new_hls:
        prefixes.append(old_hls.rsplit("/hls/", 1)[0] + "/")
    keys += [previous[k] for k in FILE_OUTPUTS if previous.get(k) and previous[k] != current.get(k)]
    return prefixes, keys


def retire(previous: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Delete what the new render replaced, after the grace period (pages and players still
    holding the old URLs finish cleanly). Best effort: litter, not an error, if Redis is away."""
    prefixes, keys = superseded(previous, current)
    try:
        queues.schedule_deletion(redis_conn(), current_app.config, prefixes=prefixes, keys=keys)
    except RedisError:
        log.warning("superseded media not scheduled for deletion: %s %s", prefixes, keys)


def _sync_later(article_id: int) -> None:
    """Ask for the article's files to be put in place again (a quick job), best effort."""
    try:
        queues.enqueue_media_sync(redis_conn(), article_id, current_app.config)
    except RedisError:
        log.warning("could not queue a media sync for article %s", article_id)


def job_timeout(setting: str, share: float = 0.9) -> float:
    """A time limit for ffmpeg below the RQ job's own, so that ffmpeg's fires first and the
    row says so."""
    return float(current_app.config[setting]) * share

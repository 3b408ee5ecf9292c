"""The admin's view of the queues: each queue's waiting, running and failed jobs in words,
the workers and their current job, and the media rows an admin should act on. Read from RQ's
registries in Redis and from the rows (the truth); the jobs page (app/editor/media.py) shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from rq import Worker
from rq.exceptions import DeserializationError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Article, MediaAsset, MediaStatus
from . import lifecycle, queues

QUEUE_NAMES = {queues.IMAGES: _l("Ảnh bìa"), queues.NARRATION: _l("Bản nghe"),
               queues.VIDEO: _l("Video")}
JOB_WORDS = {
    queues.NARRATE: _l("Đọc bài thành tiếng"),
    queues.TRANSCODE: _l("Chuyển mã video tải lên"),
    queues.BRIEF: _l("Dựng video tóm tắt"),
    queues.COVER_VARIANTS: _l("Tạo các cỡ ảnh bìa"),
    queues.RETIRE_COVER_VARIANTS: _l("Xóa các cỡ ảnh bìa cũ"),
    queues.DELETE_MEDIA: _l("Xóa media cũ"),
    queues.BODY_IMAGE_VARIANTS: _l("Tạo các cỡ ảnh trong bài"),
    queues.SYNC_MEDIA: _l("Công bố hoặc thu hồi tệp của bài"),
}
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
    """RQ's reason for a failure in words, or the kind of error: never the message itself,
    which may hold ffmpeg's output, paths or addresses (those are in the worker's log)."""
    result = job.latest_result()
    text = (result.exc_string if result is not None else "") or ""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    for marker, words in RQ_FAILURES:
        if marker in text:
            return str(words)
    kind = lines[-1].split(":", 1)[0].rsplit(".", 1)[-1][:60]
    return _("Lỗi ngoài dự kiến (%(kind)s); chi tiết ở nhật ký của máy xử lý.", kind=kind)


def job_row(job: Job, failed: bool = False) -> JobRow:
    """A job as the page shows it: its name in words, its article, progress or error."""
    try:
        func = job.func_name or ""
    except DeserializationError:
        return JobRow(job.id, _("Việc không đọc được"), job.description or "")
    row = JobRow(job.id, str(JOB_WORDS.get(func, job.description or func)),
                 job.description or "")
    row.asset = lifecycle.asset_for_job(job)
    if row.asset is not None:
        row.article = row.asset.article
        row.progress = row.asset.progress
    elif func in queues.ARTICLE_JOBS and job.args:
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
                              [str(QUEUE_NAMES.get(n, n)) for n in worker.queue_names()],
                              _aware(worker.last_heartbeat),
                              job_row(job) if job is not None else None))
    return sorted(rows, key=lambda w: w.name)


def troubled_assets() -> list[MediaAsset]:
    """Media rows an admin should act on: failed, or never queued because Redis was down."""
    query = select(MediaAsset).options(joinedload(MediaAsset.article)).where(or_(
        MediaAsset.status == MediaStatus.failed,
        and_(MediaAsset.status == MediaStatus.pending, MediaAsset.error != ""),
    )).order_by(MediaAsset.updated_at.desc()).limit(200)
    return list(db.session.scalars(query))

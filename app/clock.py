"""The clock: what must happen on time whatever became of Redis or of a worker.

Every worker process (`python -m workers`) starts one beside it, so there is one as long as
any worker runs, and a new worker brings its own — it cannot be lost the way a self-
rescheduling RQ job can (a Redis restart wipes that). The database is the truth:

- every CLOCK_TICK seconds: publish the scheduled articles that are due (workflow.publish_due);
- every RECONCILE_INTERVAL seconds (and at start): rebuild the queue from the rows — every media row
  waiting (pending or queued) with no live job is queued again; a row processing whose job or
  worker is dead is tried again, or failed with the reason once MEDIA_MAX_ATTEMPTS are spent; job
  folders of killed work-horses are swept;
- every MAINTENANCE_INTERVAL: abandoned multipart uploads, unused body images, view counts.

Several clocks (one per worker, on several machines) share the work through short Redis
locks; with Redis away each one still does it (every step re-checks the rows).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from media_pipeline.ffmpeg_run import die_with_parent

from .extensions import db
from .media import jobs, lifecycle, queues, runner, state
from .models import Article, ArticleStatus, MediaAsset, MediaStatus
from .models.base import utcnow
from .services import workflow
from .services.accounts import end_stale_sessions
from .services.drafting import remove_unused_body_images
from .services.infra import redis_conn
from .services.views_counter import flush_views

log = logging.getLogger(__name__)
LOCK = "docnghexem:clock:{}"


@dataclass
class Report:
    published: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    swept: int = 0

    def add_swept(self, count: int) -> None:
        self.swept += count


def _claim(connection: Redis | None, task: str, seconds: float) -> bool:
    """Whether this clock does `task` now (one clock per period across the machines)."""
    if connection is None:
        return True
    try:
        return bool(connection.set(LOCK.format(task), "1", nx=True, px=int(seconds * 1000)))
    except RedisError:
        return True  # Redis away: do it (every step re-checks the rows)


def publish_due(report: Report | None = None) -> list[int]:
    """Publish every scheduled article whose time has come."""
    due = list(db.session.scalars(select(Article.id).where(
        Article.status == ArticleStatus.scheduled, Article.scheduled_at <= utcnow())))
    published = [article_id for article_id in due if workflow.publish_due(article_id)]
    if report is not None:
        report.published += published
    return published


def reconcile(connection: Redis, report: Report | None = None) -> Report:
    """Rebuild the queue from the rows (see the module docstring)."""
    report = report or Report()
    cfg = current_app.config
    settled = utcnow() - timedelta(seconds=float(cfg["RECONCILE_SETTLE"]))
    waiting = (MediaStatus.pending, MediaStatus.queued, MediaStatus.processing)
    seen = db.session.execute(select(MediaAsset.id, MediaAsset.job_id, MediaAsset.updated_at)
                              .where(MediaAsset.status.in_(waiting),
                                     MediaAsset.updated_at < settled)).all()
    db.session.rollback()
    for asset_id, job_id, stamp in seen:
        job = queues.find_job(job_id, connection)
        if queues.job_alive(job, connection, float(cfg["JOB_MONITORING_INTERVAL"])):
            continue
        # Locked and read again: a person's retry or a worker's start since the look above
        # leaves it alone.
        asset = db.session.get(MediaAsset, asset_id, with_for_update=True,
                               populate_existing=True)
        if asset is None or asset.status not in waiting or asset.job_id != job_id \
                or asset.updated_at != stamp:
            db.session.rollback()
            continue
        if job is not None:
            job.delete()  # a dead job must not come back through RQ's own retry
        if asset.status is MediaStatus.processing \
                and asset.attempts >= int(cfg["MEDIA_MAX_ATTEMPTS"]):
            state.fail(asset.id, f"{runner.WORKER_STOPPED}; đã thử {asset.attempts} lần, "
                                 "hãy bấm Thử lại.")
            report.failed.append(asset.id)
            continue
        if asset.status is MediaStatus.processing:
            asset.error = runner.retry_words(runner.WORKER_STOPPED, timedelta(0))
        lifecycle.requeue(asset)
        report.requeued.append(asset.id)
    if report.requeued or report.failed:
        log.info("reconciled: requeued %s, failed %s, swept %d folders", report.requeued,
                 report.failed, report.swept)
    return report


def maintenance() -> None:
    cfg = current_app.config
    jobs.abort_stale_uploads(cfg["MEDIA_GC_GRACE"])
    remove_unused_body_images(timedelta(seconds=cfg["MEDIA_GC_GRACE"]))
    end_stale_sessions()


@dataclass
class Clock:
    """The periods of one clock; `tick()` does what is due now."""

    app: Flask
    last: dict[str, float] = field(default_factory=dict)

    def due(self, task: str, every: float, now: float) -> bool:
        if now - self.last.get(task, -1e18) < every:
            return False
        self.last[task] = now
        return True

    def tick(self, now: float | None = None) -> Report:
        report = Report()
        now = time.monotonic() if now is None else now
        try:
            connection: Redis | None = redis_conn()
        except RedisError:
            connection = None
        cfg = self.app.config
        # (task, every so many seconds, shared by the clocks of all machines, the step)
        steps: list[tuple[str, float, bool, Callable[[], Any]]] = [
            ("publish", float(cfg["CLOCK_TICK"]), True, lambda: publish_due(report)),
            ("views", 10, True, flush_views),
            ("reconcile", float(cfg["RECONCILE_INTERVAL"]), True,
             lambda: connection is not None and reconcile(connection, report)),
            # Each machine's own: the job folders of its killed work-horses.
            ("sweep", float(cfg["RECONCILE_INTERVAL"]), False, lambda: report.add_swept(
                runner.sweep_job_folders())),
            ("maintenance", float(self.app.config["MAINTENANCE_INTERVAL"]), True, maintenance),
        ]
        for task, every, shared, step in steps:
            if self.due(task, every, now) and (not shared
                                               or _claim(connection, task, every * 0.8)):
                try:
                    step()
                except Exception:  # one step's trouble must not stop the clock
                    db.session.rollback()
                    log.exception("clock step %s failed", task)
        db.session.remove()
        return report


def run_forever(app: Flask) -> None:
    """The clock's own loop (its process is started by `python -m workers`)."""
    die_with_parent()  # a clock never outlives its worker
    clock = Clock(app)
    with app.app_context():
        log.info("clock started")
        while True:
            clock.tick()
            time.sleep(float(app.config["CLOCK_TICK"]))

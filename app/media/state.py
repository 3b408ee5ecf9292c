"""The one module where a worker changes a media asset's state; each change is committed."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job

from media_pipeline.errors import MediaError

from ..extensions import db
from ..models import MediaAsset, MediaStatus

log = logging.getLogger(__name__)


def _mirror_to_job(**meta: Any) -> None:
    job = get_current_job()
    if job is not None:
        job.meta.update(meta)
        job.save_meta()


def start(asset: MediaAsset) -> None:
    job = get_current_job()
    if asset.status is MediaStatus.ready:
        # A refresh queued while the row stayed ready (lifecycle.refresh_briefing) found
        # something new to show: it is queued work from here on.
        asset.move_to(MediaStatus.queued)
    asset.move_to(MediaStatus.processing)
    asset.progress = 0
    asset.error = ""
    asset.attempts += 1
    if job is not None:
        asset.job_id = job.id
    db.session.commit()
    _mirror_to_job(progress=0)


class Cancelled(MediaError):
    """An editor cancelled the job; the row already says so."""


CANCELLED = "Đã hủy theo yêu cầu của biên tập viên."


class ProgressReporter:
    """Writes progress to the row and the job meta, at most once per `step` percent.

    It also notices a cancellation (the row marked failed meanwhile) and stops the work.
    """

    def __init__(self, asset: MediaAsset, start: int = 0, end: int = 100, step: int = 5) -> None:
        self.asset, self.start, self.end, self.step = asset, start, end, step
        self.last = -step

    def __call__(self, pct: int) -> None:
        value = self.start + (self.end - self.start) * max(0, min(100, pct)) // 100
        if value - self.last >= self.step or (value == self.end and value != self.last):
            self.last = value
            db.session.refresh(self.asset, ["status"])
            if self.asset.status is MediaStatus.failed:
                raise Cancelled(CANCELLED)
            self.asset.progress = value
            db.session.commit()
            _mirror_to_job(progress=value)


def finish(asset: MediaAsset, *, outputs: dict[str, Any], input_hash: str,
           duration: float | None, engine: str = "") -> dict[str, Any]:
    """Switch the row to a new, whole render; returns the outputs it replaced."""
    previous = dict(asset.outputs or {})
    asset.move_to(MediaStatus.ready)
    asset.outputs = outputs
    asset.input_hash = input_hash
    asset.duration = duration
    asset.engine = engine
    asset.progress = 100
    asset.error = ""
    db.session.commit()
    _mirror_to_job(progress=100)
    return previous


def unchanged(asset: MediaAsset) -> None:
    """The same input is rendered whole already (asked again, nothing changed): ready, no work."""
    if asset.status is not MediaStatus.ready:
        asset.move_to(MediaStatus.ready)
        asset.progress, asset.error = 100, ""
        db.session.commit()
    _mirror_to_job(progress=100)


def retry_later(asset_id: int, reason: str) -> None:
    """A transient failure: the row waits as queued, saying why and when the retry comes (RQ's
    retry, or the reconciler, runs it again). Outputs already published stay."""
    db.session.rollback()
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or (asset.status is MediaStatus.failed and asset.error == CANCELLED):
        return
    asset.move_to(MediaStatus.queued)
    asset.progress = 0
    asset.error = reason[:2000]
    db.session.commit()
    log.warning("media asset %s will be retried: %s", asset_id, reason)


def fail(asset_id: int, reason: str) -> None:
    """Mark failed with a reason a person can act on. Outputs already published stay."""
    db.session.rollback()
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None:
        return
    if asset.status is MediaStatus.failed and asset.error == CANCELLED:
        return  # cancelled: keep the editor's reason
    asset.move_to(MediaStatus.failed)
    asset.error = reason[:2000]
    db.session.commit()
    log.warning("media asset %s failed: %s", asset_id, reason)

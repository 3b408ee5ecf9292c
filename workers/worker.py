"""The worker processes: two kinds, so that quick work never waits behind a video.

    quick  narration, pictures, media moves (seconds each)       queues: images, narration
    video  transcoding and briefing videos (minutes each)        queues: video

Each kind scales on machines of its own (Procfile, deploy/systemd). A worker stops within a
second of being asked (RQ's own waits up to a minute on its command channel), its work-horse
dies with it (and ffmpeg with the work-horse), and its heartbeat is short, so that the clock
(app/clock.py) sees a dead worker's job within a minute or two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import SimpleWorker, Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler

from app.media.queues import ALL_QUEUES, IMAGES, NARRATION, VIDEO
from media_pipeline.ffmpeg_run import die_with_parent

KINDS = {"quick": [IMAGES, NARRATION], "video": [VIDEO], "all": ALL_QUEUES}


class PortalScheduler(RQScheduler):
    """RQ's scheduler runs in a process of its own that outlives a worker killed outright;
    this one dies with its worker, as the work-horse and the clock do."""

    def work(self) -> None:
        die_with_parent()
        super().work()


class _PortalWorker:
    scheduler: RQScheduler | None

    def _start_scheduler(self: Any, burst: bool = False, logging_level: str | None = "INFO",
                         date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
                         log_format: str = DEFAULT_LOGGING_FORMAT) -> None:
        """RQ's own (rq/worker/base.py), with PortalScheduler for RQScheduler."""
        scheduler = self.scheduler = PortalScheduler(
            self.queues, connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format, log_format=log_format, serializer=self.serializer)
        scheduler.acquire_locks()
        if not scheduler.acquired_locks:
            return
        if not burst:
            scheduler.start()
            return
        try:
            scheduler.register_birth()
            scheduler.enqueue_scheduled_jobs()
        finally:
            scheduler.release_locks()
            scheduler.register_death()

    def subscribe(self: Any) -> None:
        """As RQ does, but the channel's thread looks for a stop every second (RQ: 60 s, which
        is how long a stopping worker then waits for it)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler)


class PortalWorker(_PortalWorker, Worker):
    """The production worker: a forked work-horse per job."""

    def main_work_horse(self, *args: Any, **kwargs: Any) -> None:
        die_with_parent()  # a worker killed outright takes its job (and ffmpeg) with it
        super().main_work_horse(*args, **kwargs)


class PortalSimpleWorker(_PortalWorker, SimpleWorker):
    """Jobs in the worker's own process (the tests' burst runs)."""


def worker_options(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """A short heartbeat (RQ: 420 s, beating every 30 s): WORKER_TTL, JOB_MONITORING_INTERVAL."""
    return {"worker_ttl": cfg["WORKER_TTL"],
            "job_monitoring_interval": cfg["JOB_MONITORING_INTERVAL"]}

"""The worker processes: two kinds, so that quick work never waits behind a video.

    quick  narration, pictures, media moves (seconds each)       queues: images, narration
    video  transcoding and briefing videos (minutes each)        queues: video

Each kind scales on machines of its own (Procfile, deploy/systemd). A worker stops within a
second of being asked (RQ's own waits up to a minute on its command channel), its work-horse
dies with it (and ffmpeg with the work-horse), and its heartbeat is short, so that the clock
(workers/clock.py) sees a dead worker's job within a minute or two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import SimpleWorker, Worker

from media_pipeline.ffmpeg_run import die_with_parent

from .queues import ALL_QUEUES, IMAGES, NARRATION, VIDEO

KINDS = {"quick": [IMAGES, NARRATION], "video": [VIDEO], "all": ALL_QUEUES}


class _PortalWorker:
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

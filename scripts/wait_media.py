"""Wait until every published article's audio and video are ready (or failed); print timings."""

from __future__ import annotations

import argparse
import time

from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.media.queues import ALL_QUEUES
from app.models import MediaAsset, MediaKind, MediaStatus
from app.services.infra import redis_conn

DONE = {MediaStatus.ready, MediaStatus.failed}


def queues_idle() -> bool:
    """No media job waiting or running (a finished narration queues its briefing)."""
    connection = redis_conn()
    return all(Queue(name, connection=connection).count == 0
               and StartedJobRegistry(name, connection=connection).count == 0
               for name in ALL_QUEUES)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", type=float, default=time.time())
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    app = create_app()
    deadline = time.time() + args.timeout
    first_forms_done = False
    with app.app_context():
        while time.time() < deadline:
            assets = db.session.scalars(select(MediaAsset)).all()
            firsts = [a for a in assets if a.kind is not MediaKind.briefing]
            if not first_forms_done and firsts and all(a.status in DONE for a in firsts):
                first_forms_done = True
                print(f"  Narrations and uploaded video done {time.time() - args.since:.1f} s "
                      "after start; briefing videos follow.", flush=True)
            if assets and all(a.status in DONE for a in assets) and queues_idle():
                counts: dict[str, int] = {}
                for a in assets:
                    key = f"{a.kind.value} {a.status.value}"
                    counts[key] = counts.get(key, 0) + 1
                summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                print(f"  Demo media done {time.time() - args.since:.1f} s after start: {summary}")
                return
            db.session.rollback()  # see the worker's commits
            time.sleep(0.5)
    print("  Demo media not finished yet; see instance/worker.log")


if __name__ == "__main__":
    main()

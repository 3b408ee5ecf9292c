"""`python -m workers [--kind quick|video|all] [--burst]`: an RQ worker of one kind, with its
scheduler (for delayed clean-ups) and, unless in burst mode, its clock (app/clock.py)."""

from __future__ import annotations

import argparse
import logging
import multiprocessing

from app import create_app
from app.clock import run_forever
from app.media.queues import SERIALIZER
from app.services.infra import connect_redis

from .worker import KINDS, PortalWorker, worker_options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=sorted(KINDS), default="all",
                        help="quick: narration and pictures; video: transcoding and briefings")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--queues", nargs="*", help="these queues instead of the kind's")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()  # refuses to start on unsafe production settings
    if not args.burst:
        # Forked before the worker connects or starts a thread; it dies with this process.
        multiprocessing.get_context("fork").Process(
            target=run_forever, args=(app,), name="clock", daemon=True).start()
    with app.app_context():  # jobs (forked from here) reuse this app
        connection = connect_redis(app.config["REDIS_URL"])
        worker = PortalWorker(args.queues or KINDS[args.kind], connection=connection,
                              serializer=SERIALIZER, **worker_options(app.config))
        worker.work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()

"""`python -m workers [--burst]`: an RQ worker with its scheduler on the media queues."""

from __future__ import annotations

import argparse
import logging

from rq import Worker

from app import create_app
from app.services.infra import connect_redis

from .queues import ALL_QUEUES, SERIALIZER, schedule_maintenance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--queues", nargs="*", default=ALL_QUEUES)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    with app.app_context():  # jobs (forked from here) reuse this app
        connection = connect_redis(app.config["REDIS_URL"])
        if not args.burst:
            schedule_maintenance(connection, app.config, delay=60)
        worker = Worker(args.queues, connection=connection, serializer=SERIALIZER)
        worker.work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()

"""Gunicorn settings, sized to the machine; every value comes from config.py (WEB_*).

    gunicorn -c gunicorn.conf.py 'app:create_app()'

Defaults on a 2-core machine: 5 gthread workers × 4 threads = 20 requests at once, each worker
with its own small SQLAlchemy pool (so at most ~20 PostgreSQL connections), 30 s request
timeout, 5 s keep-alive. Override any of them with WEB_BIND, WEB_WORKERS, WEB_THREADS,
WEB_TIMEOUT, WEB_KEEPALIVE, WEB_GRACEFUL_TIMEOUT and WEB_MAX_REQUESTS.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # config.py, whatever the cwd

from config import Config  # noqa: E402

bind = [address.strip() for address in Config.WEB_BIND.split(",") if address.strip()]
worker_class = "gthread"
workers = Config.WEB_WORKERS
threads = Config.WEB_THREADS
timeout = Config.WEB_TIMEOUT
keepalive = Config.WEB_KEEPALIVE
graceful_timeout = Config.WEB_GRACEFUL_TIMEOUT
max_requests = Config.WEB_MAX_REQUESTS
# Spread the recycling so that the workers don't all restart at the same moment.
max_requests_jitter = Config.WEB_MAX_REQUESTS // 10
# Import the app once in the master: workers fork with it loaded (faster start, shared
# memory). Safe because create_app() opens no connection: DB, Redis and S3 connect lazily,
# so each worker makes its own.
preload_app = True
# The workers' heartbeat files on tmpfs: a slow disk can't make the master kill them.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
errorlog = "-"


def worker_exit(server, worker):
    """Send the article views this worker counted in memory (app.http_page_cache) before
    it goes: a restart loses none of them."""
    app = getattr(worker, "wsgi", None)
    local = getattr(app, "extensions", {}).get("page_cache_local")
    if local is not None:
        from app.services.infra import connect_redis

        local.send_views(connect_redis(app.config["REDIS_URL"]), force=True)

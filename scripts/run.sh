#!/usr/bin/env bash
# `make run`: set everything up and run the portal with demo content on 127.0.0.1:5000.
# Ctrl-C stops what this script started (web, worker, SeaweedFS, and Redis if it started it).
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s.%N)
scripts/bootstrap.sh

redis_started=""
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  scripts/services.sh redis instance/redis  # queues and counts survive a restart (AOF)
  redis_started=1
fi
S3_DIR=instance/seaweedfs
s3_started=""
if ! curl -s -o /dev/null http://127.0.0.1:8333/; then
  scripts/services.sh seaweedfs "$S3_DIR" 8333
  s3_started=1
fi

pids=()
cleanup() {
  # Finish the clean-up even if the terminal or a pipe on stdout is already gone.
  trap '' INT TERM PIPE
  trap - EXIT
  set +e
  { echo; echo "Stopping…"; } 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # An RQ worker finishes its job on the first signal and stops at once on the second.
  for _ in $(seq 50); do
    alive=""; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break; sleep 0.2
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$s3_started" ] && scripts/services.sh stop-seaweedfs "$S3_DIR"
  [ -n "$redis_started" ] && redis-cli -h 127.0.0.1 shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup INT TERM EXIT

export FLASK_APP=app
.venv/bin/flask db upgrade
.venv/bin/flask demo seed > instance/demo-seed.log
.venv/bin/python -m workers --kind quick > instance/worker-quick.log 2>&1 &
pids+=($!)
.venv/bin/python -m workers --kind video > instance/worker-video.log 2>&1 &
pids+=($!)
# The production settings (gunicorn.conf.py), on localhost, quick to stop.
WEB_BIND=127.0.0.1:5000 WEB_GRACEFUL_TIMEOUT=3 \
  .venv/bin/gunicorn -c gunicorn.conf.py --access-logfile - 'app:create_app()' > instance/web.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:5000/ && break; sleep 0.1; done

cat <<MSG

  Đọc · Nghe · Xem is running:  http://127.0.0.1:5000/
  Editor login:                  http://127.0.0.1:5000/bien-tap/dang-nhap  (bientap / bientap2026)
  Logs: instance/web.log, instance/worker-quick.log, instance/worker-video.log.
  Ctrl-C stops everything.

MSG
# Report once the demo media is ready, with the seconds since `make run` began.
.venv/bin/python scripts/wait_media.py --since "$T0" || true
wait

#!/usr/bin/env bash
# `make test`: start what the tests need, then pytest on SQLite and on PostgreSQL, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/mypy --no-error-summary
scripts/services.sh redis
scripts/services.sh postgres
# SeaweedFS: tests/conftest.py starts one per pytest-xdist worker on a throwaway data dir
# (port 8433, 8533, …), with a database, a Redis db and a bucket of the worker's own.
export PYTHONDONTWRITEBYTECODE=1
PARALLEL=(-n "${TEST_WORKERS:-auto}" --durations=15)
# The two runs share the machine: much of each waits on ffmpeg, Redis or a browser, so side by
# side they finish sooner than one after the other. The PostgreSQL run takes other xdist slots
# (TEST_WORKER_OFFSET: other Redis dbs and SeaweedFS ports); its output follows SQLite's.
pg_log=$(mktemp)
trap 'rm -f "$pg_log"' EXIT
TEST_WORKER_OFFSET=4 \
TEST_DATABASE_URL=${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
  .venv/bin/pytest -q "${PARALLEL[@]}" tests/app tests/workers tests/e2e tests/security \
  tests/faults/test_backup_restore.py "$@" > "$pg_log" 2>&1 &
pg_pid=$!
echo "== pytest on SQLite"
sqlite_rc=0
.venv/bin/pytest -q "${PARALLEL[@]}" "$@" || sqlite_rc=$?
pg_rc=0
wait "$pg_pid" || pg_rc=$?
echo "== pytest on PostgreSQL"
cat "$pg_log"
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]

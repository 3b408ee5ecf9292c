#!/usr/bin/env bash
# `make test`: start what the tests need, then pytest on SQLite and again on PostgreSQL.
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
echo "== pytest on SQLite"
.venv/bin/pytest -q "${PARALLEL[@]}" "$@"
echo "== pytest on PostgreSQL"
TEST_DATABASE_URL=${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
  .venv/bin/pytest -q "${PARALLEL[@]}" tests/app tests/workers tests/e2e tests/security \
  tests/faults/test_backup_restore.py "$@"

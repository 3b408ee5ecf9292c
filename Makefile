.PHONY: run test lint setup

run:            ## set up everything and run the portal with demo content
	scripts/run.sh

test:           ## set up and run the tests (SQLite, then PostgreSQL)
	scripts/bootstrap.sh
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

setup:
	scripts/bootstrap.sh

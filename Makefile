.PHONY: run test lint setup translations

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

translations:   ## collect the interface's strings and update the catalogues (then translate the .po)
	.venv/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o app/translations/messages.pot .
	.venv/bin/pybabel -q update -i app/translations/messages.pot -d app/translations
	.venv/bin/pybabel -q compile -f -d app/translations

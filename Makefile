# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test test-fast lint format bench rehearsal venv migrate seed

venv: $(STAMP)

# (Re)install whenever the pinned requirements change.
$(STAMP): requirements.txt requirements-dev.txt requirements-ldap.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-ldap.txt || { test -z "$$CI" && echo "warning: LDAP login is unavailable until python-ldap builds: apt-get install libldap2-dev libsasl2-dev gcc, then make venv" >&2; }
	touch $(STAMP)

## Start web + Celery worker + beat on the embedded defaults (SQLite, filesystem broker), demo data loaded.
run: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python scripts/run_dev.py

## The whole test suite: SQLite unless DATABASE_URL is set (CI: PostgreSQL + Redis, --create-db).
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## Everything except the browser journeys.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Speed numbers for the notes. All but the first want PostgreSQL and a database whose name starts with
## "bench" (they create and delete their own rows), e.g. DATABASE_URL=postgres://postgres@127.0.0.1/bench_tiexi
bench: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bench_workdays
	$(BIN)/python manage.py bench_deadlines
	$(BIN)/python manage.py bench_documents
	$(BIN)/python manage.py bench_approvals
	$(BIN)/python manage.py bench_supervision
	$(BIN)/python manage.py bench_meetings
	$(BIN)/python manage.py bench_queue
	$(BIN)/python manage.py bench_pages
	$(BIN)/python manage.py bench_search

## Scale-out rehearsal on one box (issue 13.6): 2 gunicorn, 2 workers, 1 beat, loopback SMTP, against its own
## PostgreSQL database rehearsal_tiexi and its own redis-server; SIGKILLs a worker and restarts Redis mid-run.
## REHEARSAL_ARGS="--seconds 20" for a quick one; exits non-zero on a double or lost transition, reminder or e-mail.
rehearsal: $(STAMP)
	$(BIN)/python scripts/rehearsal.py $(REHEARSAL_ARGS)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# make run  -> the studio on http://127.0.0.1:$(PORT) with a Celery worker (embedded: SQLite + filesystem broker)
# make test -> the whole suite on PostgreSQL + Redis + a real worker + Chromium

SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

# The embedded default for `make run`: a laptop, debug on, no services needed.
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run test lint install worker migrate demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch goes first and pinned (constraints.txt) so pip keeps the local CPU wheel.
$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt "torch==2.13.0"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

# Web server, worker and the scheduler (beat, its own process: a killed worker takes no scheduler
# with it) in the foreground; Ctrl-C (or any one exiting) stops them all within 10 seconds: the
# worker's warm shutdown gets 1 s, then a cold one (SIGQUIT; a job it held resumes via the reaper),
# then whatever is left is killed.
run: demo
	@echo "Studio on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server, the worker and the scheduler)"
	@export $(RUN_ENV); \
	$(VENV)/bin/celery -A studio worker -Q default,gpu --concurrency 1 --loglevel INFO & worker=$$!; \
	$(VENV)/bin/celery -A studio beat --loglevel INFO & beat=$$!; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT) & web=$$!; \
	trap 'trap - INT TERM EXIT; exec 2>/dev/null; kill $$worker $$beat $$web; \
	  for i in 1 2 3 4 5 6 7 8; do kill -0 $$worker || kill -0 $$beat || kill -0 $$web || break; sleep 0.5; \
	  [ $$i = 2 ] && kill -QUIT $$worker; done; kill -KILL $$(pgrep -P $$worker) $$worker $$beat $$web; wait' INT TERM EXIT; \
	wait -n $$worker $$beat $$web

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Style and the house's layering contract (pyproject.toml); .ci/run fails on either.
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var/ staticfiles/ .pytest_cache

# make run  -> the studio on http://127.0.0.1:$(PORT) with a Celery worker (embedded: SQLite + filesystem broker)
# make test -> the whole suite on PostgreSQL + Redis + a real worker + Chromium

SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

# The embedded default for `make run`: a laptop, debug on, no services needed; models answer from
# the local model server (its own process: the web process never loads torch).
MODEL_PORT ?= 8081
RUN_ENV := DEBUG=$${DEBUG:-true} LOCAL_MODEL_SERVER_URL=$${LOCAL_MODEL_SERVER_URL:-http://127.0.0.1:$(MODEL_PORT)}

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

# Web server and worker in the foreground; Ctrl-C (or either one exiting) stops both.
run: demo
	@echo "Studio on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server and the worker)"
	@export $(RUN_ENV); \
	$(VENV)/bin/celery -A studio worker -B -Q default,gpu --concurrency 1 --loglevel INFO & worker=$$!; \
	var=$${STUDIO_VAR_DIR:-var}; $(PY) -m evaluation.core.local_server --port $(MODEL_PORT) --root "$$var/runs" \
	  --root "$${STUDIO_MODEL_ROOTS:-$${STUDIO_MODELS_DIR:-$$var/models}}" & models=$$!; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT) & web=$$!; \
	trap 'kill $$worker $$models $$web 2>/dev/null; wait $$worker $$models $$web 2>/dev/null' INT TERM EXIT; \
	wait -n $$worker $$models $$web

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Style and the house's layering contract (pyproject.toml); .ci/run fails on either.
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var/ staticfiles/ .pytest_cache

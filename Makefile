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
	$(PY) -m curation.core.semantic  # the checks' static embedding model, built once per machine (offline)
	touch $@

install: $(VENV)/.installed

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

# In the foreground: the web server, a worker for the gpu queue (training, generation), one for the
# default queue (short jobs and the reaper, never stuck behind a training run) and the scheduler
# (beat, its own process: a killed worker takes no scheduler with it). Ctrl-C, or any one exiting,
# stops them all within 10 seconds: the workers' warm shutdown gets 1 s, then a cold one (SIGQUIT;
# a job they held resumes through the reaper), then whatever is left is killed.
run: demo
	@echo "Studio on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server, the workers and the scheduler)"
	@export $(RUN_ENV); \
	$(VENV)/bin/celery -A studio worker -Q gpu -n gpu@%h --concurrency 1 --loglevel INFO & gpu=$$!; \
	$(VENV)/bin/celery -A studio worker -Q default -n default@%h --concurrency 1 --loglevel INFO & default=$$!; \
	$(VENV)/bin/celery -A studio beat --loglevel INFO & beat=$$!; \
	var=$${STUDIO_VAR_DIR:-var}; $(PY) -m evaluation.core.local_server --port $(MODEL_PORT) --root "$$var/runs" \
	  --root "$${STUDIO_MODEL_ROOTS:-$${STUDIO_MODELS_DIR:-$$var/models}}" & models=$$!; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT) & web=$$!; \
	all="$$gpu $$default $$beat $$models $$web"; \
	trap 'trap - INT TERM EXIT; exec 2>/dev/null; kill $$all; \
	  for i in 1 2 3 4 5 6; do alive=; for p in $$all; do kill -0 $$p && alive=1; done; [ "$$alive" ] || break; \
	  sleep 0.5; [ $$i = 2 ] && kill -QUIT $$gpu $$default; done; kill -KILL $$(pgrep -P $$gpu; pgrep -P $$default) $$all; wait' INT TERM EXIT; \
	wait -n $$all

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Style and the house's layering contract (pyproject.toml); .ci/run fails on either.
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var/ staticfiles/ .pytest_cache

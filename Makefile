SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
BOOT_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
HOST_PORT   := 127.0.0.1:8000
PYTEST_ARGS ?=

# Celery worker (+beat) beside runserver; Celery is stopped when runserver
# exits (Ctrl-C included). Background jobs of a non-interactive shell ignore
# SIGINT, so the trap is what stops the worker.
SERVE_WITH_CELERY := bash -c '\
	$(VENV)/bin/celery -A config worker -B --loglevel=info & celery_pid=$$!; \
	stop_celery() { kill -TERM $$celery_pid 2>/dev/null; wait $$celery_pid 2>/dev/null; }; \
	trap stop_celery EXIT; trap "exit 130" INT; trap "exit 143" TERM; \
	$(PY) manage.py runserver $(HOST_PORT)'

.PHONY: help install .venv run test lint clean

help:
	@echo "make install  create $(VENV) and install requirements.lock"
	@echo "make run      migrate, load sample data, serve on http://$(HOST_PORT)"
	@echo "make test     run pytest against throwaway PostgreSQL/Redis (PYTEST_ARGS=...)"
	@echo "make lint     ruff check"
	@echo "make clean    remove $(VENV) and caches"

install .venv: $(STAMP)

$(PY):
	@test -n "$(BOOT_PYTHON)" || { echo "python3.11 / python3 not found" >&2; exit 1; }
	$(BOOT_PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock | $(PY)
	$(VENV)/bin/pip install -r requirements.lock
	@touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_sample
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker (with beat) beside runserver"; \
		$(SERVE_WITH_CELERY); \
	elif command -v redis-server >/dev/null; then \
		echo "redis-server found: starting Redis and a Celery worker (with beat) beside runserver"; \
		$(PY) tests/services.py --redis-only -- $(SERVE_WITH_CELERY); \
	else \
		echo "No REDIS_URL and no redis-server: background tasks run in-process"; \
		$(PY) manage.py runserver $(HOST_PORT); \
	fi

test: install
	$(PY) tests/services.py -- $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis htmlcov .coverage celerybeat-schedule*
	find . -path ./.git -prune -o -type d -name __pycache__ -exec rm -rf {} +

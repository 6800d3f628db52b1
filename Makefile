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

# --- mutation testing --------------------------------------------------------
# mutmut (in the dev dependencies) over the rule modules and the engine's rule
# functions, with the fast tests that pin them ([tool.mutmut] in pyproject.toml);
# then the score per module (tests/mutation_score.py), failing below 95%.
# Under tests/services.py as `make test` runs, for the test settings' DATABASE_URL:
# the selected tests use no database. About 2 minutes on 2 cores (~1,000 mutants).
MUTATION_CHILDREN ?= 2
MUTATE := scorecard.rag.* scorecard.aggregation.* scorecard.workflow.* \
	scorecard.validation.* scorecard.figures.* workforce.formulas.* \
	$(addprefix scorecard.engine.x_,$(addsuffix *,pooled _is_blank area_series \
	authority_series own_figure_fallback _figure_at _withheld _target_in_force \
	_benchmark_comparison _sum_over _note _results_for))

.PHONY: mutation help-mutation clean-mutation
help: help-mutation
help-mutation:
	@echo "make mutation mutmut over the rules (scorecard.rag, ..., the engine's rule functions)"
clean: clean-mutation
clean-mutation:
	rm -rf mutants

mutation: install
	@test -x $(VENV)/bin/mutmut || { echo "mutmut is not installed: $(VENV)/bin/pip install 'mutmut==3.*'" >&2; exit 2; }
	rm -rf mutants
	set -f -o pipefail; \
	$(PY) tests/services.py -- $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTATE) \
		| { grep -v '^🎉 ' || true; }
	set -f; $(PY) tests/mutation_score.py $(MUTATE)

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
BOOT_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)
HOST_PORT   := 127.0.0.1:8000
PYTEST_ARGS ?=

# uv installs from uv.lock (exact versions, hashes). It is itself installed by
# pip into .uv/, so a fresh machine needs nothing beyond Python. uv is given
# the interpreter's real path (not a pyenv shim) and never downloads a Python.
UV_VERSION  := 0.13.9
UV          := .uv/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
UV_PYTHON   := $(shell $(BOOT_PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
export UV_PYTHON

# Celery worker (+beat) beside runserver; Celery is stopped when runserver
# exits (Ctrl-C included). Background jobs of a non-interactive shell ignore
# SIGINT, so the trap is what stops the worker.
SERVE_WITH_CELERY := bash -c '\
	$(VENV)/bin/celery -A config worker -B --loglevel=info & celery_pid=$$!; \
	stop_celery() { kill -TERM $$celery_pid 2>/dev/null; wait $$celery_pid 2>/dev/null; }; \
	trap stop_celery EXIT; trap "exit 130" INT; trap "exit 143" TERM; \
	$(PY) manage.py runserver $(HOST_PORT)'

.PHONY: help install install-dev run test loadtest check format mutation bench clean

help:
	@echo "make install  create $(VENV) with what runs the service (uv.lock, no test tools)"
	@echo "make run      install, migrate, load sample data, serve on http://$(HOST_PORT)"
	@echo "make test     install with the dev group; pytest against throwaway PostgreSQL/Redis (PYTEST_ARGS=...)"
	@echo "make loadtest gunicorn + a Celery worker on throwaway PostgreSQL/Redis, 16 directors for 30 s; writes docs/loadtest.md"
	@echo "make check    what a reviewer checks: uv.lock current, no missing migrations, ruff check, ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make mutation mutmut over the rules (rag, aggregation, workflow, validation, figures, formulas, the engine's rule functions); fails below 95%"
	@echo "make bench    time the recalculation, an approval and the pages on throwaway PostgreSQL/Redis at two sizes; writes docs/benchmarks.md (~10 min)"
	@echo "make clean    remove $(VENV), .uv and caches"

$(UV):
	@test -n "$(BOOT_PYTHON)" || { echo "python3.11 / python3 not found" >&2; exit 1; }
	$(BOOT_PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

# --inexact: a later `make run` keeps the test tools `make test` installed.
install: | $(UV)
	$(UV) sync --frozen --no-dev --inexact

install-dev: | $(UV)
	$(UV) sync --frozen

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

test: install-dev
	$(PY) tests/services.py -- $(VENV)/bin/pytest $(PYTEST_ARGS)

# The service as deployed (production settings, gunicorn, a Celery worker, Redis)
# under 16 signed-in directors while approvals set off recalculations; the figures
# go to docs/loadtest.md. Fails on any error. LOADTEST_ARGS="--seconds 60" to change.
LOADTEST_ARGS ?=
loadtest: install
	$(PY) tests/services.py -- $(PY) tests/loadtest.py $(LOADTEST_ARGS)

# makemigrations needs no real database: an empty in-memory one answers its history check.
check: install-dev
	$(UV) lock --check
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Synthetic data at a quarter and the full size (40 areas × 120 measures × 61 months),
# each in a fresh database, every measurement in a process of its own (benchmarks/).
bench: install
	$(PY) tests/services.py -- $(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) .uv mutants .pytest_cache .ruff_cache .mypy_cache .hypothesis htmlcov .coverage celerybeat-schedule*
	find . -path ./.git -prune -o -type d -name __pycache__ -exec rm -rf {} +

# --- mutation testing --------------------------------------------------------
# mutmut (in the dev group) over the rule modules and the engine's and the
# concern score's rule functions (not those that query), with the fast tests
# that pin them ([tool.mutmut] in pyproject.toml); then the score per module
# (tests/mutation_score.py), failing below 95%.
# Under tests/services.py as `make test` runs, for the test settings' DATABASE_URL:
# the selected tests use no database. About 2 minutes on 2 cores (~1,000 mutants).
MUTATION_CHILDREN ?= 2
MUTATE := scorecard.rag.* scorecard.aggregation.* scorecard.workflow.* \
	scorecard.validation.* scorecard.figures.* scorecard.spc.* workforce.formulas.* \
	$(addprefix scorecard.engine.x_,$(addsuffix *,pooled _is_blank area_series \
	authority_series own_figure_fallback _figure_at withheld_figures _target_in_force \
	_benchmark_comparison _pooled_over _note results_for)) \
	$(addprefix scorecard.concern.x_,$(addsuffix *,_shown red_part shortfall_part \
	worsening_part _mean _signal_words special_cause_part failing_part is_far neighbours_part \
	provisional_part assess score rank areas_shown))

mutation: install-dev
	rm -rf mutants
	set -f -o pipefail; \
	$(PY) tests/services.py -- $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTATE) \
		| { grep -v '^🎉 ' || true; }
	set -f; $(PY) tests/mutation_score.py $(MUTATE)

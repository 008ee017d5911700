# Set-up and everyday commands. `make serve` and `make test` are the two README commands.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: serve test test-postgres lint install install-test translations migrate seed requirements upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

# Chart.js, which the dashboard draws with, served from the static folder (Node.js and npm from the machine).
CHARTS := ipcenter/static/vendor/node_modules/chart.js/dist/chart.umd.min.js

$(CHARTS): ipcenter/static/vendor/package.json ipcenter/static/vendor/package-lock.json
	npm ci --prefix ipcenter/static/vendor --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed translations $(CHARTS)

# axe-core, which the browser tests run on every page they visit (Node.js and npm from the machine).
AXE := tests/browser/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

install-test: $(VENV)/.installed-test translations $(CHARTS) $(AXE)

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d ipcenter/translations --statistics 2>&1 | grep -v '^compiling' || true

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo --first-run

## Serve the app on http://127.0.0.1:5000 with SQLite and the demo data.
serve: seed
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# One pytest worker per core (pytest-xdist), each with its own database; the slowest tests are listed.
PYTEST := $(BIN)/python -m pytest -n $(shell nproc) --durations=15

## Run the whole test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL).
test: install-test
	$(PYTEST)

test-postgres: install-test
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(PYTEST)

## Check the code: ruff (lint, import order) and mypy, with the settings in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# The pinned requirements (with hashes) are generated from requirements.in and requirements-test.in:
# `make requirements` after editing those (the pins kept where they still fit), `make upgrade` for the
# newest releases they allow; then `make test`.
COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make requirements"

requirements: $(VENV)/.installed-test
	$(COMPILE) $(UPGRADE) requirements.in -o requirements.txt
	$(COMPILE) $(UPGRADE) requirements.in requirements-test.in -o requirements-test.txt

upgrade:
	$(MAKE) requirements UPGRADE=--upgrade

clean:
	rm -rf $(VENV) instance .pytest_cache

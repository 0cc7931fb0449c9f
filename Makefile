# The README's two commands: `make run` (install, migrate, demo data, web + worker + beat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-integration test-e2e lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Starting web (http://127.0.0.1:8000), Celery worker and beat. Ctrl-C stops all three."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile start

# Unit and API tests on the embedded default (SQLite, in-process Celery). Integration and browser tests
# need PostgreSQL + Redis and Chromium: .ci/run runs them.
test: install
	$(BIN)/python -m pytest -m "not integration and not e2e and not postgres"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf var/broker var/celerybeat-schedule*

# The two commands of the README:
#   make run    install, migrate, seed the demo cohort, run web + Celery worker + beat
#   make test   run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The integration tests (real PostgreSQL, Redis, Celery worker and beat, Chromium) use their
# own database, and start their own redis-server on a free port (so they can kill and restart
# it). They are skipped when those are not available, unless TRACKER_REQUIRE_INTEGRATION=1 (as
# in CI), which makes anything missing a failure.
INTEGRATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cart_tracker_it
PYTEST_ARGS ?=

.PHONY: install run test test-unit test-integration lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The demo asks for itself: DEBUG, the demo key and the demo logins on the sign-in page. Without
# TRACKER_DEMO the settings are production-safe (DEBUG off, SECRET_KEY required).
run: export TRACKER_DEMO = 1

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "CAR-T journey tracker: open http://$(HOST):$(PORT)/ (web, Celery worker and Celery beat start below; Ctrl-C stops all three)"
	@echo ""
	TRACKER_HOST=$(HOST) TRACKER_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.demo

test: test-unit test-integration

# Tests close database connections after each request (the live server thread included), so
# the test database can be dropped at the end of the run.
test-unit: install
	DATABASE_CONN_MAX_AGE=0 $(BIN)/pytest -m "not integration and not browser" $(PYTEST_ARGS)

test-integration: install
	DATABASE_CONN_MAX_AGE=0 DATABASE_URL=$(INTEGRATION_DATABASE_URL) \
		$(BIN)/pytest -m "integration or browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache

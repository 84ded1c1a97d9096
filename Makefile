# The two commands a new user runs: `make run` and `make test`. Everything else is a step of them.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL server the second test leg runs on; the tests create and drop their own database.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# Where the browser tests leave their screenshots, one folder per database.
ARTIFACTS := test-artifacts

.PHONY: run test test-sqlite test-postgres lint format install install-js migrate bench bench-http clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements/base.txt requirements/production.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

## The test tools from the npm registry, pinned in package.json and package-lock.json:
## axe-core (the accessibility rules the browser tests run in each page) and vnu-jar (the Nu
## Html Checker, run by the system's Java 11+). `npm ci` installs exactly the lock file;
## install scripts are not run (vnu-jar's would download a Java runtime from the internet).
install-js: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the test tools (apt-get install npm)" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

## make run: set up and serve the CMS on SQLite (instance/cms.sqlite3) with a demo admin.
run: install
	CMS_CONFIG=development $(BIN)/flask --app wsgi db upgrade
	CMS_CONFIG=development $(BIN)/flask --app wsgi cms demo
	@echo "Serving on http://$(HOST):$(PORT)/  (dashboard: http://$(HOST):$(PORT)/admin/)"
	CMS_CONFIG=development $(BIN)/flask --app wsgi run --debug --host $(HOST) --port $(PORT)

migrate: install
	CMS_CONFIG=development $(BIN)/flask --app wsgi db upgrade

## make test: style checks, then the suite on SQLite and on PostgreSQL (when one answers;
## required when CI=true) at the same time, a leg per core: each makes its own databases,
## takes its own ports and Redis keys, and keeps its own artifacts. Each leg's output is
## printed whole when it ends. Both legs include the browser tests (Debian's chromium).
## `make test-sqlite` and `make test-postgres` run one leg.
test: install install-js lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: install install-js
	@echo "== tests on SQLite"
	@env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
		echo "Browser screenshots (and pages of failed tests): $(ARTIFACTS)/sqlite/"; exit $$status

test-postgres: install install-js
	@if $(BIN)/python -m tests.databases "$(TEST_DATABASE_URL)"; then \
		echo "== tests on PostgreSQL"; \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
		echo "Browser screenshots (and pages of failed tests): $(ARTIFACTS)/postgresql/"; \
		exit $$status; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) does not answer, and CI requires that leg." >&2; exit 1; \
	else \
		echo "== PostgreSQL leg skipped: no server answers at $(TEST_DATABASE_URL) (set TEST_DATABASE_URL)"; \
	fi

## make bench: seed BENCH_POSTS posts (100000) into fresh SQLite and PostgreSQL databases and
## time the admin and public pages on them (see README, "Benchmark"; not part of `make test`).
bench: install
	$(BIN)/python -m bench

## make bench-http: seed BENCH_HTTP_POSTS posts (10000, with tags), serve them with gunicorn
## (2 sync workers, production settings; page cache off, then on) beside a minimal Flask
## app and a hello-world one, load each page with wrk, print the table (README, "HTTP
## throughput"). Needs Debian's wrk.
bench-http: install
	@command -v wrk >/dev/null || { echo "make bench-http needs wrk: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.throughput

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache test-artifacts

# CivicDesk: `make run` sets everything up and serves http://127.0.0.1:$(PORT); `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: help run setup setup-dev test test-sqlite test-postgres lint messages bench adapter-fixtures clean atproto-dev-env

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.runtime node_modules/.installed ## Make the virtualenv and install Python and npm packages

# The Bluesky tests' local AT Protocol network (@atproto/dev-env on Node 22 from npm, better-sqlite3 built with gcc):
# its own npm package, so `make run` never installs it. About 665 MB and 5 minutes on an idle 2-core machine.
ATPROTO_DEV_ENV := scripts/atproto-dev-env
$(ATPROTO_DEV_ENV)/node_modules/.installed: $(ATPROTO_DEV_ENV)/package.json $(ATPROTO_DEV_ENV)/package-lock.json
	$(ATPROTO_DEV_ENV)/install

atproto-dev-env: $(ATPROTO_DEV_ENV)/node_modules/.installed ## Install the local AT Protocol network the Bluesky tests run

setup-dev: setup $(VENV)/.dev

run: setup ## Migrate, load the demo city (password "demo") into an empty database, and serve with worker and SMTP listener
	$(BIN)/civicdesk migrate --noinput -v 0
	$(BIN)/civicdesk seed-demo --yes-demo-passwords  # the quickstart; it prints a warning banner
	$(BIN)/civicdesk run --port $(PORT)

lint: setup-dev ## ruff, mypy, the migrations check, and resident text marked and translated
	$(BIN)/ruff check src bench
	$(BIN)/mypy src
	CIVICDESK_VAR_DIR=$$(mktemp -d) $(BIN)/civicdesk makemigrations --check --dry-run -v 0
	CIVICDESK_VAR_DIR=$$(mktemp -d) $(BIN)/civicdesk check-translations

# The options match MAKEMESSAGES_OPTIONS in src/civicdesk/web/resident_text.py. Needs GNU gettext (apt-get install
# gettext); the compiled .mo files are committed, so running the site never does.
MAKEMESSAGES := makemessages -l es --add-location=file --no-obsolete --ignore='*/tests/*' --ignore='testing/*' \
	--ignore='static/vendor/*' --ignore='node_modules/*'

messages: setup-dev ## Refresh the Spanish catalogues from the code (then translate new entries) and compile them
	@command -v xgettext >/dev/null || { echo "GNU gettext is needed: apt-get install gettext" >&2; exit 1; }
	cd src/civicdesk && CIVICDESK_VAR_DIR=$$(mktemp -d) ../../$(BIN)/civicdesk $(MAKEMESSAGES) -d django
	cd src/civicdesk && CIVICDESK_VAR_DIR=$$(mktemp -d) ../../$(BIN)/civicdesk $(MAKEMESSAGES) -d djangojs
	cd src/civicdesk && CIVICDESK_VAR_DIR=$$(mktemp -d) ../../$(BIN)/civicdesk compilemessages -v 0

test: setup-dev ## Lint, then the whole suite on SQLite and on a real PostgreSQL server
	scripts/ensure-test-deps
	$(MAKE) --no-print-directory atproto-dev-env || echo "WARNING: the AT Protocol dev-env did not install (above); \
		the Bluesky tests against a local PDS skip, saying so"
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# --dist loadgroup: tests marked xdist_group("...") share one worker (the Bluesky tests start one local network).
test-sqlite:
	CIVICDESK_VAR_DIR=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

test-postgres:
	DATABASE_URL=$$(scripts/pg-test-server start) CIVICDESK_VAR_DIR=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) \
		--dist loadgroup -q

bench: setup-dev ## Run every benchmark in bench/ and print each budget with PASS or FAIL
	scripts/ensure-test-deps
	$(BIN)/python bench/run_all.py

adapter-fixtures: setup-dev ## Rewrite every adapter's <name>.expected.json from today's parsers (review the diff)
	UPDATE_ADAPTER_FIXTURES=1 CIVICDESK_VAR_DIR=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) -q \
		$$(find src -name test_adapter_contract.py | sort)
	git status --short -- 'src/*.expected.json'

clean: ## Remove the virtualenv, npm packages and local data
	rm -rf $(VENV) node_modules var $(ATPROTO_DEV_ENV)/node_modules

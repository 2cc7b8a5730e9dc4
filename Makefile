# Two commands: `make run` serves the demo, `make test` runs everything. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The full stack the tests run on (PostgreSQL and Redis on this machine; see README).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/seatmap
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
# Python keeps the bytecode it compiles, whatever the shell says: the tests start hundreds of
# servers, commands and workers, each importing the project, and each compiled it anew.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test lint format pytest frontend-test e2e debian-tools tools wrk install frontend-build bench clean screenshots

# uv installs the pinned packages (16 s on a fresh clone against pip's 42). Python compiles each
# module the first time one of them imports it: compiling all 600 MB up front cost 24 s before
# the tests could start, most of it for modules no test imports.
UV_VERSION := 0.13.9
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: requirements.txt loadtest/requirements.txt requirements-dev.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# --prefer-offline: the lock file pins each package and its hash, so one in npm's cache is taken
# without asking the registry whether it changed (25 s against 34, 40 CPU-s against 54).
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline
	touch $@

# Built again only when a source changed: the stamp lives in dist/, which every build empties,
# so the browser tests' build (with probes) is never served by `make run`.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
  frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json
frontend/dist/.built-for-run: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $@

frontend-build: frontend/dist/.built-for-run

# The demo asks for DEBUG (a dev signing key) and plain-HTTP cookies; nothing else gets either
# by default. Its booking confirmations are e-mailed to the console (EMAIL_URL's default). DEBUG
# serves static files from the apps themselves (WHITENOISE_USE_FINDERS), so the demo starts
# without collectstatic's compression of every file.
run: export DEBUG ?= 1
run: export COOKIE_SECURE ?= 0
run: export CONFIRMATION_EMAILS ?= 1
run: install frontend-build
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving the live seat map on http://127.0.0.1:$(PORT)  (alice / bob, password seats-demo-1)"
	$(BIN)/python -m config.server --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Three workers (pytest-xdist), each with its own databases and Redis db
# (config/settings_test.py): most tests wait on servers they start, and two left a third of the
# two cores idle (9m40s against 12m01s). A module stays on one worker, with the servers its
# fixtures start once.
PYTEST_WORKERS ?= 3
pytest: install tools
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

frontend-test: frontend/node_modules/.installed
	cd frontend && npm run lint && npm test

# Debian's packages the tests run: nginx (the proxy tests), PgBouncer 1.18 (the pooler tests),
# redis-sentinel (the failover tests), chromium-headless-shell (the browser tests: Chromium's
# Blink and V8 without the desktop browser around them, as Playwright runs headless), and what
# PgBouncer 1.24's build needs. One apt-get installs those missing (as root); one found by its
# command counts.
DEBIAN_TOOLS := nginx pgbouncer redis-sentinel chromium-headless-shell libevent-dev libssl-dev libc-ares-dev pkg-config
define apt_install
@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || command -v $$p >/dev/null 2>&1 \
  || test -x /usr/sbin/$$p || missing="$$missing $$p"; done; test -z "$$missing" || { \
  echo "Installing Debian's$$missing"; \
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) \
  || { echo "Could not install$$missing: run 'apt-get install$$missing' as root"; exit 1; }; }
endef
debian-tools:
	$(call apt_install,$(DEBIAN_TOOLS))

# The pooler tests run two PgBouncers (as user postgres) in front of PostgreSQL: Debian 12's
# package (1.18, which keeps no prepared statements) and 1.24 built from Debian 13's source
# into .tools/ (Debian 13's binary needs a newer libc), which keeps them, as compose runs it.
# Unoptimised (-O0): the tests need its protocol, not its speed, and it builds before pytest
# starts (13 s against 20).
PGBOUNCER_VERSION := 1.24.1
PGBOUNCER_SHA256 := da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0
PGBOUNCER_PREPARED := .tools/pgbouncer-$(PGBOUNCER_VERSION)/bin/pgbouncer
$(PGBOUNCER_PREPARED): | debian-tools
	@echo "Building PgBouncer $(PGBOUNCER_VERSION) from Debian's source for the pooler tests"
	rm -rf .tools/build && mkdir -p .tools/build
	curl -fsSL -o .tools/build/pgbouncer.tar.gz http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_$(PGBOUNCER_VERSION).orig.tar.gz
	echo "$(PGBOUNCER_SHA256)  .tools/build/pgbouncer.tar.gz" | sha256sum -c --quiet
	tar -xzf .tools/build/pgbouncer.tar.gz -C .tools/build
	cd .tools/build/pgbouncer-$(PGBOUNCER_VERSION) && ./configure --quiet --prefix=$(CURDIR)/.tools/pgbouncer-$(PGBOUNCER_VERSION) CFLAGS=-O0 >/dev/null && $(MAKE) --quiet -j2 >/dev/null && $(MAKE) --quiet install >/dev/null
	rm -rf .tools/build

# Everything the tests run beside Python and npm (after PGBOUNCER_PREPARED: a rule's
# prerequisites are expanded as it is read).
tools: debian-tools $(PGBOUNCER_PREPARED)

e2e: install tools frontend/node_modules/.installed
	cd frontend && npm run e2e

# The Python suite, with the lint and the React unit tests beside it (they use no PostgreSQL;
# each suite's output is printed whole, once it ends), each as soon as what it needs is installed
# (pip, apt-get and npm side by side); then the browser tests, alone: their server beside the
# Python suite's took PostgreSQL past its 100 connections.
test:
	$(MAKE) --jobs=3 --output-sync=target pytest lint frontend-test
	$(MAKE) e2e

# The hold-capacity scenarios' load client; without it they say so and the rest runs.
wrk:
	-$(call apt_install,wrk)

# The README's screenshots (docs/screenshots/), taken by a script from the demo it starts.
screenshots: install frontend-build tools
	frontend/scripts/screenshots.sh

bench: install wrk
	$(BIN)/python -m loadtest bench

clean:
	rm -rf $(VENV) .tools frontend/node_modules frontend/dist staticfiles db.sqlite3

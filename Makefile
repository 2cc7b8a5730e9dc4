# Two commands: `make run` serves the demo, `make test` runs everything. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The full stack the tests run on (PostgreSQL and Redis on this machine; see README).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/seatmap
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test lint format pytest frontend-test e2e chromium nginx pgbouncer redis-sentinel wrk install frontend-build bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
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
# by default. Its booking confirmations are e-mailed to the console (EMAIL_URL's default).
run: export DEBUG ?= 1
run: export COOKIE_SECURE ?= 0
run: export CONFIRMATION_EMAILS ?= 1
run: install frontend-build
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the live seat map on http://127.0.0.1:$(PORT)  (alice / bob, password seats-demo-1)"
	$(BIN)/python -m config.server --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Two workers (pytest-xdist), each with its own databases and Redis db (config/settings_test.py):
# most tests wait on servers they start, so two share the two cores. A module stays on one
# worker, with the servers its fixtures start once.
PYTEST_WORKERS ?= 2
pytest: install nginx pgbouncer redis-sentinel
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

frontend-test: frontend/node_modules/.installed
	cd frontend && npm run lint && npm test

chromium:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || { echo "Could not install chromium: run 'apt-get install chromium' as root"; exit 1; }; }

# The proxy tests run Debian's nginx in front of two server processes.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { echo "Installing Debian's nginx for the proxy tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) \
	  || { echo "Could not install nginx: run 'apt-get install nginx' as root"; exit 1; }; }

# The pooler tests run two PgBouncers (as user postgres) in front of PostgreSQL: Debian 12's
# package (1.18, which keeps no prepared statements) and 1.24 built from Debian 13's source
# into .tools/ (Debian 13's binary needs a newer libc), which keeps them, as compose runs it.
PGBOUNCER_VERSION := 1.24.1
PGBOUNCER_SHA256 := da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0
PGBOUNCER_PREPARED := .tools/pgbouncer-$(PGBOUNCER_VERSION)/bin/pgbouncer
pgbouncer: $(PGBOUNCER_PREPARED)
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || { echo "Installing Debian's pgbouncer for the pooler tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer) \
	  || { echo "Could not install pgbouncer: run 'apt-get install pgbouncer' as root"; exit 1; }; }

$(PGBOUNCER_PREPARED):
	@echo "Building PgBouncer $(PGBOUNCER_VERSION) from Debian's source for the pooler tests"
	@dpkg -s libevent-dev libssl-dev libc-ares-dev pkg-config >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libevent-dev libssl-dev libc-ares-dev pkg-config) \
	  || { echo "Could not install PgBouncer's build dependencies: run 'apt-get install libevent-dev libssl-dev libc-ares-dev pkg-config' as root"; exit 1; }
	rm -rf .tools/build && mkdir -p .tools/build
	curl -fsSL -o .tools/build/pgbouncer.tar.gz http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_$(PGBOUNCER_VERSION).orig.tar.gz
	echo "$(PGBOUNCER_SHA256)  .tools/build/pgbouncer.tar.gz" | sha256sum -c --quiet
	tar -xzf .tools/build/pgbouncer.tar.gz -C .tools/build
	cd .tools/build/pgbouncer-$(PGBOUNCER_VERSION) && ./configure --quiet --prefix=$(CURDIR)/.tools/pgbouncer-$(PGBOUNCER_VERSION) >/dev/null && $(MAKE) --quiet -j2 >/dev/null && $(MAKE) --quiet install >/dev/null
	rm -rf .tools/build

# The failover tests run Debian's redis-sentinel beside their own redis-server primaries and
# replicas.
redis-sentinel:
	@command -v redis-sentinel >/dev/null 2>&1 || test -x /usr/bin/redis-sentinel || { echo "Installing Debian's redis-sentinel for the failover tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel) \
	  || { echo "Could not install redis-sentinel: run 'apt-get install redis-sentinel' as root"; exit 1; }; }

e2e: install chromium frontend/node_modules/.installed
	cd frontend && npm run e2e

test: lint pytest frontend-test e2e

wrk:
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk for the hold-capacity scenario"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
	  || echo "Could not install wrk: the holds-wrk scenario will say so"; }

# The README's screenshots (docs/screenshots/), taken by a script from the demo it starts.
screenshots: install frontend-build chromium
	frontend/scripts/screenshots.sh

bench: install wrk
	$(BIN)/python -m loadtest bench

clean:
	rm -rf $(VENV) .tools frontend/node_modules frontend/dist staticfiles db.sqlite3

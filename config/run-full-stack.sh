#!/usr/bin/env bash
# The full stack by hand, without Docker (docs/DEPLOY.md "The full stack with Docker Compose"):
# PostgreSQL and Redis already running on this machine. Creates DATABASE_URL's database when it
# is missing, migrates, seeds the demo when SEED_DEMO=1, runs the expiry sweeper and the webhook
# worker in the background and one server process in the foreground; Ctrl-C stops all three.
# config/tests/test_full_stack_script.py runs docs/DEPLOY.md's line that calls this, as printed.
#
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/seatmap
#   REDIS_URL     default redis://127.0.0.1:6379/0
#   SECRET_KEY    default: one made once and kept in .secret-key (sessions outlive a restart)
#   PORT          default 8000 (the server listens on 127.0.0.1)
#   SEED_DEMO     1: the demo's users and events (seed_demo; its passwords are public)
#   SEATMAP_PYTHON  default .venv/bin/python (`make install` makes it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${SEATMAP_PYTHON:-.venv/bin/python}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/seatmap}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s .secret-key ]; then
    (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >.secret-key)
  fi
  SECRET_KEY="$(cat .secret-key)"
fi
export SECRET_KEY

"$PYTHON" manage.py createdb
"$PYTHON" manage.py migrate --noinput
if [ "${SEED_DEMO:-0}" = 1 ]; then
  "$PYTHON" manage.py seed_demo
fi
"$PYTHON" manage.py collectstatic --noinput --verbosity 0

"$PYTHON" manage.py sweep_locks &
SWEEPER=$!
"$PYTHON" manage.py deliver_webhooks &
WEBHOOKS=$!
trap 'kill "$SWEEPER" "$WEBHOOKS" 2>/dev/null; wait "$SWEEPER" "$WEBHOOKS" 2>/dev/null' EXIT
"$PYTHON" -m config.server --port "${PORT:-8000}"

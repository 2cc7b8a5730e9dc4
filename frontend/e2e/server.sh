#!/usr/bin/env bash
# The server Playwright's webServer starts: the real stack (PostgreSQL + Redis), a fresh
# database, the demo data, the shipped server (config/server.py, started by harness/servers.py
# as for every other test) on :8765 serving the API, the socket and the built app
# (frontend/dist, built by `npm run e2e` first), and the lock sweeper.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$FRONTEND_DIR/.." && pwd)"
PYTHON="$FRONTEND_DIR/../.venv/bin/python"
PORT="${E2E_PORT:-8765}"

set -a
# shellcheck source=e2e.env
. "$FRONTEND_DIR/e2e/e2e.env"
set +a
# A second run beside this one (another checkout) takes its own database, Redis database and ports.
DATABASE_URL="${E2E_DATABASE_URL:-$DATABASE_URL}"
REDIS_URL="${E2E_REDIS_URL:-$REDIS_URL}"
CORS_ALLOWED_ORIGINS="http://127.0.0.1:${E2E_CROSS_PORT:-4174}"
DATABASE_NAME="${DATABASE_URL##*/}"

if [ ! -f "$FRONTEND_DIR/dist/index.html" ]; then
  echo "server.sh: frontend/dist is missing; run 'npm run build' (npm run e2e does)" >&2
  exit 1
fi

psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS $DATABASE_NAME WITH (FORCE)"
psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $DATABASE_NAME"
# A clean Redis database too: no sequence counters or channel messages from an earlier run.
"$PYTHON" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()'

cd "$ROOT"
"$PYTHON" manage.py migrate --noinput >/dev/null
"$PYTHON" manage.py seed_demo
# The tests' events are made by one process of their own (e2e/create_events.py), not one each.
"$PYTHON" "$FRONTEND_DIR/e2e/create_events.py" --port "$((PORT + 2))" &
EVENTS=$!

# A real SMTP server the server's e-mails go to, kept as files (e2e/helpers.ts `mailbox`): the
# booking confirmations and verification links are read back from it.
MAILDIR="${E2E_MAILDIR:-/tmp/seatmap-e2e-mail-$PORT}"
rm -rf "$MAILDIR"
"$PYTHON" -m aiosmtpd -n -l "127.0.0.1:$((PORT + 1))" -c aiosmtpd.handlers.Mailbox "$MAILDIR" &
SMTP=$!
export EMAIL_URL="smtp://127.0.0.1:$((PORT + 1))" CONFIRMATION_EMAILS=1

"$PYTHON" manage.py sweep_locks &
SWEEPER=$!
"$PYTHON" -m harness.servers --port "$PORT" &
SERVER=$!

# Not `exec`: the shell stays to stop the sweeper and the server together.
stop() {
  kill "$SERVER" "$SWEEPER" "$SMTP" "$EVENTS" 2>/dev/null || true
  wait "$SERVER" "$SWEEPER" "$SMTP" "$EVENTS" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
wait "$SERVER"

#!/usr/bin/env bash
# `make screenshots`: the demo on a scratch SQLite database and port, the README's screenshots
# taken from it (scripts/screenshots.mjs), the server stopped. OUT_DIR defaults to docs/screenshots.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_DIR="${OUT_DIR:-$ROOT/docs/screenshots}"
PORT="${SCREENSHOTS_PORT:-8799}"
SCRATCH="$(mktemp -d)"
export DEBUG=1 COOKIE_SECURE=0 DATABASE_URL="sqlite:///$SCRATCH/demo.sqlite3" REDIS_URL=""
cd "$ROOT"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python -m config.server --port "$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/api/health/live/" >/dev/null && break
  sleep 0.5
done
cd frontend && node scripts/screenshots.mjs "http://127.0.0.1:$PORT" "$OUT_DIR"

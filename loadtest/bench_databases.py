"""The bench's database: made afresh with its users, its events, and pgbench for the
database's own ceiling on the hold's SQL."""

import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import redis

from .bench_servers import DB, PG, PY, REDIS_URL, ROOT, create_event, manage, server_env

ARENA = ROOT / "reservations" / "venues" / "examples" / "arena.json"


def setup(workdir: Path, count: int = 1000, db: str = DB, root: Path | None = None) -> dict:
    """The database `db` made afresh by the migrations of `root` (manage's), with `count` load
    users (their file), and the bench's Redis db flushed."""
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", db], check=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    where = {"root": root, "DATABASE_URL": f"{PG}/{db}"}
    manage("migrate", "--noinput", **where)
    users = workdir / f"{db}.json"
    manage("create_load_users", "--count", str(count), "--output", str(users), **where)
    # A password for --auth client and session (one hash for all: this takes a second).
    subprocess.run(
        [PY, "-m", "loadtest", "passwords", "--users", str(users)],
        cwd=ROOT,
        env=server_env(DATABASE_URL=where["DATABASE_URL"]),
        check=True,
    )
    return {"users": users}


def new_event(
    name: str, rows: int = 20, per_row: int = 50, extra: tuple[str, ...] = (), layout=None
) -> int:
    """An event of `rows` x `per_row` seats at 25, or of the venue file `layout`."""
    grid = ("--rows", str(rows), "--seats-per-row", str(per_row), "--price", "25")
    return create_event("--name", name, *(("--layout", str(layout)) if layout else grid), *extra)


def seat_ids(event: int, database_url: str = "") -> list[int]:
    """The event's seats, read from the database (the floor serves no seat list)."""
    with psycopg.connect(database_url or server_env()["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT id FROM reservations_seat WHERE event_id = %s ORDER BY id", (event,)
        )
        return [seat_id for (seat_id,) in rows]


PGBENCH_HOLD = """\\set seat random(:first, :last)
\\set uid random(1, 1000)
BEGIN;
SELECT is_active FROM auth_user WHERE id = :uid FOR UPDATE;
SELECT id, label, section, row, number, price, status, version, held_until, held_by_id, reserved_by_id FROM reservations_seat WHERE event_id = :event AND id IN (:seat) ORDER BY id FOR UPDATE;
SELECT held_until FROM reservations_seat WHERE event_id = :event AND held_by_id = :uid AND status = 'locked';
UPDATE reservations_seat SET status = 'locked', held_by_id = :uid, held_until = now() + interval '5 minutes', reserved_by_id = NULL, version = version + 1 WHERE id IN (:seat);
COMMIT;
"""  # noqa: E501

PGBENCH_UPDATE = """\\set seat random(:first, :last)
\\set uid random(1, 1000)
UPDATE reservations_seat SET status = 'locked', held_by_id = :uid, held_until = now() + interval '5 minutes', version = version + 1 WHERE id = :seat AND event_id = :event RETURNING id, version;
"""  # noqa: E501


def pgbench(ctx):
    if not shutil.which("pgbench"):
        return {"name": ctx["name"], "failed": "pgbench not installed"}
    event = new_event("pgbench", rows=40, per_row=250)
    ids = seat_ids(event)
    first, last = ids[0], ids[-1]
    figures = {"name": ctx["name"]}
    scripts = {"select_for_update": PGBENCH_HOLD, "update_returning": PGBENCH_UPDATE}
    for label, script in scripts.items():
        path = ctx["workdir"] / f"{label}.sql"
        path.write_text(script)
        cmd = ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", "16", "-j", "2"]
        cmd += ["-T", "10", "-f", str(path), "-D", f"event={event}", "-D", f"first={first}"]
        cmd += ["-D", f"last={last}", DB]
        out = subprocess.run(cmd, capture_output=True, text=True)
        tps = re.search(r"tps = ([\d.]+)", out.stdout)
        lat = re.search(r"latency average = ([\d.]+) ms", out.stdout)
        figures[label] = {
            "tps": float(tps.group(1)) if tps else None,
            "latency_avg_ms": float(lat.group(1)) if lat else None,
            "command": " ".join(cmd),
            "error": out.stderr[-500:] if not tps else None,
        }
        print(f"\n=== pgbench {label}: {figures[label]['tps']} tx/s", flush=True)
    return figures

"""The bench's database: made afresh with its users, its events, and pgbench for the
database's own ceiling on the hold's SQL."""

import re
import shutil
import subprocess
from pathlib import Path

import redis

from .bench_servers import DB, PY, REDIS_URL, ROOT, create_event, manage, server_env

ARENA = ROOT / "reservations" / "venues" / "examples" / "arena.json"


def setup(workdir: Path, count: int = 1000) -> dict:
    """The bench's database and Redis db made afresh, with `count` load users (their file)."""
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    manage("migrate", "--noinput")
    users = workdir / "users.json"
    manage("create_load_users", "--count", str(count), "--output", str(users))
    # A password for --auth client and session (one hash for all: this takes a second).
    subprocess.run(
        [PY, "-m", "loadtest", "passwords", "--users", str(users)],
        cwd=ROOT,
        env=server_env(),
        check=True,
    )
    return {"users": users}


def new_event(name: str, rows: int = 20, per_row: int = 50, extra: tuple[str, ...] = ()) -> int:
    grid = ("--rows", str(rows), "--seats-per-row", str(per_row), "--price", "25")
    return create_event("--name", name, *grid, *extra)


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
    first, last = [
        int(x)
        for x in subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-Atc"]
            + [f"select min(id)||' '||max(id) from reservations_seat where event_id={event}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    ]
    figures = {"name": ctx["name"]}
    for label, script in (
        ("select_for_update", PGBENCH_HOLD),
        ("update_returning", PGBENCH_UPDATE),
    ):
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

"""The real server stack of the load tester's tests: its own database beside the test run's,
a Redis of its own, one uvicorn process, three events (two grids, one room with a stage) and
eight load users. It lives for the whole run (a worker's, under pytest-xdist), so nothing of
the tests that run meanwhile (each flushes the run's Redis db) may reach it."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from harness.engines import redis_server
from harness.servers import ROOT, full_stack_env, manage, manage_each, server_process

# Beside the test run's own database: engineers sharing the machine each run with their own
# DATABASE_URL.
DB = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_loadtest"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
# Migrated once a run, and copied for each database of the load tester's tests (the stack's,
# test_engine_stack.py's): a copy takes a twentieth of a second, the migrations 3 s of CPU.
TEMPLATE = f"{DB}_template"


# The accounts of the queue profile's tests (conftest.py `queue_stack`).
QUEUE_BUYERS = 40


class Stack(NamedTuple):
    base: str
    event_id: int  # 100 seats
    users: Path  # the users file: tokens, and a password (python -m loadtest passwords)
    journey_event: int  # 1,000 seats, for the buyers of the journey profile
    room_event: int  # 120 seats on a room's plan with a stage (`small_room`), for the on-sale
    server_pid: int  # for --server-pid: its CPU from /proc
    redis_url: str  # the stack's own Redis

    def env(self, **extra) -> dict:
        """The environment of another server or command on the stack (`extra` on top)."""
        return stack_env(self.redis_url, **extra)


def event_args(name: str, rows: int, per_row: int, *extra: str) -> tuple[str, ...]:
    """The words of `manage.py create_event` for a grid at 10 a seat."""
    args = ("--name", name, "--rows", str(rows), "--seats-per-row", str(per_row), *extra)
    return ("create_event", *args, "--price", "10")


def create_event(env: dict, name: str, rows: int, per_row: int, *extra: str) -> int:
    return int(manage(env, *event_args(name, rows, per_row, *extra)).split()[-1])


def queue_event(env: dict, *, on_sale_in: int, rows: int, per_row: int) -> int:
    """A grid event whose waiting room opens now and goes on sale `on_sale_in` seconds from
    now; a called buyer has 5 s to claim."""
    out = manage(
        env,
        "create_event",
        *("--name", "Queue", "--rows", str(rows), "--seats-per-row", str(per_row)),
        *("--price", "10", "--queue-opens", "now+0", "--on-sale", f"now+{on_sale_in}"),
        *("--turn-minutes", "10", "--claim-seconds", "5", "--max-active", "500"),
    )
    return int(out.split()[-1])


def small_room(rows: int = 8, per_row: int = 15) -> dict:
    """A layout file (docs/LAYOUT.md) of a small room: a stage at the top, two categories, the
    front rows the dearer."""
    return {
        "format": "seatmap-layout/1",
        "name": "The Load Room",
        "width": 40 * per_row + 80,
        "height": 40 * rows + 140,
        "categories": [
            {"name": "Front", "price": "40.00", "colour": "#c0392b"},
            {"name": "Back", "price": "20.00", "colour": "#2471a3"},
        ],
        "shapes": [
            {"kind": "rect", "x": 140, "y": 10, "width": 40 * per_row - 200, "height": 60}
            | {"label": "Stage", "role": "stage"}
        ],
        "sections": [
            {
                "name": "Stalls",
                "category": "Back",
                "rows": [
                    {
                        "name": "ABCDEFGHJKLMNPQRSTUVWXYZ"[r],
                        **({"category": "Front"} if r < 2 else {}),
                        "seats": [
                            {"number": n + 1, "x": 60 + 40 * n, "y": 120 + 40 * r}
                            for n in range(per_row)
                        ],
                    }
                    for r in range(rows)
                ],
            }
        ],
    }


def stack_env(redis_url: str, **extra) -> dict:
    """The environment the stack's server and commands run with (`extra` on top)."""
    return full_stack_env(
        DATABASE_URL=DB_URL,
        REDIS_URL=redis_url,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        COOKIE_SECURE="0",
        SECURE_SSL_REDIRECT="0",
        # Eight users book again and again, test after test: the purchase limit stays on and
        # counted, at a number they never reach (the hoard test serves with one of its own).
        SEAT_PURCHASE_LIMIT="1000000",
        **extra,
    )


def postgres(*command: str) -> None:
    """A PostgreSQL client command (dropdb, createdb) run against the tests' server."""
    subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres"], check=True)


def migrated_template() -> str:
    """The database TEMPLATE made afresh and migrated: `createdb -T` copies it."""
    postgres("dropdb", "--if-exists", TEMPLATE)
    postgres("createdb", TEMPLATE)
    url = f"postgres://postgres@127.0.0.1:5432/{TEMPLATE}"
    manage(full_stack_env(DATABASE_URL=url), "migrate", "--noinput")
    return TEMPLATE


def migrated_copy(template: str, name: str) -> None:
    """The database `name` made afresh as a copy of the migrated `template`."""
    postgres("dropdb", "--if-exists", name)
    postgres("createdb", "-T", template, name)


@contextlib.contextmanager
def stack_up(workdir: Path, template: str):
    migrated_copy(template, DB)
    with redis_server() as redis:
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        with _stack_up(workdir, redis_url) as stack:
            yield stack


@contextlib.contextmanager
def _stack_up(workdir: Path, redis_url: str):
    env = stack_env(redis_url)
    room = workdir / "room.json"
    room.write_text(json.dumps(small_room()))
    users = workdir / "users.json"
    made = manage_each(
        env,
        event_args("Load", 5, 20),
        event_args("Journeys", 20, 50),
        ("create_event", "--name", "Room", "--layout", str(room)),
        ("create_load_users", "--count", "8", "--output", str(users)),
        ("seed_demo",),  # alice, for `python -m loadtest latency`
    )
    event_id, journey_event, room_event = (int(out.split()[-1]) for out in made[:3])
    subprocess.run(
        [sys.executable, "-m", "loadtest", "passwords", "--users", str(users)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    with server_process(env, server="uvicorn") as (process, base):
        yield Stack(base, event_id, users, journey_event, room_event, process.pid, redis_url)

"""The real server stack of the load tester's tests: its own database beside the test run's,
the test run's Redis db, one uvicorn process, two events and eight load users."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import redis

from realtime.tests.servers import ROOT, full_stack_env, manage, running_server

# Beside the test run's own database and on its Redis db: engineers sharing the machine each
# run with their own DATABASE_URL and REDIS_URL.
DB = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_loadtest"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
REDIS_URL = os.environ["REDIS_URL"]


class Stack(NamedTuple):
    base: str
    event_id: int  # 100 seats
    users: Path  # the users file: tokens, and a password (python -m loadtest.passwords)
    journey_event: int  # 1,000 seats, for the buyers of the journey profile


def create_event(env: dict, name: str, rows: int, per_row: int) -> int:
    args = ["--name", name, "--rows", str(rows), "--seats-per-row", str(per_row)]
    return int(manage(env, "create_event", *args, "--price", "10").split()[-1])


@contextlib.contextmanager
def stack_up(workdir: Path):
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = full_stack_env(
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        COOKIE_SECURE="0",
        SECURE_SSL_REDIRECT="0",
    )
    manage(env, "migrate", "--noinput")
    event_id = create_event(env, "Load", 5, 20)
    journey_event = create_event(env, "Journeys", 20, 50)
    users = workdir / "users.json"
    manage(env, "create_load_users", "--count", "8", "--output", str(users))
    subprocess.run(
        [sys.executable, "-m", "loadtest.passwords", "--users", str(users)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    manage(env, "seed_demo")  # alice, for `python -m loadtest.latency`
    with running_server(env, server="uvicorn") as base:
        yield Stack(base, event_id, users, journey_event)

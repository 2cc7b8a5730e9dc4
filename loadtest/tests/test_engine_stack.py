"""The on-sale through the multi-server stack (harness/stack.py): four server processes behind
nginx, a Redis primary with a replica under three Sentinels, PgBouncer in front of PostgreSQL,
all real processes. While people arrive and open the map (the on-sale profile) and steady buyers
hold, book and cancel on the same event (the journey profile), a server process is killed, then
PgBouncer (started again 2 s later), then the Redis primary. Both runs' verdicts hold: no seat
sold twice, every booking a buyer was answered for is on the server as answered, and every
watcher's map equals the database within 10 s of the failover."""

import asyncio
import json
import os
import threading
import time
from urllib.parse import urlsplit

import pytest

from harness.servers import full_stack_env, manage_each
from harness.stack import engine_stack
from loadtest.commands import parse
from loadtest.figures import table
from loadtest.run import Run

from .server_stack import migrated_copy, small_room

pytestmark = pytest.mark.slow

DB = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_engines"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
# Arrivals spread over ARRIVING s and steady buyers clicking as long, so that people open
# the map and click through every fault, one every FAULT_EVERY s; the on-sale's own buyers
# click once every map is up, after the failover.
ARRIVALS = 60
BUYERS = 15
STEADY_BUYERS = 6
ARRIVING = 20
FAULT_EVERY = 5.5
# The verdicts are taken some 8 s after the failover began (below); after them both runs end
# and the fault thread stops, which took 2.2 s more on a loaded machine (10.2 s in all).
FAILOVER_SETTLED_WITHIN = 15.0
# The on-sale's verdict waits this long after its buyers are done: it compares the watchers
# some 8 s after the failover began (at 16.5 s), so every watcher must be back by then (a
# watcher still reconnecting is not checked, and fails the count below). A watcher refused
# again and again while Redis is away waits longer before each try, as a browser does: 3 s
# left one of 60 out on a busy machine.
ONSALE_SETTLE = 4.5
# The steady run ends 5.5 s after the failover began; its verdict waits this long after it
# (it compares its watchers some 7 s after the primary's death), so that a relay still probing
# Redis has let its sockets in again (it does so only once it hears Redis: realtime/relay.py).
STEADY_SETTLE = 3.0


@pytest.fixture(scope="module")
def room_and_buyers(tmp_path_factory, migrated):
    """The database migrated (a copy of the run's migrated one), a room's event (600 seats, a
    stage) and the tokens of the on-sale's buyers and of the steady ones."""
    migrated_copy(migrated, DB)
    env = full_stack_env(DATABASE_URL=DB_URL)
    workdir = tmp_path_factory.mktemp("engines")
    room = workdir / "room.json"
    room.write_text(json.dumps(small_room(rows=20, per_row=30)))
    # A purchase limit fit for the on-sale's buyers: the verdict fails a run mostly refused by it.
    users, steady = workdir / "users.json", workdir / "steady.json"
    accounts = ("--count", str(STEADY_BUYERS), "--prefix", "steady", "--output", str(steady))
    created, *_ = manage_each(
        env,
        ("create_event", "--name", "Room", "--layout", str(room), "--purchase-limit", "1000"),
        ("create_load_users", "--count", str(BUYERS), "--output", str(users)),
        ("create_load_users", *accounts),
    )
    return int(created.split()[-1]), users, steady


async def onsale_and_steady_buyers(onsale, steady) -> tuple[dict, dict]:
    return tuple(await asyncio.gather(Run(onsale).execute(), Run(steady).execute()))


def test_the_onsale_verdict_holds_while_a_server_pgbouncer_and_a_redis_primary_are_killed(
    room_and_buyers,
):
    event, users, steady_users = room_and_buyers
    with engine_stack(DB_URL, servers=4, LIMITS_EXEMPT_NETWORKS="127.0.0.1/32") as stack:
        options = parse(
            "run",
            ["--url", stack.base, "--event", str(event), "--users", str(users)]
            + ["--profile", "onsale", "--arrivals", str(ARRIVALS)]
            + ["--arrive-within", str(ARRIVING)]
            + ["--click-share", str(BUYERS / ARRIVALS), "--best-share", "0.3"]
            + ["--cancel-share", "0.3", "--journey-seats", "1-3", "--auth", "bearer"]
            + [arg for pid in stack.server_pids for arg in ("--server-pid", str(pid))]
            + ["--idle", "0.2", "--settle", str(ONSALE_SETTLE), "--seed", "11", "--quiet"],
        )
        steady = parse(
            "run",
            ["--url", stack.base, "--event", str(event), "--users", str(steady_users)]
            + ["--profile", "journey", "--clickers", str(STEADY_BUYERS), "--rate", "2"]
            + ["--duration", str(ARRIVING + 2), "--cancel-share", "0.4", "--auth", "bearer"]
            + ["--watchers", "4", "--idle", "0.2", "--settle", str(STEADY_SETTLE)]
            + ["--seed", "12", "--quiet"],
        )
        stop = threading.Event()
        faults = threading.Thread(
            target=stack.faults_in_turn, args=(FAULT_EVERY, stop), daemon=True
        )
        faults.start()
        try:
            result, steady_result = asyncio.run(onsale_and_steady_buyers(options, steady))
        finally:
            stop.set()
            faults.join(timeout=60)
        checked_at = time.monotonic()
        print(table(result), table(steady_result), sep="\n")
        print(*(f"{what}" for _, what in stack.faults), sep="\n")
        failover_at = next(at for at, what in stack.faults if what.startswith("redis primary"))
        print(f"verdicts taken by {checked_at - failover_at:.1f} s after the failover began")

    # Every fault happened while the buyers clicked, in turn, and Sentinel promoted a replica.
    kinds = [what.split()[0] for _, what in stack.faults]
    assert kinds == ["server", "pgbouncer", "pgbouncer", "redis", "redis"], stack.faults

    verdict = result["verdict"]
    assert verdict["passed"], verdict
    assert steady_result["verdict"]["passed"], steady_result["verdict"]
    # Every watcher was back and checked against the database (none left closed), within
    # FAILOVER_SETTLED_WITHIN of the primary's death: the verdict ran before `checked_at`.
    assert verdict["watchers_checked"] == ARRIVALS
    assert verdict["watchers_mismatched"] == 0
    assert checked_at - failover_at < FAILOVER_SETTLED_WITHIN
    # No booking lost: every one a buyer was answered for is on the server as answered.
    assert verdict["bookings_checked"] == result["journey"]["bookings"] >= 1
    # No seat in two confirmed reservations: sales_verdict would have failed the verdict.
    assert verdict["seats_booked"] >= 1
    # The steady buyers booked through the faults, and theirs are all there too.
    steady_bookings = steady_result["journey"]["bookings"]
    assert steady_result["verdict"]["bookings_checked"] == steady_bookings >= 10
    assert steady_result["verdict"]["watchers_checked"] == 4

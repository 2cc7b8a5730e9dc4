"""PgBouncer and PostgreSQL restarted under a real server while buyers click and others read
(API.md, 503 `unavailable`): while they are away every call is answered 503 `unavailable` with
`Retry-After` within seconds (never 500, never a hang); nothing is half-written; and once they
are back the server answers again by itself, its pools having dropped the dead connections.
Both paths ride out the same outage side by side: a server answering on the loop (the fast path)
and one answering through Django only, each with buyers and readers of its own.

PostgreSQL is one of the test's own (harness/postgres.py): the machine's, which other work
shares, is never stopped.
"""

import contextlib
import json
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import psycopg
import pytest
from django.conf import settings

from harness.pgbouncer import pgbouncer_in_front_of
from harness.postgres import private_postgres
from harness.servers import full_stack_env, manage_each, running_server
from harness.waiting import eventually

from .clicking_buyers import (
    Answer,
    Buyer,
    clicking,
    half_written,
    reading,
    seat_rows,
    settled,
)
from .test_database_pooler import BUYERS, served_behind

# On a PostgreSQL of its own: the test database is not used.
pytestmark = pytest.mark.slow

# How long the engine stays away (longer than a request waits for a pooled connection, so that
# wait runs out too), and how long the buyers go on once it is back.
AWAY_SECONDS = 4.0
AFTER_SECONDS = 5.0
# The longest any answer may take, outage or not: the pool's wait (DB_POOL_TIMEOUT, 3 s) or
# PgBouncer's for a server connection (query_wait_timeout in config/pgbouncer/seatmap.ini,
# 3 s), with room for a slow machine.
ANSWERED_WITHIN = 8.0
# From the engine's return to the server answering every call again.
BACK_WITHIN = 3.0


class Sale(NamedTuple):
    """One server's buyers: its base URL (a server of one path), its event, its buyers."""

    base: str
    event_id: int
    buyers: list[Buyer]


class Outage(NamedTuple):
    clicks: list[Answer]
    reads: list[Answer]  # an event's seat list (Django) and detail (the loop, if on)
    returned: float  # when the engine was back (time.monotonic())


def clicks_through(
    sales: list[Sale], away: Callable[[], None], back: Callable, database_url: str
) -> list[Outage]:
    """Each sale's buyers click and two readers read while `away()` stops the engine (once
    every buyer has changed both their seats: the outage comes in the middle of the clicking),
    AWAY_SECONDS pass, and `back()` starts it again: one outage, seen by every sale's server."""
    before = _versions(database_url, sales)
    stop = threading.Event()
    outages = [Outage([], [], 0.0) for _ in sales]
    work = []
    for (base, event_id, buyers), outage in zip(sales, outages, strict=True):
        seat_list, detail = f"/api/events/{event_id}/seats/", f"/api/events/{event_id}/"
        work += [
            (outage.clicks, partial(clicking, base, event_id, buyers)),
            (outage.reads, partial(reading, base, seat_list, token=None)),
            (outage.reads, partial(reading, base, detail, token=buyers[0].token)),
        ]
    threads = [threading.Thread(target=_kept, args=(kept, calls, stop)) for kept, calls in work]
    for thread in threads:
        thread.start()
    try:
        clicked = eventually(
            lambda: all(
                version > before[seat] for seat, version in _versions(database_url, sales).items()
            ),
            within=30,
        )
        assert clicked, "the buyers never clicked"
        away()
        time.sleep(AWAY_SECONDS)
        back()
        returned = time.monotonic()
        time.sleep(AFTER_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return [outage._replace(returned=returned) for outage in outages]


def _versions(database_url: str, sales: list[Sale]) -> dict[int, int]:
    """{seat: its version} of every buyer's seats: each change of a seat is its next version."""
    seats = [seat for sale in sales for buyer in sale.buyers for seat in buyer.seats]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT id, version FROM reservations_seat WHERE id = ANY(%s)", [seats])
        return dict(rows.fetchall())


def _kept(kept: list[Answer], calls: Callable, stop: threading.Event) -> None:
    """The answers to `calls` until `stop` is set, kept in `kept`."""
    kept.extend(calls(stop=stop))


def assert_outage_answered(outage: Outage) -> None:
    """Every answer is one the API documents for this, the outage was seen, nobody waited
    long, and the service came back by itself."""
    answers = outage.clicks + outage.reads
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "the outage was not seen"
    assert {(a.code, a.retry_after) for a in unavailable} == {("unavailable", "1")}
    clicked = {(a.status, a.code) for a in outage.clicks if a.status != 503}
    assert clicked <= {(200, None), (409, "not_holder")}, clicked
    assert {a.status for a in outage.reads if a.status != 503} == {200}
    assert max(a.seconds for a in answers) < ANSWERED_WITHIN
    late = [a for a in answers if a.started > outage.returned + BACK_WITHIN]
    assert {a.call for a in late} == {"lock", "unlock", "read"}, "no calls after the return"
    assert [a for a in late if a.status == 503] == []


def assert_all_let_go(base: str, event_id: int, buyers: list[Buyer], database_url: str) -> None:
    letting_go = settled(base, event_id, buyers)
    assert {(a.status, a.code) for a in letting_go} <= {(200, None), (409, "not_holder")}
    assert {status for status, *_ in seat_rows(database_url, event_id).values()} == {"available"}


# Each path's server, by its ANSWER_ON_LOOP.
PATHS = {"fast path": "1", "Django": "0"}


@contextlib.contextmanager
def servers_of_both_paths(bouncer):
    """{path: base URL} of a server per path, behind `bouncer`."""
    with contextlib.ExitStack() as stack:
        yield {
            path: stack.enter_context(running_server(served_behind(bouncer, ANSWER_ON_LOOP=on)))
            for path, on in PATHS.items()
        }


def assert_each_path_rode_out(outages: list[Outage], sales: list[Sale], database_url: str):
    for path, outage, sale in zip(PATHS, outages, sales, strict=True):
        assert {a.fast for a in outage.clicks if a.status == 200} == {path == "fast path"}, path
        assert_outage_answered(outage)
        assert half_written(seat_rows(database_url, sale.event_id), outage.clicks) == [], path
        assert_all_let_go(sale.base, sale.event_id, sale.buyers, database_url)


def test_pgbouncer_killed_then_postgres_restarted_while_buyers_click_through_either_path(
    tmp_path,
):
    """Both outages on one stack, one after the other: PgBouncer killed and started again, then
    PostgreSQL behind it stopped at once and started again. Each is ridden out by itself: the
    buyers have let every seat go and the servers answer again before the next begins."""
    with private_postgres() as postgres:
        database_url = postgres.create_database("seatmap")
        env = full_stack_env(DATABASE_URL=database_url, REDIS_URL=settings.REDIS_URL)
        for path in PATHS:
            (tmp_path / path).mkdir()
        # One start-up of Django: migrated, then each path's event and buyers.
        _, *made = manage_each(
            env,
            ("migrate", "--noinput"),
            *(command for path in PATHS for command in _sale_commands(tmp_path / path, path)),
        )
        sold = [
            _sale_on(database_url, tmp_path / path, event)
            for path, event in zip(PATHS, made[::2], strict=True)
        ]
        with (
            pgbouncer_in_front_of(database_url) as bouncer,
            servers_of_both_paths(bouncer) as bases,
        ):
            sales = [
                Sale(bases[path], event_id, buyers)
                for path, (event_id, buyers) in zip(PATHS, sold, strict=True)
            ]
            outages = clicks_through(sales, bouncer.kill, bouncer.start, database_url)

            assert_each_path_rode_out(outages, sales, database_url)

            outages = clicks_through(
                sales, lambda: postgres.stop("immediate"), postgres.start, database_url
            )

            assert_each_path_rode_out(outages, sales, database_url)


def _sale_commands(workdir, prefix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An event of two rows, and BUYERS buyers written to workdir."""
    grid = ("--rows", "2", "--seats-per-row", str(BUYERS), "--price", "10")
    accounts = ("--count", str(BUYERS), "--prefix", prefix.replace(" ", "-"))
    users = ("--output", str(workdir / "users.json"))
    return ("create_event", "--name", "Outage", *grid), ("create_load_users", *accounts, *users)


def _sale_on(database_url: str, workdir, event: str) -> tuple[int, list[Buyer]]:
    """On the database `_sale_commands` wrote to: the event's buyers with two seats each."""
    event_id = int(event.split()[-1])
    users = workdir / "users.json"
    with psycopg.connect(database_url) as conn:
        seats = [
            seat
            for (seat,) in conn.execute(
                "SELECT id FROM reservations_seat WHERE event_id = %s ORDER BY id", [event_id]
            )
        ]
    return event_id, [
        Buyer(user["id"], user["access"], (seats[2 * i], seats[2 * i + 1]))
        for i, user in enumerate(json.loads(users.read_text()))
    ]

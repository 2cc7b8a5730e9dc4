"""The `best` profile (`run --profile best`) against a real server: many buyers at once, a
verdict that holds, and one that fails when the answers are wrong."""

import json

import psycopg
import pytest

from harness.servers import manage_each
from loadtest.clickers import Clicker
from loadtest.commands import parse
from loadtest.profiles.best import orphans_left
from loadtest.run import main_async

from .server_stack import DB_URL, Stack, event_args

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def best_sale(stack: Stack, tmp_path_factory):
    """The load tester's server (conftest.py `stack`), three events of 60 seats of this
    module's (for blocks, for one seat each, for the broken server) and thirty buyers."""
    users = tmp_path_factory.mktemp("best") / "users.json"
    accounts = ("--count", "30", "--prefix", "best", "--output", str(users))
    *made, _ = manage_each(
        stack.env(), *[event_args("Best", 6, 10)] * 3, ("create_load_users", *accounts)
    )
    events = [int(out.split()[-1]) for out in made]
    return stack.base, events[0], users, events[1], events[2]


async def run_best(base, event_id: int, users, *options: str) -> dict:
    argv = ["--url", base, "--event", str(event_id), "--users", str(users), "--auth", "bearer"]
    argv += ["--profile", "best", "--clickers", "30", "--watchers", "2", *options]
    result = await main_async(parse("run", [*argv, "--idle", "0", "--settle", "0.5", "--quiet"]))
    print(json.dumps(result["best"], indent=2), result["verdict"])
    return result


async def test_thirty_buyers_at_once_get_blocks_or_no_block_and_the_verdict_passes(best_sale):
    base, event_id, users, *_ = best_sale
    result = await run_best(base, event_id, users, "--sizes", "1-6", "--rounds", "2")
    best = result["best"]

    assert result["verdict"]["passed"], result["verdict"]
    assert result["verdict"]["watchers_checked"] == 2
    assert best["requests"] == 60
    assert best["held"] + best["no_block"] + best["hold_limit"] == 60
    assert best["held"] >= 10  # 30 buyers of at most 6 in an empty room: the first round holds
    with psycopg.connect(DB_URL) as db:
        (locked,) = db.execute(
            "SELECT count(*) FROM reservations_seat WHERE event_id = %s AND status = 'locked'",
            (event_id,),
        ).fetchone()
    assert locked == 60 - best["seats_left"]
    assert best["answer_ms"]["n"] == 60
    assert best["holds_per_second"] > 0 and 0 < best["together_share"] <= 1
    assert best["orphans_left"] is not None


async def test_in_the_one_seat_mode_each_buyer_locks_a_free_seat_of_its_own(best_sale):
    """`--hold-one`, the one-seat hold best available is compared with, with the buyers taking
    turns between the URLs given (here the same server twice)."""
    base, _, users, event_id, _ = best_sale
    result = await run_best(base, event_id, users, "--url", base, "--hold-one")
    best = result["best"]

    assert result["config"]["url"] == [base, base]
    assert best["profile"] == "hold-one" and result["verdict"]["passed"], result["verdict"]
    assert best["held"] == 30 and best["seats_left"] == 30
    with psycopg.connect(DB_URL) as db:
        holders = db.execute(
            "SELECT held_by_id FROM reservations_seat WHERE event_id = %s AND status = 'locked'",
            (event_id,),
        ).fetchall()
    assert len(holders) == len(set(holders)) == 30  # one seat each


async def test_a_block_answered_to_two_buyers_fails_the_verdict(best_sale, monkeypatch):
    """A server that answers every buyer the first block it held (a broken one: the test
    rewrites the answers as they arrive) fails the verdict, though what it holds is right."""
    base, _, users, _, event_id = best_sale
    call, first = Clicker.call, []

    async def same_block(clicker, op, path, body, headers=None):
        status, code, answer = await call(clicker, op, path, body, headers)
        if code == "ok":
            first.append(answer)
        return status, code, first[0] if first else answer

    monkeypatch.setattr(Clicker, "call", same_block)
    result = await run_best(base, event_id, users, "--sizes", "1", "--rounds", "1")

    assert not result["verdict"]["passed"]
    assert any("answered as held to two buyers" in f for f in result["verdict"]["failures"])


def test_orphans_are_free_seats_with_no_free_neighbour():
    seats = [
        {"id": n, "section": "S", "row": "A", "number": n, "status": status}
        for n, status in enumerate(["locked", "available", "locked", "available", "available"], 1)
    ]
    assert orphans_left(seats) == 1


def test_an_aisle_parts_two_free_seats_as_the_servers_orphan_rule_says():
    # Seats 2 and 3 are free and numbered side by side, but an aisle runs between them.
    statuses = ["locked", "available", "available", "locked"]
    seats = [
        {"id": n, "section": "S", "row": "A", "number": n, "status": status}
        for n, status in enumerate(statuses, 1)
    ]
    places = {1: (0.0, 0.0), 2: (10.0, 0.0), 3: (40.0, 0.0), 4: (50.0, 0.0)}
    assert orphans_left(seats) == 0  # by number alone, 2 and 3 keep each other company
    assert orphans_left(seats, places) == 2

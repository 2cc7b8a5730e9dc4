"""The journey profile against a real server: buyers book and cancel with each way of logging
in, the report counts what the database holds, the shipped client's way really is the cookie
endpoint and the fast path, and the verdict catches a seat sold twice, through the API and
through the server's own inventory check, and says when that check could not run."""

import orjson
import psycopg
import pytest

from harness.servers import free_port, server_process
from loadtest.api import fetch_seats, http_session
from loadtest.auth import REFRESH_COOKIE, auth_for
from loadtest.clickers import Clicker
from loadtest.commands import parse
from loadtest.figures import table
from loadtest.run import Run
from loadtest.stats import Recorder
from loadtest.verdict import Verdict, check, inventory_verdict, journey_verdict, verdict_line

from .server_stack import DB_URL, Stack

pytestmark = pytest.mark.slow


def reservations_of(event_id: int) -> dict[str, int]:
    with psycopg.connect(DB_URL) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM reservations_reservation WHERE event_id = %s"
            " GROUP BY status",
            (event_id,),
        ).fetchall()
    return {"confirmed": 0, "cancelled": 0, **dict(rows)}


def journey_options(stack: Stack, *argv: str):
    return parse(
        "run",
        [
            "--url",
            stack.base,
            "--event",
            str(stack.journey_event),
            "--users",
            str(stack.users),
            "--watchers",
            "3",
            "--idle",
            "0.1",
            "--settle",
            "0.5",
            "--quiet",
            *argv,
        ],
    )


@pytest.mark.parametrize(
    ("auth", "logins", "fast"),
    [
        ("client", {"/api/token/cookie/ 200": 4}, True),
        ("bearer", {}, True),  # the users file's own token pair: no login
        ("session", {"/api/login/ 200": 4}, False),  # Django answers every call
    ],
)
async def test_buyers_book_and_cancel_and_the_report_counts_what_the_database_holds(
    stack, auth, logins, fast
):
    before = reservations_of(stack.journey_event)
    options = journey_options(
        stack, "--auth", auth, "--clickers", "4", "--rate", "20", "--duration", "1.5"
    )
    options.cancel_share = 0.4
    result = await Run(options).execute()
    print(table(result))
    after = reservations_of(stack.journey_event)

    assert result["verdict"]["passed"], result["verdict"]
    journey, clicks = result["journey"], result["clicks"]
    assert journey["bookings"] >= 10 and journey["cancellations"] >= 1
    assert after["confirmed"] - before["confirmed"] == journey["kept"]
    assert after["cancelled"] - before["cancelled"] == journey["cancellations"]
    assert result["verdict"]["bookings_checked"] == journey["bookings"]
    assert (result["verdict"]["inventory"], result["verdict"]["notes"]) == ("agrees", [])
    assert journey["journey_ms"]["n"] == journey["bookings"] and journey["journey_ms"]["p99"] > 0
    assert clicks["by_op"]["reserve"]["ok"] == journey["bookings"]
    assert clicks["by_op"]["cancel"]["ok"] == journey["cancellations"]
    assert clicks["by_op"]["lock"]["ok"] == journey["seats_booked"]  # one click a seat
    assert clicks["server_errors"] == 0 and clicks["errors_by_code"] == {}
    assert result["auth"] == {"mode": auth, "calls": logins}
    # With a bearer token (the client's way too) the whole checkout is the fast path's.
    for op in ("lock", "reserve", "cancel"):
        answered = clicks["by_op"][op]
        assert answered["fast"] == (answered["requests"] if fast else 0), op


async def test_client_auth_logs_in_by_cookie_refreshes_by_cookie_and_clicks_the_fast_path(stack):
    rec = Recorder()
    user = orjson.loads(stack.users.read_bytes())[7]
    async with http_session() as client:
        seat = next(
            s["id"]
            for s in await fetch_seats(client, stack.base, stack.journey_event)
            if s["status"] == "available"
        )
        auth = auth_for("client", stack.base, user, rec.auth)
        await auth.login(client)
        cookie = auth.cookie(REFRESH_COOKIE)
        assert cookie and auth.headers["Authorization"].startswith("Bearer ")
        c = Clicker(0, user, stack.base, stack.journey_event, client, rec, hold_limit=10, auth=auth)
        assert await c.lock(seat)
        assert rec.fast["lock"] == 1

        auth.headers = {"Authorization": "Bearer not-a-token"}  # as if the access had expired
        assert await c.unlock(seat)
    assert rec.auth == {
        "/api/token/cookie/ 200": 1,
        "renewed after 401 not_authenticated": 1,
        "/api/token/cookie/refresh/ 200": 1,
    }
    assert [r[:3] for r in rec.requests] == [
        ("lock", 200, "ok"),
        ("unlock", 401, "not_authenticated"),
        ("unlock", 200, "ok"),
    ]
    assert rec.fast == {"lock": 1, "unlock": 2}  # the refused one was the fast path's too
    assert auth.cookie(REFRESH_COOKIE) not in (None, cookie)  # the cookie rotated


async def test_the_verdict_catches_a_seat_sold_twice(stack):
    """Negative control: the database's own guard (`seat_sold_once`) taken away for a moment,
    a second confirmed booking of a sold seat written beside the service, and the verdict
    must fail on it."""
    run = Run(
        journey_options(
            stack, "--clickers", "2", "--rate", "10", "--duration", "1", "--cancel-share", "0"
        )
    )
    result = await run.execute()
    assert result["verdict"]["passed"], result["verdict"]
    first, second = run.clickers
    seat = next(iter(first.booked.values()))[0]

    with psycopg.connect(DB_URL, autocommit=True) as db:
        (index,) = db.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'seat_sold_once'"
        ).fetchone()
        db.execute("DROP INDEX seat_sold_once")
        reservation = None
        try:
            (reservation,) = db.execute(
                "INSERT INTO reservations_reservation (total_price, status, created_at, "
                "event_id, user_id) VALUES (10, 'confirmed', now(), %s, %s) RETURNING id",
                (stack.journey_event, second.user["id"]),
            ).fetchone()
            db.execute(
                "INSERT INTO reservations_reservedseat (price, is_active, reservation_id, "
                "seat_id) VALUES (10, true, %s, %s)",
                (reservation, seat),
            )
            verdict = Verdict()
            async with http_session() as run.admin:
                await check(run, verdict)
        finally:
            for table_name in ("reservedseat WHERE reservation_id", "reservation WHERE id"):
                db.execute(f"DELETE FROM reservations_{table_name} = %s", (reservation,))
            db.execute(index)

    assert not verdict.passed
    assert verdict.failures[0] == f"seats in two live orders: [{seat}]"
    inventory = verdict.failures[1]  # the server's own check sees the same, in its words
    assert inventory.startswith("the server's inventory check found 2 disagreement(s)")
    assert f"(id {seat}) is in 2 live reservations" in inventory
    assert len(verdict.failures) == 2


async def test_the_verdict_says_in_one_line_when_the_inventory_check_could_not_run(stack):
    """Refused (the load tester outside the server's METRICS_ALLOWED_NETWORKS, no token) and
    unreachable: a note each, the verdict not failed and not silent; with the server's
    METRICS_TOKEN it runs."""
    env = stack.env(METRICS_ALLOWED_NETWORKS="192.0.2.0/24", METRICS_TOKEN="load-token-1")
    with server_process(env) as (_, base):
        async with http_session() as client:
            refused, allowed, unreachable = Verdict(), Verdict(), Verdict()
            await inventory_verdict(client, base, stack.journey_event, refused)
            await inventory_verdict(
                client, base, stack.journey_event, allowed, token="load-token-1"
            )
            gone = f"http://127.0.0.1:{free_port()}"
            await inventory_verdict(client, gone, stack.journey_event, unreachable)
    assert (refused.passed, refused.failures) == (True, [])
    assert refused.notes == [
        "inventory check not run: refused (403): give --metrics-token or run from the server's "
        "METRICS_ALLOWED_NETWORKS"
    ]
    assert verdict_line(refused.as_dict()) == f"PASS ({refused.notes[0]})"
    assert (allowed.passed, allowed.notes, allowed.figures["inventory"]) == (True, [], "agrees")
    assert unreachable.passed and len(unreachable.notes) == 1
    assert unreachable.notes[0].startswith(
        f"inventory check not run: {gone}/api/events/{stack.journey_event}/inventory/ unreachable"
    )


class _Buyer:
    def __init__(self, index, booked, cancelled):
        self.index, self.booked, self.cancelled = index, booked, cancelled
        self.user = {"username": f"load-{index}"}


def test_the_journey_verdict_wants_every_answered_booking_as_the_server_has_it():
    def listed(rid, status, seats):
        return {"id": rid, "status": status, "seats": [{"id": s} for s in seats]}

    buyers = [_Buyer(0, {1: [10, 11], 2: [12]}, {2}), _Buyer(1, {3: [20], 4: [21]}, set())]
    good = {
        0: [listed(1, "confirmed", [11, 10]), listed(2, "cancelled", [12])],
        1: [listed(3, "confirmed", [20]), listed(4, "confirmed", [21])],
    }
    verdict = Verdict()
    for buyer in buyers:
        buyer.reservations = good[buyer.index]
    journey_verdict(buyers, verdict)
    assert verdict.passed and verdict.figures == {"bookings_checked": 4, "cancellations_checked": 1}

    bad = {
        0: [listed(1, "confirmed", [10]), listed(2, "confirmed", [12])],  # a seat lost, 2 kept
        1: [listed(3, "confirmed", [20])],  # 4 missing
    }
    verdict = Verdict()
    for buyer in buyers:
        buyer.reservations = bad[buyer.index]
    journey_verdict(buyers, verdict)
    assert not verdict.passed
    assert verdict.failures[0].startswith("3 booking(s) not as the buyer was answered")

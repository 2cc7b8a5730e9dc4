"""Behind PgBouncer in transaction mode (reservations/database_pooler.py, DATABASE_POOLER): a
real server process whose DATABASE_URL is a real PgBouncer's (harness/pgbouncer.py), in front
of the test database, with four server connections for the server's many. Both kinds: 1.24,
which keeps the clients' prepared statements (`transaction-prepared`, as compose runs it), and
Debian 12's 1.18, which keeps none (`transaction`).

Negative control: with the server told `transaction-prepared` behind 1.18 (the fast path's pool
then prepares statements from their fifth run), 141 and 146 of the fast path's 1,000 clicks were
answered 500 in two runs (`prepared statement "_pg3_0" already exists` in the server's log);
Django's path, which never prepares, passed. With server-side cursors left on, Django's
`.iterator()` lost its cursor to another server connection (`cursor "_django_curs_..." does
not exist`). With the fast path's pool told `transaction` behind 1.24, no statement was
prepared on PgBouncer's server connections.
"""

import contextlib

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from rest_framework_simplejwt.tokens import RefreshToken

from harness.pgbouncer import pgbouncer_in_front_of
from harness.servers import full_stack_env, running_server
from reservations import database_pooler
from reservations.ledger.models import SeatChange
from reservations.models import Seat

from .clicking_buyers import Buyer, clicking, half_written, seat_rows
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 8
# Each round is five calls of a buyer; psycopg prepares a statement on its fifth run on a
# connection, and the fast path's pool keeps up to ten.
ROUNDS = 25
# Enough for some connection to run a statement five times, however the pool spreads them: each
# round runs each of the buyers' statements eight times, so seven rounds give one of ten
# connections six at least.
PREPARING_ROUNDS = 7


def the_test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def buyers_with_seats(event, count: int, *, prefix: str = "pooled") -> list[Buyer]:
    seats = list(event.seats.order_by("id").values_list("id", flat=True))
    buyers = []
    for i in range(count):
        user = UserFactory(username=f"{prefix}{i}")
        token = str(RefreshToken.for_user(user).access_token)
        buyers.append(Buyer(user.pk, token, (seats[2 * i], seats[2 * i + 1])))
    return buyers


POOLERS = ["transaction-prepared", "transaction"]


@pytest.fixture(scope="module", params=POOLERS, ids=["1.24", "1.18"])
def bouncer(request, django_db_setup):
    """A PgBouncer of each kind, shared by the module's tests of that kind."""
    with pgbouncer_in_front_of(the_test_database_url(), pooler=request.param) as bouncer:
        yield bouncer


@pytest.fixture(scope="module")
def server_behind(bouncer):
    """`server_behind(fast_path)`: the base URL of a server behind the module's bouncer, with
    ANSWER_ON_LOOP=fast_path, started once for the tests that ask for the same."""
    started = {}
    with contextlib.ExitStack() as stack:

        def server(fast_path: str) -> str:
            if fast_path not in started:
                env = served_behind(bouncer, ANSWER_ON_LOOP=fast_path)
                started[fast_path] = stack.enter_context(running_server(env))
            return started[fast_path]

        yield server


def served_behind(bouncer, **extra) -> dict:
    return full_stack_env(
        DATABASE_URL=bouncer.url,
        DATABASE_POOLER=bouncer.pooler,
        REDIS_URL=settings.REDIS_URL,
        **extra,
    )


@pytest.mark.slow
@pytest.mark.parametrize("fast_path", ["1", "0"], ids=["fast path", "Django"])
def test_every_click_through_pgbouncer_is_answered_and_written(server_behind, fast_path):
    event = event_with_seats(rows=2, seats_per_row=BUYERS)
    buyers = buyers_with_seats(event, BUYERS)

    answers = clicking(server_behind(fast_path), event.id, buyers, rounds=ROUNDS)

    assert len(answers) == BUYERS * ROUNDS * 5
    refused = [a for a in answers if a.status != 200]
    assert refused == []
    assert {a.fast for a in answers} == {fast_path == "1"}
    rows = seat_rows(the_test_database_url(), event.id)
    assert half_written(rows, answers) == []
    assert {status for status, *_ in rows.values()} == {"available"}
    # Each transaction said whose the changes were: no connection's session says it here.
    changes = SeatChange.objects.filter(event_id=event.id)
    assert set(changes.values_list("via", flat=True)) == {"online"}


def seat_statements_prepared(bouncer) -> int:
    """Statements on the seats prepared on the server connections PgBouncer hands out (each is
    one of POOL_SIZE; every one served the clicks)."""
    counts = []
    with psycopg.connect(bouncer.url, autocommit=True) as client:
        for _ in range(8):
            with client.transaction():
                (count,) = client.execute(
                    "SELECT count(*) FROM pg_prepared_statements"
                    " WHERE statement LIKE %s AND statement NOT LIKE %s",
                    ["%reservations_seat%", "%pg_prepared_statements%"],
                ).fetchone()
            counts.append(count)
    return max(counts)


@pytest.mark.slow
def test_the_fast_paths_statements_are_prepared_only_behind_a_pgbouncer_that_keeps_them(
    bouncer, server_behind
):
    event = event_with_seats(rows=2, seats_per_row=BUYERS)
    buyers = buyers_with_seats(event, BUYERS)

    answers = clicking(server_behind("1"), event.id, buyers, rounds=PREPARING_ROUNDS)
    prepared = seat_statements_prepared(bouncer)

    assert [a for a in answers if a.status != 200] == []
    if bouncer.pooler == "transaction-prepared":
        assert prepared > 0  # planned once per server connection, not per click
    else:
        assert prepared == 0


def test_an_unknown_pooler_is_refused():
    with pytest.raises(ValueError, match="DATABASE_POOLER"):
        database_pooler.statements_prepared("session")


@pytest.fixture
def pooled_alias(bouncer):
    """A database alias `pooled`: the test database through PgBouncer, as Django's settings make
    it for a transaction pooler (a connection made here, as Django's test cases allow)."""
    database = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": bouncer.port}
    database["OPTIONS"] = {k: v for k, v in database["OPTIONS"].items() if k != "pool"}
    pooled = DatabaseWrapper(database_pooler.django_database(database, bouncer.pooler), "pooled")
    connections["pooled"] = pooled
    yield "pooled"
    pooled.close()
    del connections["pooled"]


def test_djangos_iterator_behind_pgbouncer_reads_every_row(bouncer, pooled_alias):
    # With a server-side cursor, `.iterator()` outside a transaction declares it WITH HOLD in
    # one transaction and fetches from it in the next ones; here another client holds the
    # server connection it was declared on meanwhile, so the next fetch runs on another one.
    event = event_with_seats(rows=3, seats_per_row=1000)
    seats = Seat.objects.using(pooled_alias).filter(event=event).order_by("id")
    rows = seats.values_list("id", flat=True).iterator(chunk_size=1000)
    read = [next(rows) for _ in range(1000)]
    with psycopg.connect(bouncer.url, autocommit=True) as other, other.transaction():
        other.execute("SELECT 1")
        read.extend(rows)
    assert read == list(event.seats.order_by("id").values_list("id", flat=True))

"""Behind PgBouncer in transaction mode (reservations/database_pooler.py, DATABASE_POOLER): a
real server process whose DATABASE_URL is a real PgBouncer's (loadtest/pgbouncer.py), in front
of the test database, with four server connections for the server's many.

Negative control: with DATABASE_POOLER left empty for the server (the fast path's pool then
prepares statements from their fifth run), 141 and 146 of the fast path's 1,000 clicks were
answered 500 in two runs (`prepared statement "_pg3_0" already exists` in the server's log);
Django's path, which never prepares, passed. With server-side cursors left on, Django's
`.iterator()` lost its cursor to another server connection (`cursor "_django_curs_..." does
not exist`). With the fast path's statements left as text (`loop_statement_functions` returning
None), their functions were called 0 times. With the fast path not running a transaction again
after a function was gone (`FunctionGone` raised on), clicks after the functions were dropped
were answered 500.
"""

import contextlib
import time
from io import StringIO

import httpx
import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from prometheus_client.parser import text_string_to_metric_families
from rest_framework_simplejwt.tokens import RefreshToken

from loadtest.pgbouncer import pgbouncer_in_front_of
from loadtest.servers import full_stack_env, running_server
from reservations import database_pooler
from reservations.models import Seat
from reservations.services.statement_functions import PREFIX

from .clicking_buyers import Buyer, clicking, half_written, seat_rows
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 8
# Each round is five calls of a buyer; psycopg prepares a statement on its fifth run on a
# connection, and the fast path's pool keeps up to ten.
ROUNDS = 25


def the_test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def buyers_with_seats(event, count: int) -> list[Buyer]:
    seats = list(event.seats.order_by("id").values_list("id", flat=True))
    buyers = []
    for i in range(count):
        user = UserFactory(username=f"pooled{i}")
        token = str(RefreshToken.for_user(user).access_token)
        buyers.append(Buyer(user.pk, token, (seats[2 * i], seats[2 * i + 1])))
    return buyers


@pytest.fixture
def bouncer():
    with pgbouncer_in_front_of(the_test_database_url()) as bouncer:
        yield bouncer


def served_behind(bouncer, **extra) -> dict:
    return full_stack_env(
        DATABASE_URL=bouncer.url,
        DATABASE_POOLER="transaction",
        REDIS_URL=settings.REDIS_URL,
        **extra,
    )


@pytest.mark.slow
@pytest.mark.parametrize("fast_path", ["1", "0"], ids=["fast path", "Django"])
def test_every_click_through_pgbouncer_is_answered_and_written(bouncer, fast_path):
    event = event_with_seats(rows=2, seats_per_row=BUYERS)
    buyers = buyers_with_seats(event, BUYERS)

    with running_server(served_behind(bouncer, HOLD_FAST_PATH=fast_path)) as base:
        answers = clicking(base, event.id, buyers, rounds=ROUNDS)

    assert len(answers) == BUYERS * ROUNDS * 5
    refused = [a for a in answers if a.status != 200]
    assert refused == []
    assert {a.fast for a in answers} == {fast_path == "1"}
    rows = seat_rows(the_test_database_url(), event.id)
    assert half_written(rows, answers) == []
    assert {status for status, *_ in rows.values()} == {"available"}


@contextlib.contextmanager
def functions_counted():
    """PostgreSQL counts the calls of PL/pgSQL functions in the test database's new sessions."""
    name = connection.settings_dict["NAME"]
    with psycopg.connect(the_test_database_url(), autocommit=True) as db:
        db.execute(f'ALTER DATABASE "{name}" SET track_functions = pl')
        try:
            yield
        finally:
            db.execute(f'ALTER DATABASE "{name}" RESET track_functions')


def statement_function_calls(least: int) -> int:
    """The calls of the statements' functions (services/statement_functions.py), once at least
    `least` are reported (a session reports its counts when it ends) or ten seconds have passed."""
    deadline = time.monotonic() + 10
    with psycopg.connect(the_test_database_url(), autocommit=True) as db:
        while True:
            (calls,) = db.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname LIKE %s",
                [f"{PREFIX}%"],
            ).fetchone()
            if calls >= least or time.monotonic() > deadline:
                return calls
            time.sleep(0.2)


@pytest.mark.slow
def test_behind_pgbouncer_the_fast_paths_statements_run_as_functions_that_keep_plans(bouncer):
    event = event_with_seats(rows=2, seats_per_row=BUYERS)
    buyers = buyers_with_seats(event, BUYERS)

    with functions_counted():
        with running_server(served_behind(bouncer)) as base:
            answers = clicking(base, event.id, buyers, rounds=ROUNDS)
        bouncer.stop()  # its server connections end, and report their counts
        calls = statement_function_calls(least=len(answers))

    assert [a for a in answers if a.status != 200] == []
    # Each call sends two statements or more; all but each statement's first runs (five, and
    # while its function is made) are a function's.
    assert calls >= len(answers)


def functions_made(base: str) -> float:
    """The server's count of statement functions it has made (its metrics, METRICS.md)."""
    scraped = text_string_to_metric_families(httpx.get(f"{base}/api/metrics/").text)
    return sum(
        sample.value
        for family in scraped
        for sample in family.samples
        if sample.name == "seatmap_statement_functions_total" and sample.labels["outcome"] == "made"
    )


def functions_made_settled(base: str, least: float = 1) -> float:
    """The count once at least `least` are made and no more come for a second (they are made in
    the background, as their statements come due)."""
    made, deadline = -1.0, time.monotonic() + 15
    while time.monotonic() < deadline:
        now_made = functions_made(base)
        if now_made >= least and now_made == made:
            return made
        made = now_made
        time.sleep(1)
    raise AssertionError(f"functions made: {made}, not settled at {least} or more")


@pytest.mark.slow
def test_behind_pgbouncer_no_click_fails_when_the_statements_functions_are_dropped(bouncer):
    event = event_with_seats(rows=2, seats_per_row=BUYERS)
    buyers = buyers_with_seats(event, BUYERS)

    with running_server(served_behind(bouncer, STATEMENT_FUNCTION_RUNS="1")) as base:
        clicking(base, event.id, buyers, rounds=1)
        made = functions_made_settled(base)
        out = StringIO()
        call_command("drop_statement_functions", stdout=out)  # the server running
        dropped = int(out.getvalue().split()[0])
        answers = clicking(base, event.id, buyers, rounds=2)
        # Each one the clicks met gone is made again: they did meet them.
        made_again = functions_made_settled(base, least=made + 1) - made

    assert dropped >= made
    assert [a for a in answers if a.status != 200] == []
    assert half_written(seat_rows(the_test_database_url(), event.id), answers) == []
    assert made_again >= 2  # the lock's statements and the unlock's at least


def test_an_unknown_pooler_is_refused():
    with pytest.raises(ValueError, match="DATABASE_POOLER"):
        database_pooler.statements_prepared("session")


@pytest.fixture
def pooled_alias(bouncer):
    """A database alias `pooled`: the test database through PgBouncer, as Django's settings make
    it for DATABASE_POOLER=transaction (a connection made here, as Django's test cases allow)."""
    database = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": bouncer.port}
    database["OPTIONS"] = {k: v for k, v in database["OPTIONS"].items() if k != "pool"}
    pooled = DatabaseWrapper(database_pooler.django_database(database, "transaction"), "pooled")
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

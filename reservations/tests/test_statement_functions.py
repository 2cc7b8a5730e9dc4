"""Statements as PL/pgSQL functions where none may be prepared
(reservations/services/statement_functions.py), on the real test database. Through a real
PgBouncer: test_database_pooler.py (the fast path's calls) and test_races.py (`fast-pgbouncer`).
"""

import asyncio
import logging
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from reservations.models import IdempotencyKey, Seat
from reservations.services import sql
from reservations.services.runner import _rendered, run_async
from reservations.services.sql import Statement
from reservations.services.statement_functions import (
    PREFIX,
    FunctionGone,
    StatementFunctions,
    function_create,
    positional,
)

from .factories import UserFactory, event_with_seats
from .races import conninfo

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parameter_named_twice_is_one_numbered_parameter():
    body, names = positional("SELECT %(b)s + %(a)s WHERE x = %(b)s AND y LIKE 'a%%'")
    assert body == "SELECT $1 + $2 WHERE x = $1 AND y LIKE 'a%'"
    assert names == ("b", "a")


def connected() -> psycopg.Connection:
    return psycopg.Connection.connect(conninfo(), autocommit=True)


def made(text: str, params: dict) -> str:
    with connected() as conn:
        return function_create(conn, text, params)


def rows_of(text: str, params: dict) -> list[tuple]:
    with connected() as conn, conn.transaction():
        cursor = conn.execute(text, params)
        return cursor.fetchall() if cursor.description else []


def made_count(outcome: str) -> float:
    """seatmap_statement_functions_total{outcome} of this process."""
    return REGISTRY.get_sample_value("seatmap_statement_functions_total", {"outcome": outcome}) or 0


def seat_ids(event) -> list[int]:
    return list(event.seats.order_by("id").values_list("id", flat=True))


def test_a_functions_rows_are_its_statements_in_their_order():
    event = event_with_seats(rows=2, seats_per_row=5)
    ids = seat_ids(event)
    statement = sql.seats_for_update(event_id=event.id, seat_ids=[ids[7], ids[2], ids[4]])
    text, params = _rendered(statement, postgres=True)

    call = made(text, params)

    assert call.startswith(f"SELECT * FROM {PREFIX}")
    direct = rows_of(text, params)
    assert [row[0] for row in direct] == [ids[2], ids[4], ids[7]]
    assert rows_of(call, params) == direct


def test_a_hold_through_its_function_holds_the_seat_and_returns_it():
    event = event_with_seats(rows=1, seats_per_row=3)
    seat_id, user = seat_ids(event)[1], UserFactory()
    now = timezone.now()
    statement = sql.hold_if_free(
        event_id=event.id,
        seat_id=seat_id,
        user_id=user.id,
        until=now + timedelta(minutes=5),
        now=now,
        limit=10,
    )
    text, params = _rendered(statement, postgres=True)

    (row,) = rows_of(made(text, params), params)

    seat = Seat.objects.get(pk=seat_id)
    assert row[0] == seat_id
    assert (seat.status, seat.held_by_id, seat.version) == ("locked", user.id, 1)


def test_an_insert_is_typed_without_being_run():
    # Typing a statement must not run it: no key row until the function is called.
    user = UserFactory()
    statement = sql.key_claim(user_id=user.id, key="k", fingerprint="f", now=timezone.now())
    text, params = _rendered(statement, postgres=True)

    call = made(text, params)

    assert not IdempotencyKey.objects.exists()
    ((key_id,),) = rows_of(call, params)
    assert IdempotencyKey.objects.get(pk=key_id).user_id == user.id


def test_a_statement_without_rows_runs_through_a_function_that_returns_none():
    event = event_with_seats(rows=1, seats_per_row=2)
    seat_id = seat_ids(event)[0]
    until = timezone.now() + timedelta(minutes=9)
    text, params = _rendered(sql.extend(seat_id=seat_id, until=until), postgres=True)

    assert rows_of(made(text, params), params) == []

    seat = Seat.objects.get(pk=seat_id)
    assert (seat.held_until, seat.version) == (until, 1)


def test_two_processes_making_one_function_at_once_make_it_once():
    # A text of this run's own: a function some earlier test made would be found by both, and
    # the test would pass without the advisory lock that keeps two makers apart.
    text = f"SELECT id FROM reservations_event WHERE id = %(event_id)s /* {uuid.uuid4()} */"
    params = {"event_id": event_with_seats(rows=1, seats_per_row=2).id}

    async def both():
        return await asyncio.gather(
            asyncio.to_thread(made, text, params), asyncio.to_thread(made, text, params)
        )

    first, second = asyncio.run(both())

    assert first == second
    name = first.removeprefix("SELECT * FROM ").split("(")[0]
    with psycopg.connect(conninfo()) as db:
        count = db.execute("SELECT count(*) FROM pg_proc WHERE proname = %s", [name]).fetchone()
    assert count == (1,)


def test_a_statement_is_text_until_its_function_is_made_then_the_functions():
    event = event_with_seats(rows=1, seats_per_row=2)
    text, params = _rendered(sql.event_exists(event_id=event.id), postgres=True)
    functions = StatementFunctions(connected, runs_before=3)

    async def sent_until_a_call():
        sent = [functions.sent(text, params)[0] for _ in range(3)]  # the third makes it
        deadline = time.monotonic() + 10
        while sent[-1] == text and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            sent.append(functions.sent(text, params)[0])
        return sent

    made_before = made_count("made")
    sent = asyncio.run(sent_until_a_call())

    assert sent[:3] == [text] * 3
    assert made_count("made") == made_before + 1
    assert sent[-1].startswith(f"SELECT * FROM {PREFIX}")
    assert rows_of(sent[-1], params) == [(1,)]


def test_a_statement_postgresql_cannot_type_stays_text(caplog):
    functions = StatementFunctions(connected, runs_before=1)
    text = "SELECT %(anything)s"  # PostgreSQL would take $1 for text, and answer '1'

    async def sent_after_it_was_tried():
        first = functions.sent(text, {"anything": 1})[0]
        for _ in range(500):  # ten seconds at most
            if "statement stays text" in caplog.text:
                break
            await asyncio.sleep(0.02)
        return first, functions.sent(text, {"anything": 1})[0]

    text_before = made_count("text")
    with caplog.at_level(logging.WARNING, logger="reservations.services.statement_functions"):
        sent = asyncio.run(sent_after_it_was_tried())

    assert "anything would be text" in caplog.text
    assert made_count("text") == text_before + 1
    assert sent == (text, text)


async def run_once(
    functions: StatementFunctions, statement: Statement
) -> list[tuple] | FunctionGone:
    """The statement's rows, run through `functions` in a transaction of its own."""

    def steps():
        return (yield statement)

    async with (
        await psycopg.AsyncConnection.connect(conninfo(), autocommit=True) as conn,
        conn.transaction(),
        conn.cursor() as cursor,
    ):
        try:
            return await run_async(steps(), cursor, functions)
        except FunctionGone as gone:
            return gone


async def until_a_function(functions: StatementFunctions, statement: Statement) -> str:
    """The statement's call, once run often enough for its function to be made."""
    text, params = _rendered(statement, postgres=True)
    for _ in range(500):
        if (call := functions.sent(text, params)[0]) != text:
            return call
        await run_once(functions, statement)
        await asyncio.sleep(0.02)
    raise AssertionError("no function was made")


def test_a_dropped_functions_call_is_gone_and_its_statement_goes_on_as_text_then_anew():
    event = event_with_seats(rows=1, seats_per_row=2)
    functions = StatementFunctions(connected, runs_before=1)
    exists = sql.event_exists(event_id=event.id)

    call = asyncio.run(until_a_function(functions, exists))
    name = call.removeprefix("SELECT * FROM ").split("(")[0]
    with psycopg.connect(conninfo(), autocommit=True) as db:
        db.execute(f"DROP FUNCTION {name}")

    failed = asyncio.run(run_once(functions, exists))
    as_text = asyncio.run(run_once(functions, exists))

    assert isinstance(failed, FunctionGone)  # its caller's transaction runs again (fast.py)
    assert isinstance(failed.__cause__, psycopg.errors.UndefinedFunction)
    assert as_text == [(1,)]
    assert asyncio.run(until_a_function(functions, exists)) == call  # made again, same name


def test_a_function_whose_rows_a_migration_retyped_is_gone_and_made_anew_for_the_new_types():
    table = f"retyped_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo(), autocommit=True) as db:
        db.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, label integer)")
        db.execute(f"INSERT INTO {table} VALUES (1, 7)")
    functions = StatementFunctions(connected, runs_before=1)
    label = Statement(f"SELECT label FROM {table} WHERE id = %(id)s", {"id": 1})
    try:
        call = asyncio.run(until_a_function(functions, label))
        with psycopg.connect(conninfo(), autocommit=True) as db:
            db.execute(f"ALTER TABLE {table} ALTER COLUMN label TYPE bigint")

        failed = asyncio.run(run_once(functions, label))
        as_text = asyncio.run(run_once(functions, label))
        made_again = asyncio.run(until_a_function(functions, label))
    finally:
        with psycopg.connect(conninfo(), autocommit=True) as db:
            db.execute(f"DROP TABLE {table}")

    # The function still says integer where its statement now returns bigint.
    assert isinstance(failed, FunctionGone)
    assert isinstance(failed.__cause__, psycopg.errors.DatatypeMismatch)
    assert as_text == [(7,)]
    assert made_again != call  # another function: its digest counts the new type

"""The step drivers: a table parameter (sql.Table) on each database; the loop's transaction,
opened with a call's first statements and committed with its last write (sql.Ending)."""

import asyncio

import psycopg
import pytest
from django.db import connection
from psycopg.pq import TransactionStatus

from reservations.booking import runner
from reservations.booking.holds import hold_one_steps, release_one_steps
from reservations.booking.runner import _rendered, run, run_async
from reservations.booking.sql import Statement, Table
from reservations.exceptions import SeatUnavailable
from reservations.models import Seat

from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


def _pairs(count: int) -> Table:
    return Table(("bigint", "integer"), [(10 + n, n) for n in range(count)])


def test_a_table_gives_postgresql_one_text_however_many_rows_it_has():
    statement = Statement("SELECT * FROM (%(pairs)s) AS p (a, b)", {"pairs": _pairs(1)})
    longer = statement._replace(params={"pairs": _pairs(300)})
    text, params = _rendered(statement, postgres=True)
    assert _rendered(longer, postgres=True)[0] == text
    assert params == {"pairs__0": [10], "pairs__1": [0]}


def test_a_table_reads_back_as_its_rows():
    def steps(table):
        rows = yield Statement(
            "SELECT a, b FROM (%(pairs)s) AS p (a, b) ORDER BY a", {"pairs": table}
        )
        return rows

    assert run(steps(_pairs(3))) == [(10, 0), (11, 1), (12, 2)]
    assert run(steps(_pairs(0))) == []


@pytest.mark.parametrize("count", [0, 2])
def test_elsewhere_a_table_is_a_values_list_of_its_rows(count):
    text, params = _rendered(
        Statement("SELECT * FROM (%(pairs)s) AS p", {"pairs": _pairs(count)}), postgres=False
    )
    if count:
        assert "VALUES (%(pairs__0_0)s, %(pairs__0_1)s), (%(pairs__1_0)s, %(pairs__1_1)s)" in text
        assert params == {"pairs__0_0": 10, "pairs__0_1": 0, "pairs__1_0": 11, "pairs__1_1": 1}
    else:
        assert "WHERE 1 = 0" in text and params == {}


def _loop_connection_params() -> dict:
    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params.pop("cursor_factory")
    params.pop("prepare_threshold", None)
    return params


def _run_on_the_loop(steps):
    """`steps` as the fast path runs them: a transaction of their own, begun with their first
    statements, committed with their Ending or after them; and the connection's state after."""

    async def main():
        async with await psycopg.AsyncConnection.connect(
            **_loop_connection_params(), autocommit=True
        ) as conn:
            try:
                outcome = await run_async(steps, conn, begin=True, settings_sent=False)
            except Exception as refused:
                status = conn.info.transaction_status
                await conn.rollback()
                return refused, status
            status = conn.info.transaction_status
            await conn.commit()
            return outcome, status

    return asyncio.run(main())


def _sends_recorded(monkeypatch) -> list[list[tuple[str, dict]]]:
    """Each write the loop's runner sends to PostgreSQL (its statements), as it sends it."""
    sends, send = [], runner._sent_together

    async def recorded(connection, queries):
        sends.append(list(queries))
        return await send(connection, queries)

    monkeypatch.setattr(runner, "_sent_together", recorded)
    return sends


def _taken_between_read_and_write(steps, take):
    """`steps`, with `take()` run on another connection (and committed) once their first
    statements' rows are back: the seat a hold read as free is someone else's when it writes."""
    sent = next(steps)
    rows = yield sent
    take()
    while True:
        try:
            sent = steps.send(rows)
        except StopIteration as finished:
            return finished.value
        rows = yield sent


@pytest.mark.django_db(transaction=True)
def test_a_hold_whose_seat_is_taken_after_its_read_is_refused_and_holds_nothing(monkeypatch):
    """The one-seat hold's write (an Ending) finds no free seat: the transaction its read ran in
    is over, and the long way, its locks taken again in a new one, refuses the seat as taken.
    Negative controls: with the miss answered as a hold instead of the long way, this failed;
    with the new transaction opened by the first one's statements again, too."""
    sends = _sends_recorded(monkeypatch)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    event = event_with_seats(rows=1, seats_per_row=2)
    seat = event.seats.order_by("id").first()

    def bob_takes_it():
        with psycopg.connect(**_loop_connection_params(), autocommit=True) as other:
            other.execute(
                f"UPDATE {Seat._meta.db_table} SET status = 'locked', held_by_id = %s, "
                "held_since = now(), held_until = now() + interval '5 minutes', "
                "version = version + 1 WHERE id = %s",
                (bob.id, seat.id),
            )

    steps = hold_one_steps(user_id=alice.id, event_id=event.id, seat_id=seat.id)
    refused, status = _run_on_the_loop(_taken_between_read_and_write(steps, bob_takes_it))

    assert isinstance(refused, SeatUnavailable), refused
    assert status == TransactionStatus.INTRANS  # the long way's, rolled back by the caller
    read, (*_, commit), long_way = [[text for text, _ in sent] for sent in sends[:3]]
    assert read[0] == "BEGIN" and commit == "COMMIT"
    assert long_way[0] == "BEGIN" and len(long_way) == len(set(long_way)) == len(read)
    seat.refresh_from_db()
    assert (seat.status, seat.held_by_id, seat.version) == ("locked", bob.id, 1)


@pytest.mark.django_db(transaction=True)
def test_a_hold_that_writes_is_committed_with_its_write():
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()

    outcome, status = _run_on_the_loop(
        hold_one_steps(user_id=alice.id, event_id=event.id, seat_id=seat.id)
    )

    assert [s.id for s in outcome.changed] == [seat.id]
    assert status == TransactionStatus.IDLE  # nothing left for the caller's commit
    seat.refresh_from_db()
    assert (seat.status, seat.held_by_id) == ("locked", alice.id)


@pytest.mark.django_db(transaction=True)
def test_a_release_is_one_write_committed_with_it(monkeypatch):
    sends = _sends_recorded(monkeypatch)
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=1)
    seat = event.seats.get()
    _run_on_the_loop(hold_one_steps(user_id=alice.id, event_id=event.id, seat_id=seat.id))
    del sends[:]

    outcome, status = _run_on_the_loop(
        release_one_steps(user_id=alice.id, event_id=event.id, seat_id=seat.id)
    )

    assert [s.id for s in outcome.changed] == [seat.id]
    assert status == TransactionStatus.IDLE
    ((begin, *_, commit),) = [[text for text, _ in sent] for sent in sends]
    assert (begin, commit) == ("BEGIN", "COMMIT")
    seat.refresh_from_db()
    assert (seat.status, seat.held_by_id) == ("available", None)

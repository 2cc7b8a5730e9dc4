"""The lock order, in code: every write takes its locks through here, in one order, inside a
transaction, or is refused (pretix's `base/services/locking.py` is the model).

The order (`Rank`), which is why two booking calls can never wait on each other in a circle:

1. Best available's batch first waits for its turn: an advisory lock keyed by the event,
   taken before any row, so another process's batch for the event commits first
   (``sql.best_batch_turn``), for a second at most. Nothing else takes it.
2. The caller's user row ``FOR UPDATE`` (a batch: its callers' rows in id order), where the
   account is checked (``holds.caller_row_steps``): the hold limit and the purchase limit
   count seats across rows the request does not lock, and this makes one user's concurrent
   holds and reserves (their tabs, their devices) queue behind each other, so each counts
   what the one before it committed. Every call that gives an account seats takes it first,
   and reads the buyer's state (buyer_policy.py) in a statement after it, whose snapshot is
   taken once the lock is held: what it counts can only shrink under it, never grow. Cancel
   takes it too on the fast path, which has no other account check.
3. A hold's client network (rules.py "Holds per address"): an advisory lock keyed by the
   event and the network, so the network's holds counted after it can only shrink until the
   transaction ends (a batch: its networks in order). Only holds take it; a load-test host's
   and staff's holds have no network and take none.
4. The other rows the call decides on: a reserve's ``Idempotency-Key`` (claimed by
   ``INSERT ... ON CONFLICT DO NOTHING``: a second claim of the same key waits for the first's
   transaction on the unique index, then finds it), a cancel's reservation row and its seats'
   booking rows.
5. The seat rows, ``FOR UPDATE`` ordered by id (or one seat by a conditional ``UPDATE``; or,
   where no rule decides between the lock and the write, by the write's own ordered subquery:
   ``sql.seats_written_in_order``), so two multi-seat calls lock their common seats in the same
   order.
6. Only then the clock and the availability check, so the check and the write see the same
   committed state. (The one-seat lock and unlock try a conditional UPDATE, guarded by the seat
   row's own rules, whose clock is read just before it, written to refuse more than the rule,
   never less: holds.hold_one_steps; the buyer's own rules were decided under rank 2.)
7. Last, a reserve that books the buyer's limit ends their turn of the event's waiting room:
   their place's row (``sql.queue_turn_end``). What else locks a place (claim, extend, the
   tick) takes no user or seat row after it.
8. A door's scan (tickets/door.py) takes its ticket's booking row (rank 4), then its check-in's
   nonce and its gate's count row (``Rank.GATE``), and no seat.

A statement that takes locks says which rank (``sql.Statement.lock``); one that writes rows its
transaction has locked already takes none. The runners (runner.py) hand every statement to a
``LockOrder``, which refuses a lock outside a transaction or below a rank already taken: a
step function that breaks the order fails its tests at once instead of deadlocking one day
under load. The ORM's few locks (the sweep, blocking) go through ``seat_rows_locked``.

A transaction has time limits (a lock waited for at most DB_LOCK_TIMEOUT, a statement run for
at most DB_STATEMENT_TIMEOUT): a crowd from many processes on one row is answered 503
``unavailable`` past them, and the transaction rolls back whole. Before its first lock it sets
them in the transaction (``transaction_settings``), with who changes seats, through what and
why for the ledger's trigger (reservations/ledger/context.py), in one statement at no round
trip of its own. Except on the loop's connections straight to PostgreSQL: each is one server
session for its life, and opens with the limits and a buyer's own call as its session's
settings (``session_options``), so a booking call there, always a buyer's own, sends none. A
transaction pooler in front (PgBouncer, ``DATABASE_POOLER``) runs each transaction on whichever
server connection is free, where a session's settings are not the client's: there every
transaction sends its own, as Django's connection always does (it is not the loop's path, and
its migrations and exports must not inherit a booking's statement timeout).

Each changed seat's ``version`` grows by one in the same transaction, and the change is
announced once it commits (``signals.py``). A write of what the seat map's static document
shows bumps the event's ``map_version`` last, in its transaction (``map_version.py``).
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction

from ..exceptions import NotFound
from ..ledger.context import ONLINE, context_is_online, context_settings
from ..models import Event, Reservation, Seat
from . import sql
from .sql import Rank


class LockOrderBroken(RuntimeError):
    """A lock taken outside a transaction, or out of order: a bug in a step function."""


class LockOrder:
    """The locks of one transaction's steps, as a runner sends them."""

    def __init__(self, in_transaction: Callable[[], bool]):
        self.in_transaction = in_transaction
        self.highest: Rank | None = None

    def take(self, rank: Rank | None, *, sql: str) -> bool:
        """Whether this is the transaction's first lock (its settings go first:
        `transaction_settings`)."""
        if rank is None:
            return False
        if not self.in_transaction():
            raise LockOrderBroken(f"A lock outside a transaction: {sql[:80]}")
        if self.highest is not None and rank < self.highest:
            raise LockOrderBroken(f"{rank.name} after {self.highest.name}: {sql[:80]}")
        first, self.highest = self.highest is None, rank
        return first


def _timeouts() -> dict[str, str]:
    return {
        "lock_timeout": f"{round(settings.DB_LOCK_TIMEOUT * 1000)}ms",
        "statement_timeout": f"{round(settings.DB_STATEMENT_TIMEOUT * 1000)}ms",
    }


def session_options() -> str:
    """libpq's `options` of a connection that is one server session for its life: the
    timeouts and a buyer's own call (the ledger's `seatmap.via`) as its session's settings."""
    said = {**_timeouts(), "seatmap.via": ONLINE.via}
    return " ".join(f"-c {name}={value}" for name, value in said.items())


def transaction_settings(*, session_said: bool = False) -> "sql.Statement | None":
    """The transaction's own lock and statement timeouts and its changes' context for the
    ledger (`SET LOCAL`, as one statement); none on a connection opened with
    `session_options` (`session_said`) while the changes are a buyer's own call."""
    if session_said and context_is_online():
        return None
    return sql.Statement(
        "SELECT set_config('lock_timeout', %(lock_timeout)s, true),"
        " set_config('statement_timeout', %(statement_timeout)s, true),"
        " set_config('seatmap.via', %(via)s, true),"
        " set_config('seatmap.actor', %(actor)s, true),"
        " set_config('seatmap.reason', %(reason)s, true)",
        {**_timeouts(), **context_settings()},
        postgres_only=True,
    )


def transaction_settings_sent() -> None:
    """Send `transaction_settings` on Django's connection (PostgreSQL: SQLite has neither
    timeouts nor settings, and reads the context as it writes)."""
    if connection.vendor == "postgresql":
        statement = transaction_settings()
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)


def not_in_event(*, event_exists: bool, wanted: list[int], found: set[int]) -> NotFound:
    """The 404 of a request that did not find every seat it asked for in the event."""
    if not event_exists:
        return NotFound("No such event.")
    missing = [seat_id for seat_id in wanted if seat_id not in found]
    return NotFound("Some seats are not part of this event.", seats=missing)


def _all_found_steps(*, event_id: int, wanted: list[int], rows: "sql.Rows") -> "sql.Steps[None]":
    """404 unless a row (its seat id first) was found for each wanted seat of the event."""
    if len(rows) != len(wanted):
        event_exists = bool((yield sql.event_exists(event_id=event_id)))
        raise not_in_event(event_exists=event_exists, wanted=wanted, found={r[0] for r in rows})


def seat_rows_steps(*, event_id: int, seat_ids: Iterable[int]) -> "sql.Steps[list[Seat]]":
    """Lock the event's seats with these ids in id order (rank SEATS); 404 if any is not in
    the event."""
    wanted = sorted(set(seat_ids))
    rows = yield sql.seats_for_update(event_id=event_id, seat_ids=wanted)
    yield from _all_found_steps(event_id=event_id, wanted=wanted, rows=rows)
    return [sql.seat_from_row(row, event_id) for row in rows]


def seat_rows_written_steps(
    write: "sql.SeatWrite",
    *,
    event_id: int,
    seat_ids: Iterable[int],
    with_writes: "tuple[sql.Statement, ...]" = (),
    **values,
) -> "sql.Steps[list[Seat]]":
    """`write` on the event's seats with these ids, locked in id order by the same statement
    (rank SEATS), as written, sent together with the transaction's other `with_writes`; 404 if
    any is not in the event (the writes rolled back with the transaction)."""
    wanted = sorted(set(seat_ids))
    seats = sql.seats_written_in_order(write, seat_ids=wanted, **values)
    rows = [row[:-1] for row in (yield sql.Together((*with_writes, seats))) if row[-1] == event_id]
    yield from _all_found_steps(event_id=event_id, wanted=wanted, rows=rows)
    return sorted((sql.seat_from_row(row, event_id) for row in rows), key=lambda seat: seat.id)


def reservation_row_locked(reservation_id: int) -> Reservation:
    """A reservation's row, locked through the ORM (rank BOOKING: staff's changes of a booking,
    services/booking_changes.py); 404 if there is none."""
    if not transaction.get_connection().in_atomic_block:
        raise LockOrderBroken("A reservation row locked outside a transaction.")
    transaction_settings_sent()
    reservation = Reservation.objects.select_for_update(of=("self",)).filter(pk=reservation_id)
    found = reservation.first()
    if found is None:
        raise NotFound("No such reservation.")
    return found


def seat_rows_locked(*, event_id: int, seat_ids: Iterable[int]) -> list[Seat]:
    """The event's seats with these ids, locked in id order through the ORM (the sweep's and
    blocking's writes); 404 if any is not in the event."""
    if not transaction.get_connection().in_atomic_block:
        raise LockOrderBroken("Seat rows locked outside a transaction.")
    transaction_settings_sent()
    wanted = sorted(set(seat_ids))
    seats = list(
        Seat.objects.select_for_update().filter(event_id=event_id, id__in=wanted).order_by("id")
    )
    if len(seats) != len(wanted):
        raise not_in_event(
            event_exists=Event.objects.filter(pk=event_id).exists(),
            wanted=wanted,
            found={seat.id for seat in seats},
        )
    return seats

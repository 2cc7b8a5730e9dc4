"""Every statement the booking steps send, the one list of seat columns, and the three writes.

A seat changes state in three ways only: held, booked, freed. Each is one ``SeatWrite``, and
both of its forms come from it: ``update_sql`` for the SQL of the steps (hold, release, reserve,
cancel), ``apply`` for the Seat in memory that the steps return, or that the ORM then saves
(expire, block). Neither form is written by hand.

Parameters are named (``%(user_id)s``), so a value used twice is passed once. A statement that
takes row locks says so in ``lock_rows`` rather than in its text: the runner adds
``FOR UPDATE`` where the database has it (PostgreSQL) and leaves it out where write
transactions are serial anyway (SQLite, the embedded default).
"""

from collections import namedtuple
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.contrib.auth import get_user_model

from ..models import (
    Event,
    IdempotencyKey,
    PriceCategory,
    Reservation,
    ReservedSeat,
    Seat,
    VenueLayout,
)
from ..rules import FREE_SQL, live_hold_sql

Status = Seat.Status
SEAT_TABLE = Seat._meta.db_table

# The seat columns every seat read returns, in this order: the hold steps build Seats from them,
# selectors read the seat map with them, presenters unpack them.
SEAT_FIELDS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "price",
    "status",
    "version",
    "locked_until",
    "locked_by_id",
    "reserved_by_id",
    "category_id",
    "accessible",
    "companion",
    "restricted_view",
    "blocked",
)
SEAT_COLUMNS = ", ".join(SEAT_FIELDS)
# A seat as read in those columns, for what only reads it back: a Seat model instance costs
# ~20 us to make, a quarter of what best available spends per seat it holds.
SeatRow = namedtuple("SeatRow", SEAT_FIELDS)


class Statement(NamedTuple):
    sql: str
    params: dict[str, Any]
    lock_rows: bool = False  # add FOR UPDATE where the database has row locks
    skip_locked: bool = False  # ... and SKIP LOCKED: leave out rows another transaction holds
    lock_of: str = ""  # ... of this table alias only (FOR UPDATE OF), when not every table's
    # A lock PostgreSQL takes between processes; elsewhere (SQLite, whose write transactions
    # are serial) the statement is not sent and has no rows.
    postgres_only: bool = False


# Where the row lock goes in a statement that takes it in a subquery, not at its end.
ROW_LOCK = "/* row lock */"


class Table(NamedTuple):
    """Rows passed as one parameter, which the statement reads as a table: `%(name)s` where a
    subquery may stand (``IN (%(name)s)``, ``WITH t (a, b) AS (%(name)s)``). On PostgreSQL
    they go as one array per column, so the statement's text is the same however many rows
    it has: psycopg converts a text with hundreds of placeholders in milliseconds, and does not
    cache or prepare it. Elsewhere (SQLite) they go as a VALUES list. The runner renders it."""

    columns: tuple[str, ...]  # each column's PostgreSQL type, in order
    rows: Sequence[tuple]


Rows = list[tuple]
T = TypeVar("T")
# A step function (holds.py, bookings.py): yields statements, is sent each one's rows, returns a T.
Steps = Generator[Statement, Rows, T]

# What a SeatWrite changes, as the ORM's update_fields names it.
WRITTEN_FIELDS = ["status", "locked_by", "locked_until", "held_since", "reserved_by", "version"]


class Param(NamedTuple):
    """A value a SeatWrite takes from its caller, by name."""

    name: str

    @property
    def placeholder(self) -> str:
        return f"%({self.name})s"


@dataclass(frozen=True)
class SeatWrite:
    """One change of a seat's state. Each column is a constant (None: NULL) or a `Param`."""

    status: str
    locked_by_id: Param | None
    locked_until: Param | None
    held_since: Param | None
    reserved_by_id: Param | None

    def _columns(self) -> dict[str, Param | None]:
        return {
            "locked_by_id": self.locked_by_id,
            "locked_until": self.locked_until,
            "held_since": self.held_since,
            "reserved_by_id": self.reserved_by_id,
        }

    def update_sql(self, **from_sql: str) -> str:
        """The UPDATE ... SET of this write; `from_sql` gives a parameter's column its value
        from an SQL expression instead (a column of a table the statement joins)."""
        assignments = [f"status = '{self.status}'"]
        for column, value in self._columns().items():
            if column in from_sql:
                assignments.append(f"{column} = {from_sql[column]}")
            else:
                assignments.append(f"{column} = {'NULL' if value is None else value.placeholder}")
        assignments.append("version = version + 1")
        return f"UPDATE {SEAT_TABLE} SET {', '.join(assignments)}"

    def apply(self, seat: Seat, **values: Any) -> None:
        """The same write on a Seat in memory (the caller saves WRITTEN_FIELDS)."""
        seat.status = self.status
        for column, value in self._columns().items():
            setattr(seat, column, None if value is None else values[value.name])
        seat.version += 1


HOLD = SeatWrite(
    Status.LOCKED.value,
    locked_by_id=Param("user_id"),
    locked_until=Param("until"),
    held_since=Param("now"),
    reserved_by_id=None,
)
BOOK = SeatWrite(
    Status.RESERVED.value,
    locked_by_id=None,
    locked_until=None,
    held_since=None,
    reserved_by_id=Param("user_id"),
)
# Off sale (an organiser's block): reserved with nobody's reservation; `blocked` says why not.
BLOCK = SeatWrite(
    Status.RESERVED.value,
    locked_by_id=None,
    locked_until=None,
    held_since=None,
    reserved_by_id=None,
)
FREE = SeatWrite(
    Status.AVAILABLE.value,
    locked_by_id=None,
    locked_until=None,
    held_since=None,
    reserved_by_id=None,
)


def _id_list(seat_ids: Sequence[int]) -> tuple[str, dict[str, int]]:
    names = [f"seat_{index}" for index in range(len(seat_ids))]
    return ", ".join(f"%({n})s" for n in names), dict(zip(names, seat_ids, strict=True))


def user_for_update(*, user_id: int) -> Statement:
    table = get_user_model()._meta.db_table
    return Statement(
        f"SELECT is_active FROM {table} WHERE id = %(user_id)s", {"user_id": user_id}, True
    )


def user_for_update_with_seat(*, user_id: int, event_id: int, seat_id: int) -> Statement:
    """The caller's row, locked, and beside it one seat of the event as committed, not locked
    (no seat columns: no such seat), in one round trip."""
    table = get_user_model()._meta.db_table
    seat_columns = ", ".join(f"s.{name}" for name in SEAT_FIELDS)
    return Statement(
        f"SELECT u.is_active, {seat_columns} FROM {table} u LEFT JOIN {SEAT_TABLE} s "
        f"ON s.id = %(seat_id)s AND s.event_id = %(event_id)s WHERE u.id = %(user_id)s",
        {"user_id": user_id, "event_id": event_id, "seat_id": seat_id},
        lock_rows=True,
        lock_of="u",
    )


def seats_for_update(*, event_id: int, seat_ids: Sequence[int]) -> Statement:
    ids, params = _id_list(seat_ids)
    return Statement(
        f"SELECT {SEAT_COLUMNS} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND id IN ({ids}) ORDER BY id",
        {"event_id": event_id, **params},
        True,
    )


# --- Best available (best.py) -------------------------------------------------------------------

_CATEGORY_TABLE = PriceCategory._meta.db_table
_LAYOUT_TABLE = VenueLayout._meta.db_table


def best_batch_turn(*, event_id: int, patience_ms: int) -> Statement:
    """Wait for the event's best-available batch of any other process to commit, then keep
    the others waiting until this transaction ends (a transaction-level advisory lock); but
    wait `patience_ms` at most (migration 0007). One row: whether it is this batch's turn."""
    return Statement(
        "SELECT best_batch_turn(hashtextextended(%(name)s, 0), %(patience_ms)s)",
        {"name": f"best available: event {event_id}", "patience_ms": patience_ms},
        postgres_only=True,
    )


def event_for_best(*, event_id: int, categories: Sequence[int]) -> Statement:
    """(orphan mode, category id, category name): the event's orphan mode, with each of
    `categories` that is a price category of the event (one row with NULLs for none); no row
    for an unknown event."""
    return Statement(
        f"SELECT e.orphan_mode, c.id, c.name FROM {Event._meta.db_table} e "
        f"LEFT JOIN {_CATEGORY_TABLE} c ON c.event_id = e.id AND c.id IN (%(categories)s) "
        f"WHERE e.id = %(event_id)s",
        {"event_id": event_id, "categories": Table(("bigint",), [(c,) for c in categories])},
    )


def users_for_update(*, user_ids: Sequence[int]) -> Statement:
    """(id, is_active) of these users, their rows locked in id order (locking rule 2 for a
    batch of callers: one order, so two batches never wait on each other in a circle)."""
    table = get_user_model()._meta.db_table
    return Statement(
        f"SELECT id, is_active FROM {table} WHERE id IN (%(user_ids)s) ORDER BY id",
        {"user_ids": Table(("bigint",), [(user_id,) for user_id in user_ids])},
        True,
    )


def seat_places(*, event_id: int) -> Statement:
    """Every seat of the event as the seating rules read it (PLACE_FIELDS), in id order."""
    return Statement(
        f"SELECT {', '.join(PLACE_FIELDS)} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"ORDER BY id",
        {"event_id": event_id},
    )


def layout_shapes(*, event_id: int) -> Statement:
    """The drawing of the event's venue layout (no row for an event without one)."""
    return Statement(
        f"SELECT l.shapes FROM {_LAYOUT_TABLE} l JOIN {Event._meta.db_table} e "
        f"ON e.layout_id = l.id WHERE e.id = %(event_id)s",
        {"event_id": event_id},
    )


def taken_seats(*, event_id: int, now: datetime) -> Statement:
    """(id, holder) of each of the event's seats that is not free at `now` (rules.FREE_SQL),
    `holder` the user of a live hold (NULL for a booked or blocked seat): the room as best
    available sees it, and every caller's holds for the hold limit, in one read. The first
    condition says nothing the second does not, but lets the partial index `seat_taken` serve
    the read: an on-sale reads only the seats gone so far, not the whole room."""
    return Statement(
        f"SELECT id, CASE WHEN status = '{Status.LOCKED.value}' THEN locked_by_id END "
        f"FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND status <> '{Status.AVAILABLE.value}' AND NOT {FREE_SQL}",
        {"event_id": event_id, "now": now},
    )


def hold_blocks(
    *,
    event_id: int,
    blocks: Sequence[tuple[int, Sequence[int]]],
    until: datetime,
    now: datetime,
) -> Statement:
    """Hold each (user id, seat ids) block for its user, each all or none, in one statement:
    the seats free at `now` (rules.FREE_SQL) that no other transaction has locked are locked in
    id order, skipping the others, and a block is written only if that is all of its seats.
    The rows of a block found gone that it did lock stay locked until the transaction ends
    (other buyers skip them meanwhile). Its clock is read before the rows are locked, so it can
    only refuse more than the rule, never hold a seat that is not free. Rows: the seats held
    (SEAT_COLUMNS)."""
    wanted = Table(
        ("bigint", "integer", "bigint"),
        [
            (seat_id, block, user_id)
            for block, (user_id, seat_ids) in enumerate(blocks)
            for seat_id in seat_ids
        ],
    )
    seat_ids = Table(("bigint",), [(seat_id,) for seat_id, _, _ in wanted.rows])
    return Statement(
        f"WITH wanted (seat_id, block, holder) AS (%(wanted)s), "
        f"free AS MATERIALIZED (SELECT id FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND id IN (%(seat_ids)s) AND {FREE_SQL} ORDER BY id{ROW_LOCK}), "
        f"whole AS (SELECT w.block FROM wanted w LEFT JOIN free f ON f.id = w.seat_id "
        f"GROUP BY w.block HAVING count(f.id) = count(*)) "
        f"{HOLD.update_sql(locked_by_id='wanted.holder')} FROM wanted "
        f"WHERE id IN (%(seat_ids)s) AND id = wanted.seat_id "
        f"AND wanted.block IN (SELECT block FROM whole) "
        f"RETURNING {', '.join(f'{SEAT_TABLE}.{name}' for name in SEAT_FIELDS)}",
        {"event_id": event_id, "until": until, "now": now, "wanted": wanted, "seat_ids": seat_ids},
        lock_rows=True,
        skip_locked=True,
    )


def orphan_mode(*, event_id: int) -> Statement:
    return Statement(
        f"SELECT orphan_mode FROM {Event._meta.db_table} WHERE id = %(event_id)s",
        {"event_id": event_id},
    )


# The columns a seating rule reads (reservations/seating: SeatInfo), then the state.
PLACE_FIELDS = (
    "id",
    "section",
    "row",
    "number",
    "x",
    "y",
    "category_id",
    "accessible",
    "companion",
    "aisle",
    "status",
    "locked_until",
)


def seats_in_rows(*, event_id: int, rows: Sequence[tuple[str, str]]) -> Statement:
    """Every seat of these (section, row) pairs, without locking them: the orphan rule's view."""
    names = [f"row_{index}" for index in range(len(rows))]
    pairs = ", ".join(f"(%({n}_s)s, %({n}_r)s)" for n in names)
    params: dict[str, Any] = {"event_id": event_id}
    for name, (section, row) in zip(names, rows, strict=True):
        params[f"{name}_s"], params[f"{name}_r"] = section, row
    return Statement(
        f"SELECT {', '.join(PLACE_FIELDS)} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f'AND (section, "row") IN ({pairs}) ORDER BY id',
        params,
    )


def labels(*, event_id: int, seat_ids: Sequence[int]) -> Statement:
    ids, params = _id_list(seat_ids)
    return Statement(
        f"SELECT id, label FROM {SEAT_TABLE} WHERE event_id = %(event_id)s AND id IN ({ids})",
        {"event_id": event_id, **params},
    )


def event_exists(*, event_id: int) -> Statement:
    return Statement(
        f"SELECT 1 FROM {Event._meta.db_table} WHERE id = %(event_id)s", {"event_id": event_id}
    )


def held_deadlines(*, event_id: int, user_id: int) -> Statement:
    return Statement(
        f"SELECT locked_until FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND locked_by_id = %(user_id)s AND status = '{Status.LOCKED.value}'",
        {"event_id": event_id, "user_id": user_id},
    )


def hold(*, seat_ids: Sequence[int], user_id: int, until: datetime, now: datetime) -> Statement:
    ids, params = _id_list(seat_ids)
    return Statement(
        f"{HOLD.update_sql()} WHERE id IN ({ids})",
        {"user_id": user_id, "until": until, "now": now, **params},
    )


def held_since(*, seat_id: int) -> Statement:
    return Statement(
        f"SELECT held_since FROM {SEAT_TABLE} WHERE id = %(seat_id)s", {"seat_id": seat_id}
    )


def extend(*, seat_id: int, until: datetime) -> Statement:
    """More time on a live hold: the deadline only, the holder and `held_since` stay."""
    return Statement(
        f"UPDATE {SEAT_TABLE} SET locked_until = %(until)s, version = version + 1 "
        f"WHERE id = %(seat_id)s",
        {"seat_id": seat_id, "until": until},
    )


def free(*, seat_ids: Sequence[int]) -> Statement:
    ids, params = _id_list(seat_ids)
    return Statement(f"{FREE.update_sql()} WHERE id IN ({ids})", params)


# The common click of an on-sale, a free seat under the hold limit, as one statement after the
# user row lock: the UPDATE takes the seat row itself, and its condition is the rule in SQL
# (rules.FREE_SQL; fewer live holds than the limit). Its clock is read before the seat row is
# locked, so it can only refuse more than the rule: a click it refuses is decided again the
# long way, under the locks (holds.hold_one_steps). Events with an orphan rule always go the
# long way: the rule needs the row's other seats.
_HOLD_IF_FREE = (
    f"{HOLD.update_sql()} WHERE event_id = %(event_id)s AND id = %(seat_id)s AND {FREE_SQL} "
    f"AND (SELECT orphan_mode FROM {Event._meta.db_table} WHERE id = %(event_id)s) = 'off' "
    f"AND (SELECT count(*) FROM {SEAT_TABLE} h WHERE h.event_id = %(event_id)s "
    f"AND h.locked_by_id = %(user_id)s AND {live_hold_sql('h')}) < %(limit)s "
    f"RETURNING {SEAT_COLUMNS}"
)


def hold_if_free(
    *, event_id: int, seat_id: int, user_id: int, until: datetime, now: datetime, limit: int
) -> Statement:
    params = {
        "user_id": user_id,
        "until": until,
        "event_id": event_id,
        "seat_id": seat_id,
        "now": now,
        "limit": limit,
    }
    return Statement(_HOLD_IF_FREE, params)


# The same for releasing a live hold of the caller's. Here a clock read early would accept more
# than the rule (a hold ending between the read and the row lock), so the statement only takes
# holds that are still held a margin later (`still_held_at`); the rest go the long way.
_FREE_IF_HELD = (
    f"{FREE.update_sql()} WHERE event_id = %(event_id)s AND id = %(seat_id)s "
    f"AND status = '{Status.LOCKED.value}' AND locked_by_id = %(user_id)s "
    f"AND locked_until > %(still_held_at)s RETURNING {SEAT_COLUMNS}"
)


def free_if_held(
    *, event_id: int, seat_id: int, user_id: int, still_held_at: datetime
) -> Statement:
    params = {
        "event_id": event_id,
        "seat_id": seat_id,
        "user_id": user_id,
        "still_held_at": still_held_at,
    }
    return Statement(_FREE_IF_HELD, params)


# --- Reserve and cancel (bookings.py) ----------------------------------------------------------

RESERVATION_TABLE = Reservation._meta.db_table
RESERVED_SEAT_TABLE = ReservedSeat._meta.db_table
KEY_TABLE = IdempotencyKey._meta.db_table


def key_claim(*, user_id: int, key: str, fingerprint: str, now: datetime) -> Statement:
    """Claim an Idempotency-Key: the new row's id, or no row when the key is already taken. A
    claim made by a transaction still running is waited for on the unique index."""
    return Statement(
        f'INSERT INTO {KEY_TABLE} (user_id, "key", request_fingerprint, created_at) '
        f"VALUES (%(user_id)s, %(key)s, %(fingerprint)s, %(now)s) "
        f'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id',
        {"user_id": user_id, "key": key, "fingerprint": fingerprint, "now": now},
    )


def key_get(*, user_id: int, key: str) -> Statement:
    return Statement(
        f"SELECT request_fingerprint, reservation_id FROM {KEY_TABLE} "
        f'WHERE user_id = %(user_id)s AND "key" = %(key)s',
        {"user_id": user_id, "key": key},
    )


def key_fill(*, key_id: int, reservation_id: int) -> Statement:
    return Statement(
        f"UPDATE {KEY_TABLE} SET reservation_id = %(reservation_id)s WHERE id = %(key_id)s",
        {"key_id": key_id, "reservation_id": reservation_id},
    )


# The event's name and start as a booking's answer shows them, beside a reservation's own
# columns (the `event_id` of a row of the reservation table), in the same round trip.
_EVENT_BRIEF = (
    f"(SELECT e.name FROM {Event._meta.db_table} e WHERE e.id = event_id), "
    f"(SELECT e.starts_at FROM {Event._meta.db_table} e WHERE e.id = event_id)"
)


def reservation_insert(*, user_id: int, event_id: int, total: Decimal, now: datetime) -> Statement:
    """A confirmed reservation: its id, and its event's name and start."""
    return Statement(
        f"INSERT INTO {RESERVATION_TABLE} (user_id, event_id, total_price, status, created_at) "
        f"VALUES (%(user_id)s, %(event_id)s, %(total)s, "
        f"'{Reservation.Status.CONFIRMED.value}', %(now)s) RETURNING id, {_EVENT_BRIEF}",
        {"user_id": user_id, "event_id": event_id, "total": total, "now": now},
    )


def reserved_seats_insert(
    *, reservation_id: int, prices: Sequence[tuple[int, Decimal]]
) -> Statement:
    """One row per (seat id, price sold at), active."""
    values, params = [], {"reservation_id": reservation_id, "active": True}
    for index, (seat_id, price) in enumerate(prices):
        values.append(f"(%(reservation_id)s, %(seat_{index})s, %(price_{index})s, %(active)s)")
        params[f"seat_{index}"] = seat_id
        params[f"price_{index}"] = price
    return Statement(
        f"INSERT INTO {RESERVED_SEAT_TABLE} (reservation_id, seat_id, price, is_active) "
        f"VALUES {', '.join(values)}",
        params,
    )


def book(*, seat_ids: Sequence[int], user_id: int) -> Statement:
    ids, params = _id_list(seat_ids)
    return Statement(f"{BOOK.update_sql()} WHERE id IN ({ids})", {"user_id": user_id, **params})


def reservation_for_update(*, reservation_id: int, user_id: int) -> Statement:
    """The caller's reservation row, locked (someone else's is no row), with its event's name
    and start (read, not locked)."""
    return Statement(
        f"SELECT event_id, status, total_price, created_at, {_EVENT_BRIEF} "
        f"FROM {RESERVATION_TABLE} WHERE id = %(reservation_id)s AND user_id = %(user_id)s",
        {"reservation_id": reservation_id, "user_id": user_id},
        True,
    )


def reserved_seats_release(*, reservation_id: int) -> Statement:
    """Take a reservation's seats out of it; (seat id, price sold at) of each."""
    return Statement(
        f"UPDATE {RESERVED_SEAT_TABLE} SET is_active = %(inactive)s "
        f"WHERE reservation_id = %(reservation_id)s AND is_active = %(active)s "
        f"RETURNING seat_id, price",
        {"reservation_id": reservation_id, "active": True, "inactive": False},
    )


def reservation_cancelled(*, reservation_id: int, now: datetime) -> Statement:
    return Statement(
        f"UPDATE {RESERVATION_TABLE} SET status = '{Reservation.Status.CANCELLED.value}', "
        f"cancelled_at = %(now)s WHERE id = %(reservation_id)s",
        {"reservation_id": reservation_id, "now": now},
    )


def reservation_read(*, reservation_id: int) -> Statement:
    """A reservation with its event, as its answer shows it (a replayed reserve)."""
    return Statement(
        f"SELECT r.status, r.total_price, r.created_at, r.cancelled_at, r.event_id, e.name, "
        f"e.starts_at FROM {RESERVATION_TABLE} r JOIN {Event._meta.db_table} e "
        f"ON e.id = r.event_id WHERE r.id = %(reservation_id)s",
        {"reservation_id": reservation_id},
    )


def reserved_seats_read(*, reservation_id: int) -> Statement:
    """(seat id, label, section, price sold at) of each seat of a reservation, by seat id."""
    return Statement(
        f"SELECT rs.seat_id, s.label, s.section, rs.price FROM {RESERVED_SEAT_TABLE} rs "
        f"JOIN {SEAT_TABLE} s ON s.id = rs.seat_id "
        f"WHERE rs.reservation_id = %(reservation_id)s ORDER BY rs.seat_id",
        {"reservation_id": reservation_id},
    )

"""The statements of hold, release and extend (holds.py), and of the caller's and the seats'
row locks every booking call takes."""

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from ...accounts.email_verification import must_verify_sql
from ...models import Event
from ...rules import FREE_SQL, live_hold_sql, not_passed_sql, passed_sql
from ..buyer_policy import HoldTimes
from .contract import ROW_LOCK, Rank, Statement, Table, id_table
from .seats import (
    FREE,
    HOLD,
    SEAT_COLUMNS,
    SEAT_FIELDS,
    SEAT_INFO_FIELDS,
    SEAT_TABLE,
    SeatWrite,
    Status,
)


def user_for_update(*, user_id: int) -> Statement:
    table = get_user_model()._meta.db_table
    return Statement(
        f"SELECT is_active FROM {table} WHERE id = %(user_id)s",
        {"user_id": user_id},
        True,
        lock=Rank.CALLER,
    )


def caller_lock(*, user_id: int, event_id: int, address: str | None) -> Statement:
    """The caller's row locked, and, where the event limits holds per network (rules.py) and
    the call comes from one, that network's lock (address_locks) after it: a CTE with a row
    lock is run whole first, where a function beside FOR UPDATE would take its lock before the
    row's. What is read under them comes in a statement of its own (buyer_state), whose
    snapshot is taken after the locks: this one's predates any wait for them."""
    table = get_user_model()._meta.db_table
    params = {"user_id": user_id, "event_id": event_id}
    if address is None:
        caller = f"SELECT 1 FROM {table} u WHERE u.id = %(user_id)s"
        return Statement(caller, params, lock_rows=True, lock=Rank.CALLER)
    caller = (
        f"SELECT (SELECT n.holds_limited_per_network FROM {Event._meta.db_table} n "
        f"WHERE n.id = %(event_id)s) AS limited FROM {table} u WHERE u.id = %(user_id)s"
    )
    return Statement(
        f"WITH caller AS MATERIALIZED ({caller}{ROW_LOCK}) SELECT CASE WHEN caller.limited "
        f"THEN pg_advisory_xact_lock(hashtextextended(%(lock_name)s, 0)) END FROM caller",
        params | {"lock_name": address_lock_name(event_id, address)},
        lock_rows=True,
        lock_of="u",
        lock=Rank.CALLER,
        sqlite_sql=caller,  # no locks: SQLite's write transactions are serial
    )


# What one buyer has of an event (buyer_policy.BuyerState), each an index lookup: their live
# holds and their run's (`seat_holds`), the holds they let go (`seat_released`), their booked
# seats (`seat_booked`), the live holds from their network (`seat_holds_from`).
_HOLDS = (
    f"SELECT count(CASE WHEN held_until > %(now)s THEN 1 END) AS held, "
    f"MIN(CASE WHEN held_until > %(cooled)s THEN held_since END) AS running_since, "
    f"MAX(held_until) AS last_held FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
    f"AND status = '{Status.LOCKED.value}' AND held_by_id = %(user_id)s"
)
_RELEASED = (
    f"SELECT MIN(CASE WHEN released_at > %(cooled)s THEN released_held_since END) AS since, "
    f"MAX(released_at) AS last FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
    f"AND released_by_id = %(user_id)s"
)
_BOOKED = (
    f"SELECT count(*) AS booked FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
    f"AND reserved_by_id = %(user_id)s"
)
_FROM_NETWORK = (
    f"SELECT count(*) AS held FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
    f"AND held_from = %(address)s AND {live_hold_sql(SEAT_TABLE)}"
)


def buyer_state(
    *,
    user_id: int,
    event_id: int,
    address: str | None,
    now: datetime,
    cooled: datetime,
    seat_id: int | None = None,
) -> Statement:
    """One row, none for no such user: the account (active, whether the event asks for a
    verified e-mail it has not, its e-mail), the event's rules (whether it limits holds per
    network, its purchase limit, its orphan mode: NULLs for no such event), what the user has
    of it (live holds, their run's earliest start and last end, booked seats: the
    BuyerState's columns), the live holds from `address`, the event's pay window (NULL: it
    sells at once) and start, and the seat `seat_id` as committed
    (SEAT_FIELDS; NULLs for none). Run after caller_lock, as a statement of its own."""
    table = get_user_model()._meta.db_table
    seat_columns = ", ".join(f"s.{name}" for name in SEAT_FIELDS)
    return Statement(
        f"SELECT u.is_active, {must_verify_sql('u')}, u.email, e.holds_limited_per_network, "
        f"COALESCE(e.purchase_limit, %(purchase_default)s), e.orphan_mode, h.held, "
        f"h.running_since, h.last_held, r.since, r.last, b.booked, n.held, "
        f"CASE WHEN e.paid_with <> '' "
        f"THEN COALESCE(e.pay_window_seconds, %(pay_window_default)s) END, e.starts_at, "
        f"{seat_columns} "
        f"FROM {table} u LEFT JOIN {Event._meta.db_table} e ON e.id = %(event_id)s "
        f"CROSS JOIN ({_HOLDS}) h CROSS JOIN ({_RELEASED}) r CROSS JOIN ({_BOOKED}) b "
        f"CROSS JOIN ({_FROM_NETWORK}) n "
        f"LEFT JOIN {SEAT_TABLE} s ON s.id = %(seat_id)s AND s.event_id = %(event_id)s "
        f"WHERE u.id = %(user_id)s",
        {
            "user_id": user_id,
            "event_id": event_id,
            "address": address,
            "now": now,
            "cooled": cooled,
            "seat_id": seat_id,
            "purchase_default": settings.SEAT_PURCHASE_LIMIT,
            "pay_window_default": settings.PAY_WINDOW_SECONDS,
        },
    )


def buyer_runs(*, event_id: int, user_ids: Sequence[int], cooled: datetime) -> Statement:
    """(user id, their run's earliest start, its last end) of each of these users with holds
    of the event running or let go (buyer_state's run columns, for a batch of callers)."""
    users = Table(("bigint",), [(user_id,) for user_id in user_ids])
    return Statement(
        f"SELECT holder, MIN(since), MAX(last) FROM ("
        f"SELECT held_by_id AS holder, MIN(CASE WHEN held_until > %(cooled)s THEN held_since "
        f"END) AS since, MAX(held_until) AS last FROM {SEAT_TABLE} "
        f"WHERE event_id = %(event_id)s AND status = '{Status.LOCKED.value}' "
        f"AND held_by_id IN (%(users)s) GROUP BY held_by_id UNION ALL "
        f"SELECT released_by_id, MIN(CASE WHEN released_at > %(cooled)s "
        f"THEN released_held_since END), MAX(released_at) FROM {SEAT_TABLE} "
        f"WHERE event_id = %(event_id)s AND released_by_id IN (%(released)s) "
        f"GROUP BY released_by_id) runs GROUP BY holder",
        {"event_id": event_id, "users": users, "released": users, "cooled": cooled},
    )


def address_lock_name(event_id: int, address: str) -> str:
    return f"holds from {address}: event {event_id}"


def address_locks(*, event_id: int, addresses: Sequence[str]) -> Statement:
    """The lock of each client network's holds of the event (locking rank ADDRESS), in the
    order given: sorted, so that two batches never wait on each other in a circle."""
    names = Table(("text",), [(address_lock_name(event_id, a),) for a in addresses])
    return Statement(
        "SELECT pg_advisory_xact_lock(hashtextextended(n.name, 0)) FROM (%(names)s) n (name)",
        {"names": names},
        postgres_only=True,
        lock=Rank.ADDRESS,
    )


def seats_for_update(*, event_id: int, seat_ids: Sequence[int]) -> Statement:
    return Statement(
        f"SELECT {SEAT_COLUMNS} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND id IN (%(seat_ids)s) ORDER BY id",
        {"event_id": event_id, "seat_ids": id_table(seat_ids)},
        True,
        lock=Rank.SEATS,
    )


def seats_written_in_order(
    write: SeatWrite, *, seat_ids: Sequence[int], **values: Any
) -> Statement:
    """`write` on the seats with these ids, each locked in id order by the same statement (rank
    SEATS), returned as written, each with its event's id last: for a write no rule decides on
    between the lock and the write (the seats of an order its steps have locked). Their event is
    checked on the rows returned, not beside the ids: with `event_id = $1` there, PostgreSQL's
    generic plan of the prepared statement read every seat of the event through its event_id
    index (1.2 ms for 10,000 seats in the bench, no statistics yet) where the ids alone are two
    lookups of the primary key."""
    return Statement(
        f"{write.update_sql()} WHERE id IN (SELECT id FROM {SEAT_TABLE} "
        f"WHERE id IN (%(seat_ids)s) ORDER BY id{ROW_LOCK}) RETURNING {SEAT_COLUMNS}, event_id",
        {**values, "seat_ids": id_table(seat_ids)},
        True,
        lock=Rank.SEATS,
    )


def seats_in_rows(*, event_id: int, rows: Sequence[tuple[str, str]]) -> Statement:
    """Every seat of these (section, row) pairs, without locking them: the orphan rule's view."""
    names = [f"row_{index}" for index in range(len(rows))]
    pairs = ", ".join(f"(%({n}_s)s, %({n}_r)s)" for n in names)
    params: dict[str, Any] = {"event_id": event_id}
    for name, (section, row) in zip(names, rows, strict=True):
        params[f"{name}_s"], params[f"{name}_r"] = section, row
    return Statement(
        f"SELECT {', '.join(SEAT_INFO_FIELDS)} FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f'AND (section, "row") IN ({pairs}) ORDER BY id',
        params,
    )


def labels(*, event_id: int, seat_ids: Sequence[int]) -> Statement:
    return Statement(
        f"SELECT id, label FROM {SEAT_TABLE} WHERE event_id = %(event_id)s "
        f"AND id IN (%(seat_ids)s)",
        {"event_id": event_id, "seat_ids": id_table(seat_ids)},
    )


def event_exists(*, event_id: int) -> Statement:
    return Statement(
        f"SELECT 1 FROM {Event._meta.db_table} WHERE id = %(event_id)s", {"event_id": event_id}
    )


def held_since(*, seat_id: int) -> Statement:
    return Statement(
        f"SELECT held_since FROM {SEAT_TABLE} WHERE id = %(seat_id)s", {"seat_id": seat_id}
    )


def extend(*, seat_id: int, until: datetime) -> Statement:
    """More time on a live hold: the deadline only, the holder and `held_since` stay."""
    return Statement(
        f"UPDATE {SEAT_TABLE} SET held_until = %(until)s, version = version + 1 "
        f"WHERE id = %(seat_id)s",
        {"seat_id": seat_id, "until": until},
    )


def written(write: SeatWrite, *, seat_ids: Sequence[int], **values: Any) -> Statement:
    """`write` on the seats with these ids, their rows locked already."""
    return Statement(
        f"{write.update_sql()} WHERE id IN (%(seat_ids)s)",
        {**values, "seat_ids": id_table(seat_ids)},
    )


# A hold: the seat row's own rules only, free (rules.FREE_SQL) and, from a network, not passed
# between accounts of it (rules.not_passed_sql); the buyer's were decided already
# (buyer_policy.py), and their times come as parameters. Each seat not written went meanwhile,
# or was passed.
_HOLD = f"{HOLD.update_sql()} WHERE event_id = %(event_id)s AND id IN (%(seat_ids)s) AND {FREE_SQL}"
_RETURNING = " RETURNING id, version"


def hold(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    user_id: int,
    times: HoldTimes,
    now: datetime,
    cooled: datetime,
    address: str | None,
) -> Statement:
    """Hold these seats for the caller where each is free and not passed (a row lock on each,
    rank SEATS); rows: (id, version) of each seat held."""
    passed = "" if address is None else f" AND {not_passed_sql('%(user_id)s')}"
    return Statement(
        f"{_HOLD}{passed}{_RETURNING}",
        {
            "event_id": event_id,
            "seat_ids": id_table(seat_ids),
            "user_id": user_id,
            "since": times.since,
            "until": times.until,
            "now": now,
            "cooled": cooled,
            "address": address,
        },
        lock=Rank.SEATS,
    )


def passed_seats(
    *, seat_ids: Sequence[int], user_id: int, cooled: datetime, address: str | None
) -> Statement:
    """(id, label, the end of a hold of it another account of the caller's network let go
    lately: remembered, lapsed) of each of these seats that would pass between accounts of one
    network (rules.py): the words of a hold the write refused."""
    released, lapsed = passed_sql("%(user_id)s")
    return Statement(
        f"SELECT id, label, CASE WHEN {released} THEN released_at END, "
        f"CASE WHEN {lapsed} THEN held_until END FROM {SEAT_TABLE} "
        f"WHERE id IN (%(seat_ids)s) AND ({released} OR {lapsed}) ORDER BY id",
        {"seat_ids": id_table(seat_ids), "user_id": user_id, "cooled": cooled, "address": address},
    )


# The same for releasing a live hold of the caller's. Here a clock read early would accept more
# than the rule (a hold ending between the read and the row lock), so the statement only takes
# holds that are still held a margin later (`still_held_at`); the rest go the long way.
@functools.cache
def _free_if_held() -> str:
    users = get_user_model()._meta.db_table
    return (
        f"{FREE.update_sql()} WHERE event_id = %(event_id)s AND id = %(seat_id)s "
        f"AND status = '{Status.LOCKED.value}' AND held_by_id = %(user_id)s "
        f"AND held_until > %(still_held_at)s "
        f"AND (SELECT is_active FROM {users} WHERE id = %(user_id)s) "
        f"RETURNING {SEAT_COLUMNS}"
    )


def free_if_held(
    *, event_id: int, seat_id: int, user_id: int, still_held_at: datetime
) -> Statement:
    """Free the seat if the caller holds it past `still_held_at` and their account is active
    (its row is locked already: sent with `user_for_update`)."""
    params = {
        "event_id": event_id,
        "seat_id": seat_id,
        "user_id": user_id,
        "still_held_at": still_held_at,
    }
    return Statement(_free_if_held(), params, lock=Rank.SEATS)

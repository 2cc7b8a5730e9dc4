"""The statements of hold, release and extend (holds.py), and of the caller's and the seats'
row locks every booking call takes."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from ...accounts.email_verification import must_verify_sql
from ...models import (
    Event,
)
from ...rules import (
    FREE_SQL,
    LIMITED_PER_NETWORK_SQL,
    PURCHASE_LIMIT_SQL,
    address_allows_sql,
    address_held_count_sql,
    address_params,
    booked_count_sql,
    held_count_sql,
    hold_allowed_sql,
    hold_clock,
    hold_end_sql,
    hold_start_sql,
    not_passed_sql,
    passed_sql,
    purchase_params,
    run_ended_sql,
)
from ..locking import Rank
from .contract import ROW_LOCK, Statement, Table, id_table
from .seats import FREE, HOLD, SEAT_COLUMNS, SEAT_FIELDS, SEAT_INFO_FIELDS, SEAT_TABLE, Status


def user_for_update(*, user_id: int) -> Statement:
    table = get_user_model()._meta.db_table
    return Statement(
        f"SELECT is_active FROM {table} WHERE id = %(user_id)s",
        {"user_id": user_id},
        True,
        lock=Rank.CALLER,
    )


def caller_for_hold(
    *, user_id: int, event_id: int, address: str | None, seat_id: int | None = None
) -> Statement:
    """The caller's row, locked: whether the account is active, whether the event asks for a
    verified e-mail that the account has not (email_verification.py), and, with a client
    network, whether the event limits holds per network (rules.py); beside them one seat of
    the event as committed, not locked (no seat columns: no such seat, or none asked); then,
    where the event limits them, that network's lock (address_locks), after the row's: a CTE
    with a row lock is run whole first, where a function beside FOR UPDATE would take its lock
    before the row's. One round trip."""
    table = get_user_model()._meta.db_table
    seat_columns = ", ".join(f"s.{name}" for name in SEAT_FIELDS)
    limited = "FALSE" if address is None else LIMITED_PER_NETWORK_SQL
    caller = (
        f"SELECT u.is_active, {must_verify_sql('u')}, {limited} AS limited, {seat_columns} "
        f"FROM {table} u "
        f"LEFT JOIN {SEAT_TABLE} s ON s.id = %(seat_id)s AND s.event_id = %(event_id)s "
        f"WHERE u.id = %(user_id)s"
    )
    params = {"user_id": user_id, "event_id": event_id, "seat_id": seat_id}
    if address is None:
        return Statement(caller, params, lock_rows=True, lock_of="u", lock=Rank.CALLER)
    return Statement(
        f"WITH caller AS MATERIALIZED ({caller}{ROW_LOCK}) SELECT caller.*, CASE WHEN "
        f"caller.limited THEN pg_advisory_xact_lock(hashtextextended(%(lock_name)s, 0)) END "
        f"FROM caller",
        params | {"lock_name": address_lock_name(event_id, address)},
        lock_rows=True,
        lock_of="u",
        lock=Rank.CALLER,
        sqlite_sql=caller,  # no locks: SQLite's write transactions are serial
    )


def email_of(*, user_id: int) -> Statement:
    table = get_user_model()._meta.db_table
    return Statement(f"SELECT email FROM {table} WHERE id = %(user_id)s", {"user_id": user_id})


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


def orphan_mode(*, event_id: int) -> Statement:
    return Statement(
        f"SELECT orphan_mode FROM {Event._meta.db_table} WHERE id = %(event_id)s",
        {"event_id": event_id},
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


def buyer_seats(*, event_id: int, user_id: int, now: datetime, address: str | None) -> Statement:
    """One row: how many seats of the event the caller holds at `now` and has booked, the
    event's purchase limit, and how many are held from the caller's network (rules.py)."""
    return Statement(
        f"SELECT {held_count_sql('%(user_id)s')}, {booked_count_sql('%(user_id)s')}, "
        f"{PURCHASE_LIMIT_SQL}, {address_held_count_sql()}",
        {"event_id": event_id, "user_id": user_id, "now": now}
        | purchase_params()
        | address_params(address),
    )


# A hold's start and end as rules.py has them: an earlier hold of the caller's continued.
def _hold_set(*, postgres: bool) -> str:
    return HOLD.update_sql(
        held_since=hold_start_sql("%(user_id)s", postgres=postgres),
        held_until=hold_end_sql("%(user_id)s", postgres=postgres),
    )


_HOLD = f"WHERE id IN (%(seat_ids)s) RETURNING {SEAT_COLUMNS}"


def hold(
    *,
    event_id: int,
    seat_ids: Sequence[int],
    user_id: int,
    until: datetime,
    now: datetime,
    address: str | None,
) -> Statement:
    """Hold these seats (locked already, each free and allowed); rows: the seats held."""
    params = {"event_id": event_id, "user_id": user_id, "until": until}
    return Statement(
        f"{_hold_set(postgres=True)} {_HOLD}",
        params | {"seat_ids": id_table(seat_ids)} | hold_clock(now) | address_params(address),
        sqlite_sql=f"{_hold_set(postgres=False)} {_HOLD}",
    )


def hold_refusals(
    *, event_id: int, seat_ids: Sequence[int], user_id: int, now: datetime, address: str | None
) -> Statement:
    """(id, label, when the caller's last hold ended, whether the cap allows it, the end of a
    hold of it another account of the caller's network let go lately: remembered, lapsed) of
    each of these seats the rules refuse the caller: their run of holds has reached the cap
    and may not go on yet, or the seat would pass between accounts of one network (rules.py).
    No rows if they may be held."""
    released, lapsed = passed_sql("%(user_id)s")

    def text(postgres: bool) -> str:
        allowed = hold_allowed_sql("%(user_id)s", postgres=postgres)
        return (
            f"SELECT id, label, {run_ended_sql('%(user_id)s', postgres=postgres)}, {allowed}, "
            f"CASE WHEN {released} THEN released_at END, CASE WHEN {lapsed} THEN held_until END "
            f"FROM {SEAT_TABLE} WHERE id IN (%(seat_ids)s) "
            f"AND (NOT {allowed} OR {released} OR {lapsed}) ORDER BY id"
        )

    params = {"event_id": event_id, "user_id": user_id, "seat_ids": id_table(seat_ids)}
    return Statement(
        text(True), params | hold_clock(now) | address_params(address), sqlite_sql=text(False)
    )


def hold_run(*, event_id: int, user_id: int, now: datetime) -> Statement:
    """One row if the event exists: when a hold the caller took now would have begun (their
    run's start, or now), when their last hold of the event ended, whether they may hold now
    as far as the cap goes, how many seats of it they hold and have booked, and its purchase
    limit (rules.py). Index lookups only."""

    def text(postgres: bool) -> str:
        holder = "%(user_id)s"
        return (
            f"SELECT {hold_start_sql(holder, postgres=postgres)}, "
            f"{run_ended_sql(holder, postgres=postgres)}, "
            f"{hold_allowed_sql(holder, postgres=postgres)}, {held_count_sql(holder)}, "
            f"{booked_count_sql(holder)}, {PURCHASE_LIMIT_SQL} "
            f"FROM {Event._meta.db_table} WHERE id = %(event_id)s"
        )

    params = {"event_id": event_id, "user_id": user_id} | purchase_params()
    return Statement(text(True), params | hold_clock(now), sqlite_sql=text(False))


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


def free(*, seat_ids: Sequence[int]) -> Statement:
    return Statement(
        f"{FREE.update_sql()} WHERE id IN (%(seat_ids)s)", {"seat_ids": id_table(seat_ids)}
    )


# The common click of an on-sale, a free seat within the buyer's limits, as one statement after
# the user row lock (and the network's): the UPDATE takes the seat row itself, and its condition
# is the rules in SQL (rules.FREE_SQL; the run's cap; not passed between accounts of the
# network, which may hold one more; fewer live holds than the hold limit, and fewer seats held
# and booked than the purchase limit). Its clock is read before the seat row is locked, so it can
# only refuse more than the rule: a click it refuses is decided again the long way, under the
# locks (holds.hold_one_steps). Events with an orphan rule always go the long way: the rule
# needs the row's other seats.
def _hold_if_free(*, postgres: bool) -> str:
    least = "LEAST" if postgres else "MIN"
    return (
        f"{_hold_set(postgres=postgres)} WHERE event_id = %(event_id)s AND id = %(seat_id)s "
        f"AND {FREE_SQL} AND {hold_allowed_sql('%(user_id)s', postgres=postgres)} "
        f"AND {not_passed_sql('%(user_id)s')} AND {address_allows_sql()} "
        f"AND (SELECT orphan_mode FROM {Event._meta.db_table} WHERE id = %(event_id)s) = 'off' "
        f"AND {held_count_sql('%(user_id)s')} < {least}(%(limit)s, "
        f"{PURCHASE_LIMIT_SQL} - {booked_count_sql('%(user_id)s')}) RETURNING {SEAT_COLUMNS}"
    )


def hold_if_free(
    *,
    event_id: int,
    seat_id: int,
    user_id: int,
    until: datetime,
    now: datetime,
    limit: int,
    address: str | None,
) -> Statement:
    params = {
        "user_id": user_id,
        "until": until,
        "event_id": event_id,
        "seat_id": seat_id,
        "limit": limit,
    }
    return Statement(
        _hold_if_free(postgres=True),
        params | hold_clock(now) | purchase_params() | address_params(address),
        lock=Rank.SEATS,
        sqlite_sql=_hold_if_free(postgres=False),
    )


# The same for releasing a live hold of the caller's. Here a clock read early would accept more
# than the rule (a hold ending between the read and the row lock), so the statement only takes
# holds that are still held a margin later (`still_held_at`); the rest go the long way.
_FREE_IF_HELD = (
    f"{FREE.update_sql()} WHERE event_id = %(event_id)s AND id = %(seat_id)s "
    f"AND status = '{Status.LOCKED.value}' AND held_by_id = %(user_id)s "
    f"AND held_until > %(still_held_at)s RETURNING {SEAT_COLUMNS}"
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
    return Statement(_FREE_IF_HELD, params, lock=Rank.SEATS)

"""The rules of a seat's state, each written here once: when a lock has ended, who holds a seat.

A lock is available from its ``held_until`` on, everywhere at once, whether or not the
sweeper has turned it back yet. The rule is needed in three languages, so it has three
renderings side by side, and nothing else spells it out:

* in Python, for rows already read and the live maps' seats (realtime/live_map.py):
  ``effective_status``, ``seat_is_free``, ``seat_is_held_by``;
* as ORM filters, for counts and the sweep: ``ended_lock_q``, ``live_lock_q``, ``free_q``;
* as SQL, for the one-statement hold (services/sql/): ``FREE_SQL``.

Below them, the rules of a buyer's holds of an event (one run, one cap) and of what one buyer
may have of an event (the purchase limit), each in the languages it is needed in.

A locked row always has a ``held_until`` (the model's check constraint); the Python rule
also takes a missing one as ended, which the SQL says with ``IS NULL``.
"""

from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db.models import Q

from .models import Event, Seat

Status = Seat.Status
T = TypeVar("T", datetime, float)


def effective_status(status: str, held_until: T | None, now: T) -> str:
    """The status a seat has at `now`: a lock whose `held_until` has come is available. Times
    as datetimes (rows) or as epoch seconds (the live maps' deadlines, realtime/live_map.py)."""
    if status == Status.LOCKED and (held_until is None or held_until <= now):
        return Status.AVAILABLE
    return status


def seat_is_free(seat: Seat, now: datetime) -> bool:
    return effective_status(seat.status, seat.held_until, now) == Status.AVAILABLE


def seat_is_held_by(seat: Seat, user_id: int, now: datetime) -> bool:
    return (
        effective_status(seat.status, seat.held_until, now) == Status.LOCKED
        and seat.held_by_id == user_id
    )


def holder_id(status: str, held_by_id: int | None, reserved_by_id: int | None) -> int | None:
    """Whose seat it is in the effective `status`: the locker's, the buyer's, or nobody's."""
    if status == Status.LOCKED:
        return held_by_id
    if status == Status.RESERVED:
        return reserved_by_id
    return None


def ended_lock_q(now: datetime, prefix: str = "") -> Q:
    """Locks that have ended (`prefix` reaches seats across a relation, e.g. "seats__")."""
    return Q(**{f"{prefix}status": Status.LOCKED, f"{prefix}held_until__lte": now})


def live_lock_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.LOCKED, f"{prefix}held_until__gt": now})


def free_q(now: datetime, prefix: str = "") -> Q:
    """Seats anyone may hold now: available, or locked by a lock that has ended."""
    return Q(**{f"{prefix}status": Status.AVAILABLE}) | ended_lock_q(now, prefix)


# The same two rules in SQL over the seat table, with the clock as the named parameter `now`.
FREE_SQL = (
    f"(status = '{Status.AVAILABLE.value}' OR "
    f"(status = '{Status.LOCKED.value}' AND (held_until IS NULL OR held_until <= %(now)s)))"
)


def live_hold_sql(alias: str) -> str:
    """A live lock of row `alias`, as the limits count them."""
    return f"{alias}.status = '{Status.LOCKED.value}' AND {alias}.held_until > %(now)s"


# --- A buyer's holds of an event: one run, one cap ------------------------------------------
#
# A buyer's holds of an event make one run: a hold taken while any of their holds of the event
# is running, or ended less than SEAT_HOLD_COOLDOWN_SECONDS ago (released early, lapsed or
# booked), continues the run: it began when the run began, and it ends no later than that plus
# SEAT_HOLD_MAX_SECONDS, however often the buyer lets go and takes again, this seat or others.
# Once that has passed, their new holds of the event are refused (hold_cap_reached) until the
# cooldown after their last hold is over. Anyone else may take the seats at once. This is the
# basket's one timer (issue 23) and the cap on hoarding (issue 25): holding ten, booking them
# and holding ten more is the same run, not a fresh one. A seat's last ended hold is kept in
# `released_by`, `released_held_since` and `released_at`, by a release, a lapse and a booking
# alike, and kept through a cancellation (a lapsed hold the sweeper has not yet turned back is
# still in `held_by`, `held_since`, `held_until`). Written in SQL only:
# every hold is one statement over the seat rows (services/sql/), with these named parameters
# beside `now` and `event_id`: `started` (now in whole seconds), `cooled` (now minus the
# cooldown), `cap` (the cap, an interval) and `too_old` (a start before which a continued hold
# would have less than a second left).

_SEATS = Seat._meta.db_table


def hold_start_sql(holder: str, *, postgres: bool = True) -> str:
    """When a hold that `holder` (an SQL expression) takes now began: when their run of holds
    of the event began (their running holds, and those ended within the cooldown, as the seat
    rows stand before the write), or `started`: now, in whole seconds (a hold's times are
    public, and to the microsecond they would tell which seats one buyer took in one
    request). Two index lookups: `seat_holds` and `seat_released`."""
    running = (
        f"(SELECT MIN(r.held_since) FROM {_SEATS} r WHERE r.event_id = %(event_id)s "
        f"AND r.status = '{Status.LOCKED.value}' AND r.held_by_id = {holder} "
        f"AND r.held_until > %(cooled)s)"
    )
    ended = (
        f"(SELECT MIN(e.released_held_since) FROM {_SEATS} e WHERE e.event_id = %(event_id)s "
        f"AND e.released_by_id = {holder} AND e.released_at > %(cooled)s)"
    )
    least = "LEAST" if postgres else "MIN"  # SQLite's MIN of two values is PostgreSQL's LEAST
    return f"{least}(COALESCE({running}, %(started)s), COALESCE({ended}, %(started)s), %(started)s)"


def hold_end_sql(holder: str, *, postgres: bool = True) -> str:
    """When that hold ends: a full hold (`until`), but never past its start plus the cap. In
    SQLite's words where `postgres` is false (the runner passes it the cap in microseconds)."""
    start = hold_start_sql(holder, postgres=postgres)
    if postgres:
        return f"LEAST(%(until)s, {start} + %(cap)s)"
    # Django's function answers in UTC without an offset; the seat columns carry one.
    return f"MIN(%(until)s, django_format_dtdelta('+', {start}, %(cap)s) || '+00:00')"


def run_ended_sql(holder: str, *, postgres: bool = True) -> str:
    """When `holder`'s last hold of the event ended (or ends: a running one's deadline): the
    run goes on until the cooldown after it, so they may start a new one then."""
    held = (
        f"(SELECT MAX(h.held_until) FROM {_SEATS} h WHERE h.event_id = %(event_id)s "
        f"AND h.status = '{Status.LOCKED.value}' AND h.held_by_id = {holder})"
    )
    released = (
        f"(SELECT MAX(e.released_at) FROM {_SEATS} e WHERE e.event_id = %(event_id)s "
        f"AND e.released_by_id = {holder})"
    )
    greatest = "GREATEST" if postgres else "MAX"
    return f"{greatest}(COALESCE({held}, {released}), COALESCE({released}, {held}))"


def hold_allowed_sql(holder: str, *, postgres: bool = True) -> str:
    """Whether `holder` may hold a seat of the event now as far as the cap goes."""
    return f"{hold_start_sql(holder, postgres=postgres)} > %(too_old)s"


def hold_clock(now: datetime) -> dict:
    """The named parameters of these rules at `now`."""
    cap = timedelta(seconds=settings.SEAT_HOLD_MAX_SECONDS)
    return {
        "now": now,
        "started": now.replace(microsecond=0),
        "cooled": now - timedelta(seconds=settings.SEAT_HOLD_COOLDOWN_SECONDS),
        "cap": cap,
        "too_old": now - cap + timedelta(seconds=1),
    }


# --- What one buyer may have of an event: the purchase limit ----------------------------------
#
# One account may hold and own at most the event's purchase limit of its seats: its live holds
# and its booked seats (those of its confirmed reservations) together. The limit is the event's
# own (`Event.purchase_limit`, set by its organiser) or SEAT_PURCHASE_LIMIT; a seat sold at the
# box office or blocked (nobody's reservation: `reserved_by` NULL) counts against nobody, and a
# cancelled booking's seats stop counting when it is cancelled. Every statement that gives an
# account seats checks it, under that account's row lock (services/locking.py, rule 2): nothing
# gives an account a seat without that lock, so what is counted under it can only shrink (holds
# end, bookings are cancelled) until the transaction commits. In SQL with the named parameters
# `event_id`, `now` and `purchase_default` (purchase_params).


def purchase_limit_of(event: Event) -> int:
    """The most seats of `event` one account may hold and own together."""
    if event.purchase_limit is None:
        return settings.SEAT_PURCHASE_LIMIT
    return event.purchase_limit


PURCHASE_LIMIT_SQL = (
    f"(SELECT COALESCE(l.purchase_limit, %(purchase_default)s) "
    f"FROM {Event._meta.db_table} l WHERE l.id = %(event_id)s)"
)


def purchase_params() -> dict:
    return {"purchase_default": settings.SEAT_PURCHASE_LIMIT}


def held_count_sql(holder: str) -> str:
    """How many seats of the event `holder` (an SQL expression) holds now (index `seat_holds`)."""
    return (
        f"(SELECT count(*) FROM {_SEATS} h WHERE h.event_id = %(event_id)s "
        f"AND h.held_by_id = {holder} AND {live_hold_sql('h')})"
    )


def booked_count_sql(holder: str) -> str:
    """How many seats of the event `holder` has booked (index `seat_booked`): a booked seat's
    `reserved_by`, which only a booking sets and a cancellation clears."""
    return (
        f"(SELECT count(*) FROM {_SEATS} b WHERE b.event_id = %(event_id)s "
        f"AND b.reserved_by_id = {holder})"
    )


# --- Holds per address: no pile of accounts behind one network ---------------------------------
#
# One client network (client_address.holds_key: an IPv4 address, an IPv6 /64) may hold at most
# SEAT_ADDRESS_HOLD_LIMIT seats of an event at once, whichever of its accounts holds them; and a
# seat one account let go (released or lapsed) goes back to the sale for everyone but the other
# accounts of that network until SEAT_HOLD_COOLDOWN_SECONDS after the hold's end, so two
# accounts of one household cannot pass seats between them for ever past each one's run cap
# (issue 40). Both are the organiser's to turn on for an event (`Event.holds_limited_per_network`,
# off by default: a carrier's shared address puts thousands of strangers on one network); a hold
# of an event that has them off is taken from no network. A load-test host
# (LIMITS_EXEMPT_NETWORKS) and staff have no network here either (NULL): neither rule counts
# them. Under the network's advisory lock (services/locking.py, rank ADDRESS), taken before the
# statement that counts, so the count can only shrink meanwhile. In SQL with the named
# parameters `address` (the network, or NULL), `event_id`, `now`, `cooled` and `address_limit`
# (address_params).

# Whether the event `%(event_id)s` has them on, read by the statement that locks the caller.
LIMITED_PER_NETWORK_SQL = (
    f"(SELECT n.holds_limited_per_network FROM {Event._meta.db_table} n WHERE n.id = %(event_id)s)"
)


def hold_network(address: str | None, *, limited_per_network: bool) -> str | None:
    """The network a hold of the event is taken from: the client's (client_address.holds_key),
    or none where the event's organiser has not turned the rules on."""
    return address if limited_per_network else None


def address_held_count_sql() -> str:
    """How many seats of the event are held now from the network (index `seat_holds_from`)."""
    return (
        f"(SELECT count(*) FROM {_SEATS} a WHERE a.event_id = %(event_id)s "
        f"AND a.held_from = %(address)s AND {live_hold_sql('a')})"
    )


def address_allows_sql() -> str:
    """Whether the network may hold one more seat of the event now."""
    return (
        f"(CAST(%(address)s AS TEXT) IS NULL "
        f"OR {address_held_count_sql()} + 1 <= %(address_limit)s)"
    )


def passed_sql(holder: str, address: str = "%(address)s", row: str = "") -> tuple[str, str]:
    """Whether seat row `row` (an alias and a dot, or none) was let go within the cooldown by
    another account of the network `address` than `holder` (SQL expressions): (by its
    remembered hold, by a hold that has ended that the sweeper has not turned back yet)."""
    released = (
        f"COALESCE({row}released_from = {address} AND {row}released_by_id <> {holder} "
        f"AND {row}released_at > %(cooled)s, FALSE)"
    )
    lapsed = (
        f"COALESCE({row}status = '{Status.LOCKED.value}' AND {row}held_from = {address} "
        f"AND {row}held_by_id <> {holder} AND {row}held_until > %(cooled)s, FALSE)"
    )
    return released, lapsed


def not_passed_sql(holder: str, address: str = "%(address)s", row: str = "") -> str:
    """Whether `holder` may take the seat as far as passing between accounts goes."""
    released, lapsed = passed_sql(holder, address, row)
    return f"NOT ({released} OR {lapsed})"


def address_params(address: str | None) -> dict:
    return {"address": address or None, "address_limit": settings.SEAT_ADDRESS_HOLD_LIMIT}

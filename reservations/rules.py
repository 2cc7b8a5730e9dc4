"""The rules of a seat's state, each written here once: when a lock has ended, who holds a seat.

A lock is available from its ``held_until`` on, everywhere at once, whether or not the
sweeper has turned it back yet. The rule is needed in three languages, so it has three
renderings side by side, and nothing else spells it out:

* in Python, for rows already read: ``effective_status``, ``seat_is_free``, ``seat_is_held_by``;
* as ORM filters, for counts and the sweep: ``ended_lock_q``, ``live_lock_q``, ``free_q``;
* as SQL, for the one-statement hold (services/sql/): ``FREE_SQL``, ``LIVE_HOLD_SQL``.

A locked row always has a ``held_until`` (the model's check constraint); the Python rule
also takes a missing one as ended, which the SQL says with ``IS NULL``.
"""

from datetime import datetime

from django.db.models import Q

from .models import Seat

Status = Seat.Status


def effective_status(status: str, held_until: datetime | None, now: datetime) -> str:
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
    """A live lock of row `alias`, as the hold limit counts them."""
    return f"{alias}.status = '{Status.LOCKED.value}' AND {alias}.held_until > %(now)s"

"""The rules of a seat's state, each written here once: when a lock has ended, who holds a seat.

A lock is available from its ``held_until`` on, everywhere at once, whether or not the
sweeper has turned it back yet. The rule is needed in three languages, so it has three
renderings side by side, and nothing else spells it out:

* in Python, for rows already read and the live maps' seats (realtime/live_map.py):
  ``effective_status``, ``seat_is_free``, ``seat_is_held_by``;
* as ORM filters, for counts and the sweep: ``ended_lock_q``, ``live_lock_q``, ``free_q``;
* as SQL, for the one-statement hold (booking/sql/): ``FREE_SQL``.

Below them, the event's purchase limit and the rules of holds per client network; what one
buyer may take is decided in booking/buyer_policy.py.

A locked row always has a ``held_until`` (the model's check constraint); the Python rule
also takes a missing one as ended, which the SQL says with ``IS NULL``.
"""

from datetime import datetime
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


# --- What one buyer may have of an event -------------------------------------------------------
#
# Their run of holds, the hold limit and the purchase limit are decided in buyer_policy.py. The
# purchase limit is the event's own (`Event.purchase_limit`, set by its organiser) or
# SEAT_PURCHASE_LIMIT; a seat sold at the box office or blocked (`reserved_by` NULL) counts
# against nobody.


def purchase_limit_of(event: Event) -> int:
    """The most seats of `event` one account may hold and own together."""
    if event.purchase_limit is None:
        return settings.SEAT_PURCHASE_LIMIT
    return event.purchase_limit


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
# them. The cap is counted under the network's advisory lock (booking/locking.py, rank ADDRESS)
# and decided in buyer_policy.py; the pass rule is the seat row's own, in SQL with the named
# parameters `address` (the network, or NULL) and `cooled` (now less the cooldown).


def hold_network(address: str | None, *, limited_per_network: bool) -> str | None:
    """The network a hold of the event is taken from: the client's (client_address.holds_key),
    or none where the event's organiser has not turned the rules on."""
    return address if limited_per_network else None


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

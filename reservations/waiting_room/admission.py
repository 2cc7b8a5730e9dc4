"""How many numbers a tick calls: admission from the seats, not a fixed rate. Pure: the tick
(ticks.py) measures, this decides.

The seats that can still be sold are the free ones plus the held ones likely to lapse (the
share of holds that ended without a booking, measured in this sale). The buyers already let in
will take some of them: those in their turn who hold or booked nothing yet, and those called who
have not claimed (only the share of called buyers who come does). Whatever seats are left over
serve more buyers at the measured seats per order; that many numbers are called, divided by the
share who come (the no-shows' numbers are called too), never past the organiser's ceiling on
buyers shopping at once, half of it while the booking path is slow, none while Redis is away.
"""

import math
from dataclasses import dataclass

# Before the sale has measured them: a buyer takes two seats, half of the holds end booked
# (measured: ~0.5-0.7 in the on-sale profile), and every called buyer comes.
PRIOR_SEATS_PER_ORDER = 2.0
PRIOR_BOOKING_SHARE = 0.5
PRIOR_SHOW_SHARE = 1.0
# A share measured on fewer cases than this leans on the prior (a weighted mean).
PRIOR_WEIGHT = 10


@dataclass(frozen=True)
class Measured:
    """One tick's reading of the sale."""

    free_seats: int
    held_seats: int
    booked_seats: int  # since the on-sale
    released_holds: int  # holds that ended without a booking since the on-sale
    orders: int  # reservations since the on-sale
    called_closed: int  # called buyers whose claim window is over or who claimed
    claimed: int  # of those, who claimed
    shopping_empty: int  # in their turn lately, holding and having booked nothing yet
    pending_calls: int  # called, not claimed, claim window open
    active: int  # called with the window open, or shopping in their turn (ticks.py says who)
    max_active: int
    path_slow: bool
    redis_down: bool
    paused_by_organiser: bool


@dataclass(frozen=True)
class Decision:
    calls: int
    state: str  # WaitingRoom.State's value
    reason: str
    seats_per_order: float
    booking_share: float
    show_share: float


def _share(hits: int, cases: int, prior: float) -> float:
    return (hits + prior * PRIOR_WEIGHT) / (cases + PRIOR_WEIGHT)


def decide(m: Measured) -> Decision:
    seats_per_order = _share(m.booked_seats, m.orders, PRIOR_SEATS_PER_ORDER)
    seats_per_order = max(1.0, seats_per_order)
    booking_share = _share(m.booked_seats, m.booked_seats + m.released_holds, PRIOR_BOOKING_SHARE)
    show_share = max(0.05, _share(m.claimed, m.called_closed, PRIOR_SHOW_SHARE))

    def decision(calls: int, state: str, reason: str = "") -> Decision:
        return Decision(calls, state, reason, seats_per_order, booking_share, show_share)

    if m.free_seats == 0 and m.held_seats == 0:
        return decision(0, "sold_out")
    if m.paused_by_organiser:
        return decision(0, "paused", "organiser")
    if m.redis_down:
        return decision(0, "paused", "redis")
    if m.free_seats == 0:
        return decision(0, "held_out")
    sellable = m.free_seats + m.held_seats * (1 - booking_share)
    spoken_for = (m.shopping_empty + m.pending_calls * show_share) * seats_per_order
    buyers = (sellable - spoken_for) / seats_per_order
    calls = max(0, math.floor(buyers / show_share))
    if calls == 0 and m.free_seats > spoken_for:
        # Fewer free seats than an order: they still go to the next number, not to nobody.
        calls = 1
    calls = min(calls, max(0, m.max_active - m.active))
    if m.path_slow:
        calls = (calls + 1) // 2
    return decision(calls, "admitting", "slow" if m.path_slow else "")

"""What one buyer may take of an event: every rule of it decided here, in Python, once.

A ``BuyerState`` is what the buyer has of the event, read once under their row lock (and their
network's, where the event limits holds per network): so what it counts can only shrink until the
call commits (booking/locking.py, rule 2). ``BuyerPolicy`` decides over it, without a database,
every call that gives a buyer seats (hold one or several, best available, reserve, extend) and
answers today's refusals in today's words. The writes then only ask what belongs to the seat row
(free, not passed between accounts of one network: rules.py), and take the policy's
``HoldTimes``.

The rules:

* **One run, one cap.** A buyer's holds of an event make one run: a hold taken while any of their
  holds of the event is running, or ended less than the cooldown ago (released, lapsed or
  booked), continues it: it began when the run began and ends no later than that plus
  SEAT_HOLD_MAX_SECONDS, however often they let go and take again. Once that has passed, their
  new holds are refused (`hold_cap_reached`) until the cooldown after their last hold's end.
  This is the basket's one timer (issue 23) and the cap on hoarding (issue 25).
* **The hold limit**: at most SEAT_HOLD_LIMIT live holds of the event at once.
* **The purchase limit**: at most the event's purchase limit of its seats, held and booked
  together (rules.purchase_limit_of); a limit lowered since they held can refuse a reserve.
* **The network cap**, where the event's organiser turns it on: at most SEAT_ADDRESS_HOLD_LIMIT
  live holds from one client network (rules.py "Holds per address").
* **The sale's end**: nothing is held or booked online once the event has begun.
* **The pay window**, where the event takes payment online: a booking is an order awaiting
  payment until its hold's end plus the event's window (payments/settling.py settles it).

A hold's times are whole seconds: they are public (`locked_until`), and to the microsecond they
would tell an observer which seats one buyer took in one request.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from ..exceptions import (
    AccountInactive,
    AddressHoldLimitReached,
    EmailUnverified,
    HoldCapReached,
    HoldLimitReached,
    PurchaseLimitReached,
    SaleEnded,
)
from ..wire_values import iso


@dataclass(frozen=True)
class BuyerState:
    """What one buyer has of one event, as their row lock let it be read (sql.buyer_state)."""

    active: bool
    must_verify: bool  # the event asks for a verified e-mail, and the account has none
    email: str
    run_began: datetime | None  # the earliest start of their holds running or ended lately
    last_ended: datetime | None  # when their last hold of the event ended (or ends)
    held: int  # their live holds of the event
    booked: int  # their booked seats of it
    purchase_limit: int
    network: str | None = None  # where holds are counted from, if the event limits them
    network_held: int = 0  # the live holds from that network, whoever holds them
    pay_window: int | None = None  # seconds to pay after the hold's end; None: sold at once
    begins: datetime | None = None  # the event's start, when its online sale ends


@dataclass(frozen=True)
class HoldTimes:
    """A hold's start (its run's) and end: what the write takes."""

    since: datetime
    until: datetime


@dataclass(frozen=True)
class HoldRun:
    """A buyer's run of holds of an event and their seats of it, as they are told it: what the
    page needs to say, before a click, what they may still take."""

    run_ends_at: datetime | None  # when the run going on reaches the cap
    hold_again_at: datetime | None  # while they may not hold: when they may again
    held: int
    booked: int
    purchase_limit: int
    hold_limit: int
    may_take: int  # the most seats a hold may add now
    most_at_once: int  # the most they could hold at once: giving back makes room, booking not


def begun(begins: datetime | None, now: datetime) -> bool:
    """Whether the event has begun: its online sale is over, and its bookings are no longer its
    buyers' to cancel (bookings.cancel_steps)."""
    return begins is not None and now >= begins


def whole(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@dataclass(frozen=True)
class BuyerPolicy:
    hold_seconds: int
    max_seconds: int
    cooldown_seconds: int
    hold_limit: int
    network_limit: int

    @classmethod
    def from_settings(cls) -> "BuyerPolicy":
        return cls(
            hold_seconds=settings.SEAT_LOCK_SECONDS,
            max_seconds=settings.SEAT_HOLD_MAX_SECONDS,
            cooldown_seconds=settings.SEAT_HOLD_COOLDOWN_SECONDS,
            hold_limit=settings.SEAT_HOLD_LIMIT,
            network_limit=settings.SEAT_ADDRESS_HOLD_LIMIT,
        )

    @property
    def cap(self) -> timedelta:
        return timedelta(seconds=self.max_seconds)

    @property
    def cooldown(self) -> timedelta:
        return timedelta(seconds=self.cooldown_seconds)

    def cooled(self, now: datetime) -> datetime:
        """Holds that ended after this are part of a run going on at `now` (the read's
        parameter)."""
        return now - self.cooldown

    def active(self, state: BuyerState) -> None:
        """Refuse an account that may not act (gone, or deactivated)."""
        if not state.active:
            raise AccountInactive("Log in, or send a valid bearer token.")

    def account(self, state: BuyerState) -> None:
        """`active`, and refuse holds to an account without the verified e-mail the event
        asks for."""
        self.active(state)
        if state.must_verify:
            raise EmailUnverified(email=state.email, to="hold seats of this event")

    def deadline(self, now: datetime) -> datetime:
        """When a full hold taken now ends."""
        return whole(now + timedelta(seconds=self.hold_seconds))

    def run_start(self, state: BuyerState, now: datetime) -> datetime:
        """When a hold taken now begins: their run's start, or now."""
        if state.run_began is None:
            return whole(now)
        return min(state.run_began, whole(now))

    def room_left(self, state: BuyerState) -> tuple[int, int]:
        """How many more seats they may hold now: (under the purchase limit, under the hold
        limit)."""
        return state.purchase_limit - state.held - state.booked, self.hold_limit - state.held

    def hold(
        self, state: BuyerState, *, now: datetime, adding: int, seats: list[tuple[int, str]] = ()
    ) -> HoldTimes:
        """The times of `adding` more holds taken now (`seats`: (id, label) of each, for the
        words), or the refusal: the cap first, then the purchase limit (reserving what they
        hold would not make room under it), the hold limit, the network's cap."""
        self.account(state)
        self.on_sale(state, now)
        start = self.run_start(state, now)
        if start + self.cap - timedelta(seconds=1) <= now:
            raise self._held_long_enough(state, seats)
        purchase_room, hold_room = self.room_left(state)
        if adding > purchase_room:
            raise PurchaseLimitReached(
                limit=state.purchase_limit, held=state.held, booked=state.booked, adding=adding
            )
        if adding > hold_room:
            raise HoldLimitReached(
                f"You can hold at most {self.hold_limit} seats of this event at once.",
                limit=self.hold_limit,
            )
        if state.network is not None and state.network_held + adding > self.network_limit:
            raise AddressHoldLimitReached(limit=self.network_limit)
        return HoldTimes(since=start, until=min(self.deadline(now), start + self.cap))

    def on_sale(self, state: BuyerState, now: datetime) -> None:
        """Refuse a hold or a booking once the event has begun."""
        if begun(state.begins, now):
            raise SaleEnded

    def _hold_again_at(self, state: BuyerState) -> datetime | None:
        return None if state.last_ended is None else state.last_ended + self.cooldown

    def _held_long_enough(self, state: BuyerState, seats) -> HoldCapReached:
        """The cap's refusal: when they may hold again, and why, in a buyer's words."""
        again = self._hold_again_at(state)
        what = ", ".join(label for _, label in seats) or "seats of this event"
        return HoldCapReached(
            f"You have had seats of this event on hold for as long as one visit may "
            f"({self.max_seconds // 60} minutes), so {what} cannot be held by you just now and "
            f"stay free for others. You can hold seats again {self.cooldown_seconds // 60} "
            f"minutes after your last hold ended"
            + ("." if again is None else f", at {again:%H:%M} UTC."),
            seats=[seat_id for seat_id, _ in seats],
            limit=self.max_seconds,
            hold_again_at=iso(again),
        )

    def extend(
        self, *, held_since: datetime, held_until: datetime, now: datetime, seat: tuple[int, str]
    ) -> datetime | None:
        """A held seat's new end: a full hold from now, never past its start plus the cap
        (WCAG 2.2.1 asks for the extension; the cap stops it becoming a way to hoard); None
        when there is nothing to add (taken or extended this very second)."""
        cap = whole(held_since) + self.cap
        if held_until >= cap:
            seat_id, label = seat
            raise HoldCapReached(
                f"Seat {label} cannot be held longer: a hold lasts at most "
                f"{self.max_seconds} seconds.",
                seats=[seat_id],
                limit=self.max_seconds,
            )
        until = min(self.deadline(now), cap)
        return until if until > held_until else None

    def book(self, state: BuyerState, *, now: datetime, adding: int) -> int:
        """Refuse booking `adding` held seats once the event has begun, or past the purchase
        limit (only a limit lowered since they held can); how many more they may book after
        it."""
        self.on_sale(state, now)
        left = state.purchase_limit - state.booked - adding
        if left < 0:
            raise PurchaseLimitReached(
                limit=state.purchase_limit, held=state.held, booked=state.booked, adding=adding
            )
        return left

    def pay_by(self, state: BuyerState, *, held_until: datetime, total: Decimal) -> datetime | None:
        """When an order of `total` booked from holds ending at `held_until` must be paid by;
        None: sold at once (the event sells so, or there is nothing to pay). The window runs
        from the hold's end, not the click: reserving early never shortens it (Revel's
        rule)."""
        if state.pay_window is None or total <= 0:
            return None
        return whole(held_until) + timedelta(seconds=state.pay_window)

    def run(self, state: BuyerState, now: datetime) -> HoldRun:
        """What they are told of their run before a click: when it reaches the cap, or when
        they may hold again, and what they may still take."""
        purchase_room, hold_room = self.room_left(state)
        counts = dict(
            held=state.held,
            booked=state.booked,
            purchase_limit=state.purchase_limit,
            hold_limit=self.hold_limit,
            may_take=max(0, min(purchase_room, hold_room)),
            most_at_once=max(0, min(self.hold_limit, state.purchase_limit - state.booked)),
        )
        start = self.run_start(state, now)
        if start + self.cap - timedelta(seconds=1) <= now:
            return HoldRun(run_ends_at=None, hold_again_at=self._hold_again_at(state), **counts)
        going_on = state.last_ended is not None and state.last_ended > self.cooled(now)
        ends = start + self.cap if going_on else None
        return HoldRun(run_ends_at=ends, hold_again_at=None, **counts)

"""Hold and release: the hot path of an on-sale, written once as steps.

A step function is a generator that yields each ``Statement`` it needs run and receives that
statement's rows back ("sans-I/O"); it returns its outcome. It never touches a connection, so
the same rules run on Django's connection (``runner.run``: the views, the admin, the tests)
and on an async psycopg connection on the server's event loop (``runner.run_async``: the
bearer-token fast path, reservations/api/fast.py). Raw SQL (sql/) because the ORM's query
building was most of a hold's CPU.

The locking order of locking.py holds here too: the caller's row first, then their client
network's holds (`address`: client_address.holds_key, None for none; kept only where the event
limits holds per network, rules.hold_network), then the seat rows in id order, then the clock
and the checks.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..exceptions import (
    AccountInactive,
    AddressHoldLimitReached,
    EmailUnverified,
    HoldCapReached,
    HoldLimitReached,
    NotFound,
    NotHolder,
    PurchaseLimitReached,
    SeatPassRefused,
    SeatUnavailable,
)
from ..live_seats import seat_unavailable
from ..models import Seat
from ..rules import hold_clock, hold_network, seat_is_free, seat_is_held_by
from . import sql
from .locking import seat_rows_steps
from .seat_infos import orphan_rule_steps
from .sql import Rows, Steps, seat_from_row


@dataclass(frozen=True)
class HoldOutcome:
    seats: list[Seat]  # every seat asked for, as it stands after the change
    changed: list[Seat]  # the ones whose state changed: what watchers are told

    @property
    def event_id(self) -> int:
        return self.seats[0].event_id


# A one-statement release only takes holds with more than this left (see sql.free_if_held).
RELEASE_MARGIN = timedelta(seconds=1)


def lock_deadline(now: datetime) -> datetime:
    """When a hold taken now ends: whole seconds, because it is public (`locked_until`), and to the
    microsecond it would tell an observer which seats one buyer took in one request."""
    return (now + timedelta(seconds=settings.SEAT_LOCK_SECONDS)).replace(microsecond=0)


def _changed_one(rows: Rows, event_id: int) -> HoldOutcome:
    """The outcome of a one-statement hold or release that changed its seat."""
    (seat,) = [seat_from_row(row, event_id) for row in rows]
    return HoldOutcome(seats=[seat], changed=[seat])


def caller_row_steps(user_id: int) -> Steps[None]:
    """Lock the caller's row (locking rule 2) and check the account still may act."""
    rows = yield sql.user_for_update(user_id=user_id)
    _account_check(rows)


def _caller_for_hold_steps(
    *, user_id: int, event_id: int, address: str | None, seat_id: int | None = None
) -> Steps[tuple[Seat | None, str | None]]:
    """caller_row_steps, whether the caller may hold seats of the event (a verified e-mail, if
    its organiser asks), and in the same round trip the network the hold is taken from
    (rules.hold_network), locked, and the seat asked for as committed (no row lock on it; None
    when there is no such seat or none was asked for)."""
    rows = yield sql.caller_for_hold(
        user_id=user_id, event_id=event_id, address=address, seat_id=seat_id
    )
    _account_check(rows)
    _, must_verify, limited, *seat_row = rows[0][: 3 + len(sql.SEAT_FIELDS)]
    if must_verify:
        email = yield from _email_of(user_id)
        raise EmailUnverified(email=email, to="hold seats of this event")
    seat = None if seat_row[0] is None else seat_from_row(seat_row, event_id)
    return seat, hold_network(address, limited_per_network=bool(limited))


def _email_of(user_id: int) -> Steps[str]:
    ((email,),) = yield sql.email_of(user_id=user_id)
    return email


def _account_check(rows: Rows) -> None:
    """The caller's row, as read under its lock: missing or inactive may not act."""
    if not rows or not rows[0][0]:
        raise AccountInactive("Log in, or send a valid bearer token.")


def hold_all_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], address: str | None = None
) -> Steps[HoldOutcome]:
    """Hold seats of one event: all of them, or none and an error listing the blockers.

    Holding a seat you already hold changes nothing (and does not extend it).
    """
    _, address = yield from _caller_for_hold_steps(
        user_id=user_id, event_id=event_id, address=address
    )
    return (
        yield from _checked_hold_steps(
            user_id=user_id, event_id=event_id, seat_ids=seat_ids, address=address
        )
    )


def buyer_limits_steps(
    *, user_id: int, event_id: int, adding: int, now: datetime, address: str | None
) -> Steps[None]:
    """Refuse holding `adding` more seats of the event past the caller's limits (under the
    caller's row lock and their network's: what it counts cannot grow meanwhile, rules.py)."""
    ((held, booked, limit, from_address),) = yield sql.buyer_seats(
        event_id=event_id, user_id=user_id, now=now, address=address
    )
    buyer_limits_check(held=held, booked=booked, limit=limit, adding=adding)
    if address is not None:
        address_limit_check(held=from_address, adding=adding)


def room_left(*, held: int, booked: int, limit: int) -> tuple[int, int]:
    """How many more seats of the event the caller may hold now: (under the event's purchase
    limit `limit`, held and booked together; under SEAT_HOLD_LIMIT holds at once)."""
    return limit - held - booked, settings.SEAT_HOLD_LIMIT - held


def buyer_limits_check(*, held: int, booked: int, limit: int, adding: int) -> None:
    """Refuse holding `adding` more seats past `room_left`. The purchase limit is told first:
    reserving what they hold would not make room under it."""
    purchase_room, hold_room = room_left(held=held, booked=booked, limit=limit)
    if adding > purchase_room:
        raise PurchaseLimitReached(limit=limit, held=held, booked=booked, adding=adding)
    if adding > hold_room:
        hold_limit = settings.SEAT_HOLD_LIMIT
        raise HoldLimitReached(
            f"You can hold at most {hold_limit} seats of this event at once.", limit=hold_limit
        )


def address_limit_check(*, held: int, adding: int) -> None:
    """Refuse holding `adding` more seats when the caller's network holds `held` of the event
    (rules.py "Holds per address")."""
    if held + adding > settings.SEAT_ADDRESS_HOLD_LIMIT:
        raise AddressHoldLimitReached(limit=settings.SEAT_ADDRESS_HOLD_LIMIT)


def _checked_hold_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], address: str | None
) -> Steps[HoldOutcome]:
    """hold_all_steps after the user row and network locks: the seat rows locked, then every
    check."""
    seats = yield from seat_rows_steps(event_id=event_id, seat_ids=seat_ids)
    now = timezone.now()

    in_the_way = [s for s in seats if _in_the_way(s, user_id, now)]
    if in_the_way:
        raise _unavailable(in_the_way)

    to_hold = [s for s in seats if not seat_is_held_by(s, user_id, now)]
    if not to_hold:
        return HoldOutcome(seats=seats, changed=[])
    ids = [s.id for s in to_hold]
    refused = yield sql.hold_refusals(
        event_id=event_id, seat_ids=ids, user_id=user_id, now=now, address=address
    )
    if capped := [row for row in refused if not row[3]]:
        raise _held_long_enough(capped)
    if refused:
        raise _passed(refused)
    yield from buyer_limits_steps(
        user_id=user_id, event_id=event_id, adding=len(to_hold), now=now, address=address
    )
    yield from orphan_rule_steps(event_id=event_id, taking=to_hold, now=now)
    until = lock_deadline(now)
    rows = yield sql.hold(
        event_id=event_id, seat_ids=ids, user_id=user_id, until=until, now=now, address=address
    )
    held = {seat.id: seat for seat in (seat_from_row(row, event_id) for row in rows)}
    changed = [held[s.id] for s in seats if s.id in held]
    return HoldOutcome(seats=[held.get(s.id, s) for s in seats], changed=changed)


def _passed(refused: Rows) -> SeatPassRefused:
    """A hold refused because another account of the caller's network let the seats go less
    than the cooldown ago (rules.py): when they are the caller's to take, in a buyer's words."""
    labels = ", ".join(label for _, label, *_ in refused)
    ends = [moment_of(end) for row in refused for end in row[4:] if end is not None]
    again = max(ends) + timedelta(seconds=settings.SEAT_HOLD_COOLDOWN_SECONDS)
    return SeatPassRefused(
        f"{labels} {'was' if len(refused) == 1 else 'were'} let go a moment ago by another "
        f"account on your network, so {'it goes' if len(refused) == 1 else 'they go'} back on "
        f"sale for other buyers first: seats are not passed from account to account. You can "
        f"hold {'it' if len(refused) == 1 else 'them'} from {again:%H:%M} UTC if still free.",
        seats=[seat_id for seat_id, *_ in refused],
        hold_again_at=again.isoformat().replace("+00:00", "Z"),
    )


def moment_of(value: datetime | str | None) -> datetime | None:
    """A time a bare cursor gave, made aware: SQLite's is naive UTC (text without an offset
    for an SQL expression of rules.py), PostgreSQL's a datetime with its offset."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def _hold_again_at(run_ended: datetime | None) -> datetime | None:
    """When a buyer whose run reached the cap may hold again: the cooldown after their last
    hold of the event ended (rules.py)."""
    cooldown = timedelta(seconds=settings.SEAT_HOLD_COOLDOWN_SECONDS)
    return None if run_ended is None else run_ended + cooldown


def _held_long_enough(capped: Rows) -> HoldCapReached:
    """A hold refused because the caller's run of holds of the event reached the cap: when
    they may hold again, and why, in a buyer's words (`hold_again_at` for the client)."""
    labels = ", ".join(label for _, label, *_ in capped)
    limit, cooldown = settings.SEAT_HOLD_MAX_SECONDS, settings.SEAT_HOLD_COOLDOWN_SECONDS
    again = _hold_again_at(moment_of(capped[0][2]))
    return HoldCapReached(
        f"You have had seats of this event on hold for as long as one visit may "
        f"({limit // 60} minutes), so {labels} cannot be held by you just now and stay free for "
        f"others. You can hold seats again {cooldown // 60} minutes after your last hold ended"
        + ("." if again is None else f", at {again:%H:%M} UTC."),
        seats=[seat_id for seat_id, *_ in capped],
        limit=limit,
        hold_again_at=None if again is None else again.isoformat().replace("+00:00", "Z"),
    )


@dataclass(frozen=True)
class HoldRun:
    """A buyer's run of holds of an event and their seats of it (rules.py), as they are told
    it: what the page needs to say, before a click, what they may still take."""

    run_ends_at: datetime | None  # when the run going on reaches the cap
    hold_again_at: datetime | None  # while they may not hold: when they may again
    held: int
    booked: int
    purchase_limit: int
    hold_limit: int

    @property
    def may_take(self) -> int:
        """The most seats buyer_limits_check lets them add now."""
        return max(0, min(room_left(held=self.held, booked=self.booked, limit=self.purchase_limit)))


def hold_run_steps(*, user_id: int, event_id: int) -> Steps[HoldRun]:
    """The caller's run of holds of the event and their seats of it, read from the seat rows
    as a hold would find them now (the `hold_again_at` a lock refused now would tell, the
    counts buyer_limits_check would); no locks taken."""
    now = timezone.now()
    rows = yield sql.hold_run(event_id=event_id, user_id=user_id, now=now)
    if not rows:
        raise NotFound("No such event.")
    began, ended, allowed, held, booked, limit = rows[0]
    ended = moment_of(ended)
    seats = dict(
        held=held, booked=booked, purchase_limit=limit, hold_limit=settings.SEAT_HOLD_LIMIT
    )
    if not allowed:
        return HoldRun(run_ends_at=None, hold_again_at=_hold_again_at(ended), **seats)
    going_on = ended is not None and ended > hold_clock(now)["cooled"]
    ends = hold_cap(moment_of(began)) if going_on else None
    return HoldRun(run_ends_at=ends, hold_again_at=None, **seats)


def _in_the_way(seat: Seat, user_id: int, now: datetime) -> bool:
    """Someone else's: booked, blocked, or held by another customer."""
    return not seat_is_free(seat, now) and not seat_is_held_by(seat, user_id, now)


def _unavailable(in_the_way: list[Seat]) -> SeatUnavailable:
    return seat_unavailable([(s.id, s.label) for s in in_the_way])


def hold_one_steps(
    *, user_id: int, event_id: int, seat_id: int, address: str | None = None
) -> Steps[HoldOutcome]:
    """Hold one seat: hold_all_steps, with the common refusal (a seat someone else has: the
    hot seat of an on-sale) answered from a plain read, and the common case in one statement.

    The read comes with the caller's row lock, in one round trip, and takes no lock on the seat,
    so the many clicks a hot seat refuses neither queue on its row lock nor try to write it. Its
    clock is read after it: a hold of another's that is still running then was running when
    the row was read, so the seat was someone else's at a moment within the request, and the
    refusal is the answer the long way would have given then. A seat the read shows free is
    taken by one conditional UPDATE; anything else (the seat the caller's already, taken since
    the read, not found, the buyer's limits) is decided the long way, under the locks.
    """
    seen, address = yield from _caller_for_hold_steps(
        user_id=user_id, event_id=event_id, address=address, seat_id=seat_id
    )
    now = timezone.now()  # after the read (see above)
    if seen is not None and _in_the_way(seen, user_id, now):
        raise _unavailable([seen])
    rows = yield sql.hold_if_free(
        event_id=event_id,
        seat_id=seat_id,
        user_id=user_id,
        until=lock_deadline(now),
        now=now,
        limit=settings.SEAT_HOLD_LIMIT,
        address=address,
    )
    if rows:
        return _changed_one(rows, event_id)
    return (
        yield from _checked_hold_steps(
            user_id=user_id, event_id=event_id, seat_ids=[seat_id], address=address
        )
    )


def release_one_steps(*, user_id: int, event_id: int, seat_id: int) -> Steps[HoldOutcome]:
    """Release a seat the caller holds. A lock that has ended is already gone: not_holder."""
    yield from caller_row_steps(user_id)
    still_held_at = timezone.now() + RELEASE_MARGIN
    rows = yield sql.free_if_held(
        event_id=event_id, seat_id=seat_id, user_id=user_id, still_held_at=still_held_at
    )
    if rows:
        return _changed_one(rows, event_id)
    (seat,) = yield from seat_rows_steps(event_id=event_id, seat_ids=[seat_id])
    if not seat_is_held_by(seat, user_id, timezone.now()):
        raise NotHolder(f"You do not hold seat {seat.label}.", seats=[seat.id])
    sql.FREE.apply(seat)
    yield sql.free(seat_ids=[seat.id])
    return HoldOutcome(seats=[seat], changed=[seat])


def extend_one_steps(*, user_id: int, event_id: int, seat_id: int) -> Steps[HoldOutcome]:
    """More time on a seat the caller holds: a full hold from now, but never past
    SEAT_HOLD_MAX_SECONDS from when the hold began, so nobody keeps a seat forever (WCAG 2.2.1
    asks for the extension; the cap is what stops it becoming a way to hoard)."""
    yield from caller_row_steps(user_id)
    (seat,) = yield from seat_rows_steps(event_id=event_id, seat_ids=[seat_id])
    now = timezone.now()
    if not seat_is_held_by(seat, user_id, now):
        raise NotHolder(f"You do not hold seat {seat.label}.", seats=[seat.id])
    ((held_since,),) = yield sql.held_since(seat_id=seat.id)
    cap = hold_cap(held_since or now)
    if seat.held_until >= cap:
        limit = settings.SEAT_HOLD_MAX_SECONDS
        raise HoldCapReached(
            f"Seat {seat.label} cannot be held longer: a hold lasts at most {limit} seconds.",
            seats=[seat.id],
            limit=limit,
        )
    until = min(lock_deadline(now), cap)
    if until <= seat.held_until:  # taken or extended this very second: nothing to add
        return HoldOutcome(seats=[seat], changed=[])
    seat.held_until = until
    seat.version += 1
    yield sql.extend(seat_id=seat.id, until=until)
    return HoldOutcome(seats=[seat], changed=[seat])


def hold_cap(held_since: datetime) -> datetime:
    """The latest a hold that began at `held_since` may last until."""
    return held_since.replace(microsecond=0) + timedelta(seconds=settings.SEAT_HOLD_MAX_SECONDS)

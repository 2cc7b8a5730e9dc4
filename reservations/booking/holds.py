"""Hold and release: the hot path of an on-sale, written once as steps.

A step function is a generator that yields each ``Statement`` it needs run (or a tuple of them,
sent in one round trip where the runner can) and receives the rows back ("sans-I/O"); it
returns its outcome. It never touches a connection, so the same rules run on Django's
connection (``runner.run``: the views, the admin, the tests) and on an async psycopg
connection on the server's event loop (``runner.run_async``: the bearer-token fast path,
reservations/api/fast.py). Raw SQL (sql/) because the ORM's query building was most of a
hold's CPU.

A hold reads, decides, writes: the caller's rows locked and their ``BuyerState`` read after
the locks (``buyer_state_steps``), the ``BuyerPolicy`` deciding in Python (buyer_policy.py),
then one write guarded only by what belongs to the seat row. The locking order of locking.py
holds: the caller's row first, then their client network's holds (`address`:
client_address.holds_key, None for none; kept only where the event limits holds per network,
rules.hold_network), then the seat rows in id order, then the clock and the checks.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ..exceptions import AccountInactive, NotFound, NotHolder, SeatPassRefused, SeatUnavailable
from ..live_seats import seat_unavailable
from ..models import Event, Seat
from ..rules import hold_network, seat_is_free, seat_is_held_by
from ..wire_values import iso
from . import sql
from .buyer_policy import BuyerPolicy, BuyerState, HoldRun, HoldTimes
from .locking import seat_rows_steps
from .seat_infos import orphan_rule_steps
from .sql import Rows, Steps, moment_of, seat_from_row


@dataclass(frozen=True)
class HoldOutcome:
    seats: list[Seat]  # every seat asked for, as it stands after the change
    changed: list[Seat]  # the ones whose state changed: what watchers are told

    @property
    def event_id(self) -> int:
        return self.seats[0].event_id


# A one-statement release only takes holds with more than this left (see sql.free_if_held).
RELEASE_MARGIN = timedelta(seconds=1)


def caller_row_steps(user_id: int) -> Steps[None]:
    """Lock the caller's row (locking rule 2) and check the account still may act."""
    rows = yield sql.user_for_update(user_id=user_id)
    if not rows or not rows[0][0]:
        raise AccountInactive("Log in, or send a valid bearer token.")


@dataclass(frozen=True)
class Buyer:
    """A buyer's state of an event as buyer_state_steps read it, with the event's orphan mode
    (None: no such event) and the seat asked for as committed (None: none, or no such seat)."""

    state: BuyerState
    orphan_mode: str | None
    seat: Seat | None


def _earliest(*moments) -> datetime | None:
    return min((m for m in map(moment_of, moments) if m is not None), default=None)


def _latest(*moments) -> datetime | None:
    return max((m for m in map(moment_of, moments) if m is not None), default=None)


def buyer_state_steps(
    *,
    user_id: int,
    event_id: int,
    address: str | None,
    now: datetime,
    seat_id: int | None = None,
    locked: bool = True,
) -> Steps[Buyer]:
    """The caller's row locked (and their network's, where the event limits holds per
    network), then what they have of the event read in a statement of its own, whose snapshot
    is taken after the locks: one round trip where the runner pipelines them. `locked` false:
    the read alone (what a page shows, no call follows)."""
    read = sql.buyer_state(
        user_id=user_id,
        event_id=event_id,
        address=address,
        now=now,
        cooled=BuyerPolicy.from_settings().cooled(now),
        seat_id=seat_id,
    )
    if locked:
        rows = yield (sql.caller_lock(user_id=user_id, event_id=event_id, address=address), read)
    else:
        rows = yield read
    if not rows:
        raise AccountInactive("Log in, or send a valid bearer token.")
    active, must_verify, email, limited, limit, orphan_mode, held, *rest = rows[0]
    running_since, last_held, released_since, last_released, booked, from_network = rest[:6]
    pay_window, begins, *seat_row = rest[6:]
    network = hold_network(address, limited_per_network=bool(limited))
    state = BuyerState(
        active=bool(active),
        must_verify=bool(must_verify),
        email=email,
        run_began=_earliest(running_since, released_since),
        last_ended=_latest(last_held, last_released),
        held=held,
        booked=booked,
        purchase_limit=limit,
        network=network,
        network_held=from_network if network else 0,
        pay_window=pay_window,
        begins=moment_of(begins),
    )
    seat = None if seat_row[0] is None else seat_from_row(seat_row, event_id)
    return Buyer(state=state, orphan_mode=orphan_mode, seat=seat)


def hold_all_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], address: str | None = None
) -> Steps[HoldOutcome]:
    """Hold seats of one event: all of them, or none and an error listing the blockers.

    Holding a seat you already hold changes nothing (and does not extend it).
    """
    buyer = yield from buyer_state_steps(
        user_id=user_id, event_id=event_id, address=address, now=timezone.now()
    )
    BuyerPolicy.from_settings().account(buyer.state)
    return (
        yield from _checked_hold_steps(
            user_id=user_id, event_id=event_id, seat_ids=seat_ids, buyer=buyer
        )
    )


def _checked_hold_steps(
    *, user_id: int, event_id: int, seat_ids: Sequence[int], buyer: Buyer
) -> Steps[HoldOutcome]:
    """hold_all_steps after the caller's locks and read: the seat rows locked, then every
    check, then the write."""
    state = buyer.state
    seats = yield from seat_rows_steps(event_id=event_id, seat_ids=seat_ids)
    now = timezone.now()
    in_the_way = [s for s in seats if _in_the_way(s, user_id, now)]
    if in_the_way:
        raise _unavailable(in_the_way)
    to_hold = [s for s in seats if not seat_is_held_by(s, user_id, now)]
    if not to_hold:
        return HoldOutcome(seats=seats, changed=[])
    times = BuyerPolicy.from_settings().hold(
        state, now=now, adding=len(to_hold), seats=[(s.id, s.label) for s in to_hold]
    )
    yield from orphan_rule_steps(event_id=event_id, mode=buyer.orphan_mode, taking=to_hold, now=now)
    yield from _hold_steps(
        event_id=event_id, seats=to_hold, user_id=user_id, times=times, now=now, state=state
    )
    return HoldOutcome(seats=seats, changed=to_hold)


def _hold_steps(
    *,
    event_id: int,
    seats: Sequence[Seat],
    user_id: int,
    times: HoldTimes,
    now: datetime,
    state: BuyerState,
) -> Steps[None]:
    """The write of seats seen free (`seats`, as they are after it): each is written unless it
    went meanwhile or would pass between accounts of the caller's network (rules.py)."""
    cooled = BuyerPolicy.from_settings().cooled(now)
    ids = [s.id for s in seats]
    rows = yield sql.hold(
        event_id=event_id,
        seat_ids=ids,
        user_id=user_id,
        times=times,
        now=now,
        cooled=cooled,
        address=state.network,
    )
    if len(rows) < len(ids):  # the call fails whole: its transaction rolls the others back
        refused = yield sql.passed_seats(
            seat_ids=ids, user_id=user_id, cooled=cooled, address=state.network
        )
        raise _passed(refused)
    _held(seats, rows, user_id=user_id, times=times, network=state.network)


def _held(
    seats: Sequence[Seat], rows: Rows, *, user_id: int, times: HoldTimes, network: str | None
) -> None:
    """The seats written by sql.hold, as they now stand."""
    versions = dict(rows)
    for seat in seats:
        if seat.id in versions:
            sql.HOLD.apply(
                seat, user_id=user_id, until=times.until, since=times.since, address=network
            )
            seat.version = versions[seat.id]


def _passed(refused: Rows) -> SeatPassRefused:
    """A hold refused because another account of the caller's network let the seats go less
    than the cooldown ago (rules.py): when they are the caller's to take, in a buyer's words."""
    labels = ", ".join(label for _, label, *_ in refused)
    ends = [moment_of(end) for row in refused for end in row[2:] if end is not None]
    again = max(ends) + BuyerPolicy.from_settings().cooldown
    return SeatPassRefused(
        f"{labels} {'was' if len(refused) == 1 else 'were'} let go a moment ago by another "
        f"account on your network, so {'it goes' if len(refused) == 1 else 'they go'} back on "
        f"sale for other buyers first: seats are not passed from account to account. You can "
        f"hold {'it' if len(refused) == 1 else 'them'} from {again:%H:%M} UTC if still free.",
        seats=[seat_id for seat_id, *_ in refused],
        hold_again_at=iso(again),
    )


def hold_run_steps(*, user_id: int, event_id: int) -> Steps[HoldRun]:
    """The caller's run of holds of the event and their seats of it, as a hold would find
    them now (the `hold_again_at` a lock refused now would tell, the counts the policy
    would); no locks taken."""
    now = timezone.now()
    buyer = yield from buyer_state_steps(
        user_id=user_id, event_id=event_id, address=None, now=now, locked=False
    )
    if buyer.orphan_mode is None:
        raise NotFound("No such event.")
    return BuyerPolicy.from_settings().run(buyer.state, now)


def _in_the_way(seat: Seat, user_id: int, now: datetime) -> bool:
    """Someone else's: booked, blocked, or held by another customer."""
    return not seat_is_free(seat, now) and not seat_is_held_by(seat, user_id, now)


def _unavailable(in_the_way: list[Seat]) -> SeatUnavailable:
    return seat_unavailable([(s.id, s.label) for s in in_the_way])


def hold_one_steps(
    *, user_id: int, event_id: int, seat_id: int, address: str | None = None
) -> Steps[HoldOutcome]:
    """Hold one seat: hold_all_steps, with the common refusal (a seat someone else has: the
    hot seat of an on-sale) answered from a plain read, and the common case in one write.

    The seat is read with the caller's state, after the caller's lock, and takes no lock of
    its own, so the many clicks a hot seat refuses neither queue on its row lock nor try to
    write it. Its clock is read after it: a hold of another's that is still running then was
    running when the row was read, so the seat was someone else's at a moment within the
    request, and the refusal is the answer the long way would have given then. A seat the read
    shows free is taken by one write guarded by the seat row's own rules; anything else (not
    found, the orphan rule, taken since the read, passed) is decided the long way, under the
    seat's row lock.
    """
    buyer = yield from buyer_state_steps(
        user_id=user_id, event_id=event_id, address=address, now=timezone.now(), seat_id=seat_id
    )
    policy = BuyerPolicy.from_settings()
    policy.account(buyer.state)
    now = timezone.now()  # after the read (see above)
    seen = buyer.seat
    if seen is not None and buyer.orphan_mode == Event.OrphanMode.OFF:
        if _in_the_way(seen, user_id, now):
            raise _unavailable([seen])
        if seat_is_held_by(seen, user_id, now):
            return HoldOutcome(seats=[seen], changed=[])
        times = policy.hold(buyer.state, now=now, adding=1, seats=[(seen.id, seen.label)])
        network = buyer.state.network
        rows = yield sql.Ending(
            sql.hold(
                event_id=event_id,
                seat_ids=[seat_id],
                user_id=user_id,
                times=times,
                now=now,
                cooled=policy.cooled(now),
                address=network,
            )
        )
        if rows:
            _held([seen], rows, user_id=user_id, times=times, network=network)
            return HoldOutcome(seats=[seen], changed=[seen])
        # The seat went since the read, and the call's locks went with its transaction
        # (sql.Ending): the long way takes them again.
        return (
            yield from hold_all_steps(
                user_id=user_id, event_id=event_id, seat_ids=[seat_id], address=address
            )
        )
    return (
        yield from _checked_hold_steps(
            user_id=user_id, event_id=event_id, seat_ids=[seat_id], buyer=buyer
        )
    )


def release_one_steps(*, user_id: int, event_id: int, seat_id: int) -> Steps[HoldOutcome]:
    """Release a seat the caller holds. A lock that has ended is already gone: not_holder.

    The caller's row is locked and the seat freed by a write guarded by the account being
    active, in one round trip with the commit where the runner can (sql.Ending); anything else
    is decided the long way, under the locks taken again."""
    still_held_at = timezone.now() + RELEASE_MARGIN
    rows = yield sql.Ending(
        (
            sql.user_for_update(user_id=user_id),
            sql.free_if_held(
                event_id=event_id, seat_id=seat_id, user_id=user_id, still_held_at=still_held_at
            ),
        )
    )
    if rows:
        (seat,) = [seat_from_row(row, event_id) for row in rows]
        return HoldOutcome(seats=[seat], changed=[seat])
    yield from caller_row_steps(user_id)
    (seat,) = yield from seat_rows_steps(event_id=event_id, seat_ids=[seat_id])
    if not seat_is_held_by(seat, user_id, timezone.now()):
        raise NotHolder(f"You do not hold seat {seat.label}.", seats=[seat.id])
    sql.FREE.apply(seat)
    yield sql.written(sql.FREE, seat_ids=[seat.id])
    return HoldOutcome(seats=[seat], changed=[seat])


def extend_one_steps(*, user_id: int, event_id: int, seat_id: int) -> Steps[HoldOutcome]:
    """More time on a seat the caller holds, as far as the policy gives (BuyerPolicy.extend)."""
    yield from caller_row_steps(user_id)
    (seat,) = yield from seat_rows_steps(event_id=event_id, seat_ids=[seat_id])
    now = timezone.now()
    if not seat_is_held_by(seat, user_id, now):
        raise NotHolder(f"You do not hold seat {seat.label}.", seats=[seat.id])
    ((held_since,),) = yield sql.held_since(seat_id=seat.id)
    until = BuyerPolicy.from_settings().extend(
        held_since=moment_of(held_since) or now,
        held_until=seat.held_until,
        now=now,
        seat=(seat.id, seat.label),
    )
    if until is None:
        return HoldOutcome(seats=[seat], changed=[])
    seat.held_until = until
    seat.version += 1
    yield sql.extend(seat_id=seat.id, until=until)
    return HoldOutcome(seats=[seat], changed=[seat])

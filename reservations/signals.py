"""The one way reservations tells anyone that seats changed: the ``seats_changed`` signal,
sent only once the change has committed.

Modelled on Zulip's ``send_event_on_commit``: the changes are captured inside the transaction
(so they carry exactly the versions written) and sent from ``transaction.on_commit``; a
rolled-back transaction sends nothing. Receivers (realtime connects its publisher in its
``AppConfig.ready``) are called with ``event_id`` and ``changes``, a list of ``SeatChange``. A
receiver that fails is logged, never raised: the booking has committed and its answer must not
turn into an error. Reservations itself never imports a receiver.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("reservations.signals")

seats_changed = Signal()


@dataclass(frozen=True, slots=True)
class SeatChange:
    """A seat's state as one committed transaction left it."""

    id: int
    status: str
    version: int
    held_until: datetime | None
    # Whose it is, the holder of a hold or the buyer of a booking, for the server's own use
    # (the caller's own seats in `holds/`): a watcher is never told (PROTOCOL.md).
    owner: int | None = None


def _changes(seats: Iterable) -> list[SeatChange]:
    return [SeatChange(s.id, s.status, s.version, s.held_until, _owner(s)) for s in seats]


def _owner(seat) -> int | None:
    """A seat row's owner: a hold clears the booker and a booking the holder (booking/sql/)."""
    return getattr(seat, "held_by_id", None) or getattr(seat, "reserved_by_id", None)


def _send(signal: Signal, name: str, sender=None, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("%s failed on %s", receiver, name, exc_info=result)


_send_seats = partial(_send, seats_changed, "seats_changed", SeatChange)


def seats_changed_on_commit(*, event_id: int, seats: Iterable) -> None:
    """Announce changed seats once the current transaction commits (nothing if it rolls back)."""
    changes = _changes(seats)
    if changes:
        transaction.on_commit(partial(_send_seats, event_id=event_id, changes=changes), robust=True)


def seats_changed_committed(*, event_id: int, seats: Iterable) -> None:
    """Announce changed seats that a transaction outside Django's connection has committed
    (the fast path's, on psycopg): the caller calls this after its commit."""
    changes = _changes(seats)
    if changes:
        _send_seats(event_id=event_id, changes=changes)


# A buyer's bookings changed (booked, cancelled, reseated or refunded by staff): receivers get
# ``accounts``, the ids of the accounts whose bookings they are. Realtime tells their account
# sockets (PROTOCOL.md "Your bookings"), so My reservations follows as the map does.
bookings_changed = Signal()


def _accounts(accounts: Iterable[int | None]) -> list[int]:
    return sorted({account for account in accounts if account is not None})


def bookings_changed_on_commit(*, accounts: Iterable[int | None]) -> None:
    """Announce changed bookings of `accounts` once the current transaction commits."""
    if accounts := _accounts(accounts):
        transaction.on_commit(partial(bookings_changed_committed, accounts=accounts), robust=True)


def bookings_changed_committed(*, accounts: Iterable[int | None]) -> None:
    """As `seats_changed_committed`: the fast path's, after its own commit."""
    if accounts := _accounts(accounts):
        _send(bookings_changed, "bookings_changed", accounts=accounts)


# The door changed (reservations/tickets/): a check-in moved a gate's counts (``gates``: a
# gate's name to its {"entered", "left"}), or tickets were revoked (``revoked``: their ids, a
# refund's, a cancel's or a reseat's). Realtime tells the event's consoles and scanners
# (PROTOCOL.md "The door"), so a scanner offline later knows them.
door_changed = Signal()


def door_changed_on_commit(*, event_id: int, gates: dict | None = None, revoked=()) -> None:
    """Announce a door change once the current transaction commits."""
    if gates or revoked:
        send = partial(door_changed_committed, event_id=event_id, gates=gates, revoked=revoked)
        transaction.on_commit(send, robust=True)


def door_changed_committed(*, event_id: int, gates: dict | None = None, revoked=()) -> None:
    """As `seats_changed_committed`: the fast path's, after its own commit."""
    if gates or revoked:
        news = {"gates": gates or {}, "revoked": sorted(revoked)}
        _send(door_changed, "door_changed", event_id=event_id, **news)


# The waiting room's public state changed (reservations/waiting_room/ticks.py): receivers get
# ``event_id`` and ``state``, the dict of API.md's `GET .../queue/` without `place`.
queue_changed = Signal()


def queue_changed_on_commit(*, event_id: int, state: dict) -> None:
    send = partial(_send, queue_changed, "queue_changed", event_id=event_id, state=state)
    transaction.on_commit(send, robust=True)


# A login's token family was revoked (api/tokens.py: a logout, a replayed refresh token):
# receivers get ``family``, its id as text. Realtime ends the identity of the sockets that
# said they were that login's (PROTOCOL.md "Your own seats").
family_revoked = Signal()


def family_revoked_on_commit(*, family: str) -> None:
    send = partial(_send, family_revoked, "family_revoked", family=family)
    transaction.on_commit(send, robust=True)

"""An account's place in an event's waiting room: join, claim the turn, extend it once
(API.md "Waiting room"). One transaction each.

Joining and the draw take the room's row lock, joins shared before the draw and alone after it,
the draw alone: a join either committed before the draw froze the list (an entrant) or sees the
draw done and takes the next number (late). Nobody is in both, nobody in neither.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reservations.accounts.email_verification import verified_email_required
from reservations.challenges import challenge_new, challenge_passed, queue_door
from reservations.exceptions import (
    ChallengeRequired,
    NoQueue,
    NotInQueue,
    NotYourTurn,
    QueueNotOpen,
    SoldOut,
    TurnExtended,
    TurnLapsed,
)
from reservations.models import Event, QueueEntry, WaitingRoom

from .draw import new_entry_id
from .turn_tokens import turn_token


@dataclass(frozen=True)
class Turn:
    token: str
    expires_at: datetime
    extended: bool


def room_locked(event_id: int, *, shared: bool) -> WaitingRoom:
    """The room, its row locked for the rest of the transaction (shared: joins among
    themselves). SQLite's transactions are serial already (IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM reservations_waitingroom WHERE event_id = %s "
                + ("FOR SHARE" if shared else "FOR NO KEY UPDATE"),
                [event_id],
            )
    return room_of(event_id)


def room_of(event_id: int) -> WaitingRoom:
    """The event's room; 404 `not_found` for no such event, `no_queue` for one without."""
    room = WaitingRoom.objects.filter(event_id=event_id).first()
    if room is not None:
        return room
    Event.objects.found(event_id)
    raise NoQueue()


def place_join(
    *, user_id: int, event_id: int, now: datetime | None = None, work: object = None
) -> QueueEntry:
    """The account's place: made on its first join, the same one on every later call. A new
    place asks for a verified e-mail (EmailUnverified; accounts/email_verification.py) and, in
    a room whose organiser switched it on, for proof of work (`work`: the solved challenge,
    challenges.py)."""
    now = now or timezone.now()
    room = room_of(event_id)
    if (entry := QueueEntry.objects.filter(room=room, user_id=user_id).first()) is not None:
        return entry
    verified_email_required(user_id=user_id)
    if now < room.opens_at:
        raise QueueNotOpen(f"The queue opens at {room.opens_at:%H:%M} UTC.")
    if room.state == WaitingRoom.State.SOLD_OUT:
        raise SoldOut()
    door = queue_door(event_id)
    if room.challenge and not challenge_passed(work, door):  # last: no work for a shut door
        message = "Your device proves it is not a script (about a second), then takes a place."
        raise ChallengeRequired(challenge_new(door), message)
    shared = room.drawn_at is None
    try:
        while (entry := _join_once(room, user_id, now, shared=shared)) is None:
            shared = False  # the draw came between: numbers are given under the row alone
    except IntegrityError:  # another tab of the account joined at the same moment
        return QueueEntry.objects.get(room=room, user_id=user_id)
    return entry


def _join_once(room: WaitingRoom, user_id: int, now: datetime, *, shared: bool):
    with transaction.atomic():
        room = room_locked(room.event_id, shared=shared)
        if shared and room.drawn_at is not None:
            return None
        entry = QueueEntry(room=room, user_id=user_id, entry_id=new_entry_id(), joined_at=now)
        if room.drawn_at is not None:
            room.numbered += 1
            room.save(update_fields=["numbered"])
            entry.number, entry.late = room.numbered, True
        else:
            entry.late = now >= room.on_sale_at
        entry.save()
        return entry


def claim_deadline(entry: QueueEntry, room: WaitingRoom) -> datetime | None:
    return entry.called_at + timedelta(seconds=room.claim_seconds) if entry.called_at else None


def _turn(room: WaitingRoom, entry: QueueEntry) -> Turn:
    token = turn_token(
        user_id=entry.user_id,
        event_id=room.event_id,
        generation=room.generation,
        expires_at=entry.turn_expires_at,
    )
    return Turn(token, entry.turn_expires_at, entry.extended)


def turn_running(entry: QueueEntry, room: WaitingRoom, now: datetime) -> Turn | None:
    """The account's turn with a fresh token while it runs (a reload, another tab)."""
    if entry.claimed_at is not None and entry.turn_expires_at > now:
        return _turn(room, entry)
    return None


def _entry_locked(room: WaitingRoom, user_id: int) -> QueueEntry:
    """The account's place, its row locked for the rest of the transaction."""
    entry = QueueEntry.objects.select_for_update().filter(room=room, user_id=user_id).first()
    if entry is None:
        raise NotInQueue()
    return entry


def turn_claim(*, user_id: int, event_id: int, now: datetime | None = None) -> Turn:
    now = now or timezone.now()
    with transaction.atomic():
        room = room_of(event_id)
        entry = _entry_locked(room, user_id)
        if entry.claimed_at is not None:
            if (turn := turn_running(entry, room, now)) is None:
                raise TurnLapsed("Your turn is over.")
            return turn
        if room.state == WaitingRoom.State.SOLD_OUT:
            raise SoldOut()
        if entry.number is None or entry.called_at is None:
            raise NotYourTurn("Your number has not been called yet.")
        if claim_deadline(entry, room) < now:
            raise TurnLapsed("Your number was called and not claimed in time.")
        entry.claimed_at = now
        entry.turn_expires_at = now + timedelta(seconds=room.turn_seconds)
        entry.save(update_fields=["claimed_at", "turn_expires_at"])
        return _turn(room, entry)


def turn_extend(*, user_id: int, event_id: int, now: datetime | None = None) -> Turn:
    """One more `turn_seconds`, once (WCAG 2.2.1: a user can extend a time limit)."""
    now = now or timezone.now()
    with transaction.atomic():
        room = room_of(event_id)
        entry = _entry_locked(room, user_id)
        if entry.claimed_at is None:
            raise NotYourTurn("You have no turn to extend yet.")
        if entry.turn_expires_at <= now:
            raise TurnLapsed("Your turn is over.")
        if entry.extended:
            raise TurnExtended()
        entry.turn_expires_at += timedelta(seconds=room.turn_seconds)
        entry.extended = True
        entry.save(update_fields=["turn_expires_at", "extended"])
        return _turn(room, entry)

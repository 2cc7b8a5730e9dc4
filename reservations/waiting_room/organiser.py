"""What an organiser does to an event's waiting room: put one in front of its sale, set the
public randomness once it is published, revoke every turn (the admin and the commands)."""

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from reservations.models import Event, WaitingRoom

from .beacon import signature_problem, source_problem
from .rooms_in_memory import rooms


def times_problem(opens_at: datetime, on_sale_at: datetime) -> str | None:
    """What is wrong with a room's times, if anything (the admin, the command, room_create)."""
    if on_sale_at < opens_at:
        return "The on-sale cannot come before the queue opens."
    return None


def randomness_problem(room: WaitingRoom, value: str) -> str | None:
    """A drawn room's randomness is final: the proof was computed with it. Before, a value is
    taken only if it is the named round's signature (beacon.py)."""
    if value == room.public_randomness:
        return None
    if room.drawn_at is not None:
        return "The draw is done: its randomness is final."
    if value and not room.randomness_source:
        return "Name the drand round first: the value is checked against it."
    return signature_problem(room.randomness_source, value) if value else None


def source_change_problem(
    room: WaitingRoom | None, source: str, on_sale_at: datetime
) -> str | None:
    """A room's randomness source is named before its queue opens, and never changed after."""
    if room is not None and source != room.randomness_source and room.opens_at <= timezone.now():
        return "The queue has opened: its randomness source is fixed."
    return source_problem(source, on_sale_at)


def room_create(
    *, event: Event, opens_at: datetime, on_sale_at: datetime, randomness_source: str = "", **fields
) -> WaitingRoom:
    if problem := times_problem(opens_at, on_sale_at) or source_problem(
        randomness_source, on_sale_at
    ):
        raise ValueError(problem)
    room = WaitingRoom.objects.create(
        event=event,
        opens_at=opens_at,
        on_sale_at=on_sale_at,
        randomness_source=randomness_source,
        **fields,
    )
    rooms.forget()
    return room


def turns_revoke(*, event_id: int) -> None:
    """End every turn token issued so far (each process knows within ROOMS_MAX_AGE)."""
    WaitingRoom.objects.filter(event_id=event_id).update(generation=F("generation") + 1)
    rooms.forget()

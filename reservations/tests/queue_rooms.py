"""What the waiting room's tests share: an event with a room whose clock the test sets."""

from datetime import timedelta

from django.utils import timezone

from reservations.waiting_room.organiser import room_create

from .factories import event_with_seats


def event_with_room(
    *, seats: int = 10, opens_in: float = -60, on_sale_in: float = 0, now=None, **room
):
    """An event of `seats` seats with a waiting room opening and going on sale that many
    seconds from `now` (default: the clock; negative: already)."""
    event = event_with_seats(rows=1, seats_per_row=seats)
    now = now or timezone.now()
    room_create(
        event=event,
        opens_at=now + timedelta(seconds=opens_in),
        on_sale_at=now + timedelta(seconds=on_sale_in),
        **room,
    )
    return event

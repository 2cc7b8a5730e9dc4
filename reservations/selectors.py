"""Read queries. Nothing here writes, and nothing here shapes JSON (api/presenters.py does).

The seat map is read for every page load and every WebSocket snapshot, of events of up to tens
of thousands of seats, so it is two queries of plain tuples in the column order of
services/sql.py rather than model instances run through a serializer (about ten times faster on
a 10,000-seat event)."""

from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, Min, Prefetch, QuerySet
from django.utils import timezone

from .exceptions import NotFound
from .models import Event, PriceCategory, Reservation, ReservedSeat, Seat
from .rules import free_q
from .services.sql import SEAT_FIELDS


class SeatRows(NamedTuple):
    """Seats as read: plain tuples in layout order, and the clock their state is judged by."""

    rows: list[tuple]
    read_at: datetime


class EventLayout(NamedTuple):
    """The drawing of an event's room: its layout's plan, its own seats' positions (id, x, y,
    rotation) in layout order."""

    event_id: int
    width: float
    height: float
    shapes: list
    seats: list[tuple]


# The columns of a WebSocket snapshot's seats (presenters.seat_states_json).
STATE_FIELDS = ("id", "status", "version", "locked_until")


def _events_with_counts(now: datetime) -> QuerySet[Event]:
    return Event.objects.annotate(
        price_min=Min("seats__price"),
        price_max=Max("seats__price"),
        seats_total=Count("seats"),
        seats_available=Count("seats", filter=free_q(now, prefix="seats__")),
    )


def event_list() -> QuerySet[Event]:
    """Soonest first; lazy, so a page of it counts only that page's seats."""
    return _events_with_counts(timezone.now()).order_by("starts_at", "id")


def event_get(*, event_id: int) -> Event:
    """One event with its seat counts and its price categories (`event.categories_counted`)."""
    now = timezone.now()
    event = _events_with_counts(now).filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    event.categories_counted = list(
        PriceCategory.objects.filter(event_id=event_id)
        .annotate(
            seats_total=Count("seats"),
            seats_available=Count("seats", filter=free_q(now, prefix="seats__")),
        )
        .order_by("position", "id")
    )
    return event


def event_exists(*, event_id: int) -> bool:
    return Event.objects.filter(pk=event_id).exists()


def seat_map_get(*, event_id: int) -> SeatRows:
    """Every seat of the event in layout order, columns as sql.SEAT_FIELDS: two queries."""
    if not Event.objects.filter(pk=event_id).exists():
        raise NotFound("No such event.")
    now = timezone.now()
    rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*SEAT_FIELDS)
    return SeatRows(list(rows), now)


def layout_get(*, event_id: int) -> EventLayout:
    """The plan of an event sold on a venue layout: two queries. A grid event has none (404)."""
    event = Event.objects.select_related("layout").filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    if event.layout is None:
        raise NotFound("This event has no layout: its seats are a grid.")
    seats = Seat.objects.filter(event_id=event_id).order_by("id")
    return EventLayout(
        event_id=event_id,
        width=event.layout.width,
        height=event.layout.height,
        shapes=event.layout.shapes,
        seats=list(seats.values_list("id", "x", "y", "rotation")),
    )


def seat_states_get(*, event_id: int) -> SeatRows:
    """The seats of a WebSocket snapshot, columns as STATE_FIELDS: nothing about who."""
    now = timezone.now()
    rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*STATE_FIELDS)
    return SeatRows(list(rows), now)


def _reservations_of(user: AbstractBaseUser) -> QuerySet[Reservation]:
    return (
        Reservation.objects.filter(user=user)
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "reserved_seats",
                queryset=ReservedSeat.objects.select_related("seat").order_by("seat_id"),
            )
        )
        .order_by("-created_at", "-id")
    )


def reservation_list(*, user: AbstractBaseUser) -> QuerySet[Reservation]:
    return _reservations_of(user)


def reservation_get(*, user: AbstractBaseUser, reservation_id: int) -> Reservation:
    """One of the caller's reservations; someone else's is indistinguishable from none."""
    reservation = _reservations_of(user).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation

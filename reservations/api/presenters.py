"""Every JSON shape the server writes, each once: seats as the API shows them (API.md), seat
states and changes as the WebSocket pushes them (PROTOCOL.md), the lock and unlock answers,
reservations (`reservation_json`), and the output serializers of users and events. The map
documents' (`map/`, `layout/`) are map_presenters.py's, the console's console_presenters.py's.

Selectors and services return data (rows, model instances); these turn it into what a client
reads. Seats are shaped by hand from tuples (a seat map is tens of thousands of seats, about
ten times faster than a serializer); `SeatOutput` describes that shape for the OpenAPI schema.
Reservations are shaped by hand from a `ReservationRecord`, as the booking steps return it and as
`booking_of` makes it from the ORM's reads, so that the fast path (api/fast.py) answers with the
same writer as Django; `ReservationOutput` describes that shape. Events, read a few at a time,
go through DRF serializers.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reservations.booking.best import BestOutcome
from reservations.booking.bookings import ReservationRecord, ReservedSeatRecord
from reservations.booking.sql import SEAT_FIELDS, SeatRow
from reservations.models import Reservation, ReservedSeat, Seat
from reservations.rules import effective_status, holder_id, purchase_limit_of
from reservations.selectors import SeatRows
from reservations.waiting_room.rooms_in_memory import rooms
from reservations.wire_values import iso, money

Status = Seat.Status


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class SeatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    section = serializers.CharField()
    row = serializers.CharField()
    number = serializers.IntegerField()
    price = serializers.CharField()
    status = serializers.ChoiceField(choices=["available", "locked", "paying", "reserved"])
    version = serializers.IntegerField()
    locked_until = serializers.CharField(allow_null=True)
    mine = serializers.BooleanField()
    category = serializers.IntegerField(help_text="The id of the seat's price category.")
    accessible = serializers.BooleanField(help_text="A wheelchair space or seat.")
    companion = serializers.BooleanField(help_text="A seat beside an accessible one.")
    restricted_view = serializers.BooleanField()
    blocked = serializers.BooleanField(help_text="Never on sale; listed as reserved.")


class CategoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    colour = serializers.CharField(help_text="#rrggbb")
    seats_total = serializers.IntegerField()
    seats_available = serializers.IntegerField()


class QueueTimesOutput(serializers.Serializer):
    opens_at = serializers.DateTimeField()
    on_sale_at = serializers.DateTimeField()


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    venue = serializers.CharField()
    starts_at = serializers.DateTimeField()
    price_min = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    price_max = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    seats_total = serializers.IntegerField()
    seats_available = serializers.IntegerField()
    currency = serializers.CharField(help_text="ISO 4217, e.g. EUR: what the prices are in")
    queue = serializers.SerializerMethodField(
        help_text="the event's waiting room (API.md), null for an event without one"
    )

    @extend_schema_field(QueueTimesOutput(allow_null=True))
    def get_queue(self, event) -> dict | None:
        # Set by a reader on the loop (loop_reads.py), which must not read the rooms itself.
        times = getattr(event, "queue_times", None)
        if times is None:
            room = rooms.room_of(event.pk)
            times = (room.opens_at, room.on_sale_at) if room else ()
        return {"opens_at": iso(times[0]), "on_sale_at": iso(times[1])} if times else None


class EventDetailOutput(EventOutput):
    description = serializers.CharField()
    categories = CategoryOutput(many=True, source="categories_counted")
    hold_limit = serializers.SerializerMethodField(
        help_text="the most seats one buyer may hold at once (SEAT_HOLD_LIMIT)"
    )
    purchase_limit = serializers.SerializerMethodField(
        help_text="the most seats of this event one account may hold and have booked together "
        "(the organiser's, or SEAT_PURCHASE_LIMIT)"
    )
    hold_seconds = serializers.SerializerMethodField(
        help_text="how long a hold lasts (SEAT_LOCK_SECONDS)"
    )

    def get_hold_limit(self, event) -> int:
        return settings.SEAT_HOLD_LIMIT

    def get_purchase_limit(self, event) -> int:
        return purchase_limit_of(event)

    def get_hold_seconds(self, event) -> int:
        return settings.SEAT_LOCK_SECONDS


# A seat as the door's scan names it; a console's booking adds its price (console_presenters.py).
class SeatPlace(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    section = serializers.CharField()
    row = serializers.CharField()


class ReservationOutput(serializers.Serializer):
    """A reservation, for the OpenAPI schema; written by `reservation_json`, on both paths."""

    class EventBrief(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        starts_at = serializers.DateTimeField()

    class SeatBrief(serializers.Serializer):
        id = serializers.IntegerField(source="seat_id")
        label = serializers.CharField(source="seat.label")
        section = serializers.CharField(source="seat.section")
        row = serializers.CharField(source="seat.row")
        price = serializers.DecimalField(max_digits=10, decimal_places=2)

    id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    event = EventBrief()
    seats = SeatBrief(many=True, source="reserved_seats.all")
    total_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    pay_by = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Reservation) -> dict:
        """`instance` as read by selectors (its event and seats with it)."""
        return reservation_json(booking_of(instance))


_SEAT_ACTION_MESSAGES = {
    "lock": "Seat {} is held for you.",
    "unlock": "Seat {} is released.",
    "extend": "Seat {} is held for you a little longer.",
}


def _public_state(status: str, locked_until: datetime | None, now: datetime) -> tuple:
    """(status, locked_until) as anyone may see them: an ended lock shows as available."""
    status = effective_status(status, locked_until, now)
    return status, (iso(locked_until) if status == Status.LOCKED else None)


def seat_json(row: tuple, *, user_id: int | None, now: datetime) -> dict:
    """A seat for the API, `mine` for the caller; `row` in the order of sql.SEAT_FIELDS."""
    (
        seat_id,
        label,
        section,
        row_name,
        number,
        price,
        status,
        version,
        until,
        locker,
        owner,
        category,
        accessible,
        companion,
        restricted_view,
        blocked,
    ) = row
    status, locked_until = _public_state(status, until, now)
    holder = holder_id(status, locker, owner)
    return {
        "id": seat_id,
        "label": label,
        "section": section,
        "row": row_name,
        "number": number,
        "price": money(price),
        "status": status,
        "version": version,
        "locked_until": locked_until,
        "mine": user_id is not None and holder == user_id,
        "category": category,
        "accessible": accessible,
        "companion": companion,
        "restricted_view": restricted_view,
        "blocked": blocked,
    }


def seat_map_json(event_id: int, seats: SeatRows, *, user_id: int | None) -> dict:
    """GET /api/events/{id}/seats/."""
    rows, now = seats
    return {"event_id": event_id, "seats": [seat_json(r, user_id=user_id, now=now) for r in rows]}


def seat_action_json(action: str, seat: Seat, *, user_id: int) -> dict:
    """The answer to lock and unlock, through Django and on the fast path alike."""
    return {
        "success": True,
        "message": _SEAT_ACTION_MESSAGES[action].format(seat.label),
        "seat": seat_json(_seat_row(seat), user_id=user_id, now=timezone.now()),
    }


def _seat_row(seat: Seat | SeatRow) -> tuple:
    """A seat in the order of sql.SEAT_FIELDS, as `seat_json` reads it."""
    return seat if isinstance(seat, tuple) else tuple(getattr(seat, f) for f in SEAT_FIELDS)


ENDED = (Reservation.Status.CANCELLED, Reservation.Status.EXPIRED)


def booking_of(reservation: Reservation) -> ReservationRecord:
    """A reservation read through the ORM (selectors), as the booking steps return one."""
    return ReservationRecord(
        id=reservation.id,
        status=reservation.status,
        created_at=reservation.created_at,
        cancelled_at=reservation.cancelled_at,
        total_price=reservation.total_price,
        event_id=reservation.event_id,
        event_name=reservation.event.name,
        event_starts_at=reservation.event.starts_at,
        seats=[
            reserved_seat_record(r)
            for r in reservation.reserved_seats.all()
            # A live booking's seats now (staff may have moved or refunded some); an ended
            # one's, all it had.
            if r.is_active or reservation.status in ENDED
        ],
        pay_by=reservation.pay_by,
    )


def reserved_seat_record(r: ReservedSeat) -> ReservedSeatRecord:
    return ReservedSeatRecord(r.seat_id, r.seat.label, r.seat.section, r.seat.row, r.price)


def booked_seats_json(seats: Iterable[ReservedSeatRecord]) -> list[dict]:
    """A booking's seats, in a buyer's reservation and in the console's booking alike."""
    return [
        {"id": s.id, "label": s.label, "section": s.section, "row": s.row, "price": money(s.price)}
        for s in seats
    ]


def reservation_json(booking: ReservationRecord) -> dict:
    """A reservation (API.md): list, detail, and the reserve and cancel answers of both paths."""
    return {
        "id": booking.id,
        "status": booking.status,
        "created_at": iso(booking.created_at),
        "cancelled_at": iso(booking.cancelled_at),
        "event": {
            "id": booking.event_id,
            "name": booking.event_name,
            "starts_at": iso(booking.event_starts_at),
        },
        "seats": booked_seats_json(booking.seats),
        "total_price": money(booking.total_price),
        "pay_by": iso(booking.pay_by),
    }


def reserve_json(booking: ReservationRecord) -> dict:
    """The answer to reserve (201), a replay's too."""
    return {"success": True, "reservation": reservation_json(booking)}


def cancel_json(booking: ReservationRecord) -> dict:
    """The answer to cancel."""
    return {
        "success": True,
        "message": "Your reservation is cancelled and its seats are free again.",
        "reservation": reservation_json(booking),
    }


def seats_lock_json(seats: Sequence[Seat | SeatRow], *, user_id: int) -> dict:
    """The answer to locking several seats."""
    now = timezone.now()
    rows = [_seat_row(seat) for seat in seats]
    return {"success": True, "seats": [seat_json(r, user_id=user_id, now=now) for r in rows]}


def best_json(outcome: BestOutcome, *, user_id: int) -> dict:
    """The answer to best available: the held block as the multi-seat lock shows seats."""
    return {
        **seats_lock_json(outcome.seats, user_id=user_id),
        "together": outcome.together,
        "alternatives": [list(block) for block in outcome.alternatives],
    }

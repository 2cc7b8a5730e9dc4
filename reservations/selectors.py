"""Read queries. Nothing here writes.

The seat map is read for every page load and every WebSocket snapshot, of events of up to tens
of thousands of seats, so it is two queries of plain tuples shaped by hand rather than model
instances run through a serializer (about ten times faster on a 10,000-seat event).
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from .exceptions import NotFound
from .models import Event, Reservation, ReservedSeat, Seat

Status = Seat.Status


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as API.md writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def effective_status(status: str, locked_until: datetime | None, now: datetime) -> str:
    """An ended lock is available from its `locked_until` on, whether or not the sweeper ran."""
    if status == Status.LOCKED and (locked_until is None or locked_until <= now):
        return Status.AVAILABLE
    return status


def _events_with_counts(now: datetime) -> QuerySet[Event]:
    available = Q(seats__status=Status.AVAILABLE) | Q(
        seats__status=Status.LOCKED, seats__locked_until__lte=now
    )
    return Event.objects.annotate(
        price_min=Min("seats__price"),
        price_max=Max("seats__price"),
        seats_total=Count("seats"),
        seats_available=Count("seats", filter=available),
    )


def event_list() -> list[Event]:
    return list(_events_with_counts(timezone.now()).order_by("starts_at", "id"))


def event_get(*, event_id: int) -> Event:
    event = _events_with_counts(timezone.now()).filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    return event


def event_exists(*, event_id: int) -> bool:
    return Event.objects.filter(pk=event_id).exists()


def seat_map_get(*, event_id: int, user: AbstractBaseUser | None) -> dict:
    """Every seat of the event in layout order, with its effective status: two queries."""
    if not Event.objects.filter(pk=event_id).exists():
        raise NotFound("No such event.")
    user_id = user.pk if user is not None and user.is_authenticated else None
    now = timezone.now()
    rows = (
        Seat.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list(
            "id",
            "label",
            "section",
            "row",
            "number",
            "price",
            "status",
            "version",
            "locked_until",
            "locked_by_id",
            "reserved_by_id",
        )
    )
    seats = []
    for seat_id, label, section, row, number, price, status, version, until, locker, owner in rows:
        status = effective_status(status, until, now)
        locked = status == Status.LOCKED
        seats.append(
            {
                "id": seat_id,
                "label": label,
                "section": section,
                "row": row,
                "number": number,
                "price": f"{price:.2f}",
                "status": status,
                "version": version,
                "locked_until": iso(until) if locked else None,
                "mine": user_id is not None
                and (
                    (locked and locker == user_id)
                    or (status == Status.RESERVED and owner == user_id)
                ),
            }
        )
    return {"event_id": event_id, "seats": seats}


def seat_states_get(*, event_id: int) -> list[dict]:
    """The WebSocket snapshot's seats: only what PROTOCOL.md pushes, nothing about who."""
    now = timezone.now()
    rows = (
        Seat.objects.filter(event_id=event_id)
        .order_by("id")
        .values_list("id", "status", "version", "locked_until")
    )
    states = []
    for seat_id, status, version, until in rows:
        status = effective_status(status, until, now)
        states.append(
            {
                "id": seat_id,
                "status": status,
                "version": version,
                "locked_until": iso(until) if status == Status.LOCKED else None,
            }
        )
    return states


def seat_detail(seat: Seat, *, user: AbstractBaseUser) -> dict:
    """One seat as the lock and unlock answers show it, for the caller."""
    now = timezone.now()
    status = effective_status(seat.status, seat.locked_until, now)
    locked = status == Status.LOCKED
    return {
        "id": seat.id,
        "label": seat.label,
        "section": seat.section,
        "row": seat.row,
        "number": seat.number,
        "price": money(seat.price),
        "status": status,
        "version": seat.version,
        "locked_until": iso(seat.locked_until) if locked else None,
        "mine": (locked and seat.locked_by_id == user.pk)
        or (status == Status.RESERVED and seat.reserved_by_id == user.pk),
    }


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


def reservation_list(*, user: AbstractBaseUser) -> list[Reservation]:
    return list(_reservations_of(user))


def reservation_get(*, user: AbstractBaseUser, reservation_id: int) -> Reservation:
    """One of the caller's reservations; someone else's is indistinguishable from none."""
    reservation = _reservations_of(user).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False

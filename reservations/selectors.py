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
from .models import Event, Reservation, ReservedSeat, Seat, effective_status, ended_lock_q

Status = Seat.Status


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as API.md writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _public_state(status: str, locked_until: datetime | None, now: datetime) -> tuple:
    """(status, locked_until) as anyone may see them: an ended lock shows as available."""
    status = effective_status(status, locked_until, now)
    return status, (iso(locked_until) if status == Status.LOCKED else None)


def _seat_view(seat: tuple, *, user_id: int | None, now: datetime) -> dict:
    """A seat for the API, `mine` for the caller; `seat` in the order of _SEAT_VIEW_FIELDS."""
    seat_id, label, section, row, number, price, status, version, until, locker, owner = seat
    status, locked_until = _public_state(status, until, now)
    holder = locker if status == Status.LOCKED else owner if status == Status.RESERVED else None
    return {
        "id": seat_id,
        "label": label,
        "section": section,
        "row": row,
        "number": number,
        "price": money(price),
        "status": status,
        "version": version,
        "locked_until": locked_until,
        "mine": user_id is not None and holder == user_id,
    }


_SEAT_VIEW_FIELDS = (
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


def _events_with_counts(now: datetime) -> QuerySet[Event]:
    available = Q(seats__status=Status.AVAILABLE) | ended_lock_q(now, prefix="seats__")
    return Event.objects.annotate(
        price_min=Min("seats__price"),
        price_max=Max("seats__price"),
        seats_total=Count("seats"),
        seats_available=Count("seats", filter=available),
    )


def event_list() -> QuerySet[Event]:
    """Soonest first; lazy, so a page of it counts only that page's seats."""
    return _events_with_counts(timezone.now()).order_by("starts_at", "id")


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
    rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*_SEAT_VIEW_FIELDS)
    return {"event_id": event_id, "seats": [_seat_view(r, user_id=user_id, now=now) for r in rows]}


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
        status, locked_until = _public_state(status, until, now)
        states.append(
            {"id": seat_id, "status": status, "version": version, "locked_until": locked_until}
        )
    return states


def seat_detail(seat: Seat, *, user_id: int) -> dict:
    """One seat as the lock and unlock answers show it, for the caller."""
    values = tuple(getattr(seat, field) for field in _SEAT_VIEW_FIELDS)
    return _seat_view(values, user_id=user_id, now=timezone.now())


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


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False

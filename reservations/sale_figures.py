"""What the organiser's console reads of a sale (docs/API.md "The organiser's console"): its
figures, its bookings with search, and a booking's story from the ledger.

The console's live counts come from the seat frames every watcher gets (the client counts
them); these are read once when it opens and after each booking it sees: the money taken, the
booking rate, the waiting room.
"""

from datetime import timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .ledger.models import SeatChange
from .models import Event, Reservation, Seat, WaitingRoom
from .money import AWAITING, REFUNDED, TAKEN
from .rules import live_lock_q

Status = Seat.Status
BOOKING_RATE_WINDOW = timedelta(minutes=1)


def _counts(seats: QuerySet, now) -> dict:
    return {
        "free": Count(
            "id", filter=Q(status=Status.AVAILABLE) | Q(status=Status.LOCKED, held_until__lte=now)
        ),
        "held": Count("id", filter=live_lock_q(now)),
        "paying": Count("id", filter=Q(status=Status.PAYING)),
        "booked": Count("id", filter=Q(status=Status.RESERVED, blocked=False)),
        "kept": Count("id", filter=Q(off_sale=Seat.OffSale.KEPT)),
        "killed": Count("id", filter=Q(off_sale=Seat.OffSale.KILLED)),
    }


def sale_figures(*, event_id: int) -> dict:
    """The sale by price category and by section, the money, the booking rate, the waiting
    room: five queries, whatever the event's size."""
    event = Event.objects.found(event_id)
    now = timezone.now()
    seats = Seat.objects.filter(event_id=event_id).order_by()
    counts = _counts(seats, now)
    by_category = {
        row.pop("category_id"): row for row in seats.values("category_id").annotate(**counts)
    }
    sections = list(seats.values("section").annotate(**counts).order_by("section"))
    money = Reservation.objects.filter(event_id=event_id).aggregate(
        taken=TAKEN,
        refunded=REFUNDED,
        awaiting=AWAITING,
        bookings_last_minute=Count("id", filter=Q(created_at__gt=now - BOOKING_RATE_WINDOW)),
    )
    earliest = seats.filter(live_lock_q(now)).aggregate(at=Min("held_until"))["at"]
    return {
        "event_id": event_id,
        "currency": event.currency,
        "categories": [
            {"id": c.pk, "name": c.name, "price": c.price, **by_category.get(c.pk, _none())}
            for c in event.categories.all()
        ],
        "sections": sections,
        "earliest_hold_ends_at": earliest,
        "money_taken": money["taken"],
        "refunded": money["refunded"],
        "money_awaiting": money["awaiting"],
        "bookings_last_minute": money["bookings_last_minute"],
        "queue": _queue(event_id),
    }


def _none() -> dict:
    return dict.fromkeys(("free", "held", "paying", "booked", "kept", "killed"), 0)


def _queue(event_id: int) -> dict | None:
    room = WaitingRoom.objects.filter(event_id=event_id).first()
    if room is None:
        return None
    return {
        "state": room.state,
        "waiting": max(room.joined - room.serving, 0),
        "serving": room.serving,
        "rate": room.rate,
        "joined": room.joined,
    }


def bookings_of(*, event_id: int, search: str = "") -> QuerySet[Reservation]:
    """The event's bookings, newest first; `search` finds a buyer's name, email or username,
    a seat's label, or a booking's number."""
    bookings = Reservation.objects.filter(event_id=event_id).select_related("user", "event")
    if search:
        match = (
            Q(buyer_name__icontains=search)
            | Q(buyer_email__icontains=search)
            | Q(user__username__icontains=search)
            | Q(user__email__icontains=search)
            | Q(reserved_seats__seat__label__iexact=search)
        )
        if search.isascii() and search.isdigit():  # "²" is a digit, not a number
            match |= Q(pk=int(search))
        bookings = bookings.filter(match).distinct()
    return bookings.prefetch_related("reserved_seats__seat").order_by("-created_at", "-id")


def booking_story(reservation: Reservation) -> QuerySet[SeatChange]:
    """Every change of the booking's seats that names it, newest first."""
    return (
        SeatChange.objects.filter(event_id=reservation.event_id, reservation_id=reservation.pk)
        .select_related("seat", "actor", "account")
        .order_by("-id")
    )

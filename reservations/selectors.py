"""Read queries. Nothing here writes, and nothing here shapes JSON (api/presenters.py does).

The seat map is read for every page load and every WebSocket snapshot, of events of up to tens
of thousands of seats, so it is two queries of plain tuples in the column order of
booking/sql/ rather than model instances run through a serializer (about ten times faster on
a 10,000-seat event)."""

from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Max, Min, Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .booking.buyer_policy import HoldRun
from .booking.holds import hold_run_steps
from .booking.runner import run
from .booking.sql import SEAT_FIELDS
from .exceptions import NoLayout, NotFound
from .live_seats import category_counts
from .models import Event, PriceCategory, Reservation, ReservedSeat, Seat, VenueLayout
from .rules import free_q


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


# The columns of a WebSocket snapshot's seats.
STATE_FIELDS = ("id", "status", "version", "held_until")


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


def events_counted_live(events: list[Event]) -> list[Event]:
    """`events` (of `event_list`) with their seat counts from the server's memory of each it
    has one of (as `event_get` and the seat list count them), else as the database counted."""
    for event in events:
        counts = category_counts(event_id=event.pk, map_version=event.map_version)
        if counts is not None:
            event.seats_total = sum(total for total, _ in counts.values())
            event.seats_available = sum(free for _, free in counts.values())
    return events


def event_get(*, event_id: int) -> Event:
    """One event with its seat counts and its price categories (`event.categories_counted`).

    The counts come from the server's memory of the event when it has one (live_seats.py: an
    arriving crowd reads this once each), else from one grouped count of its seats."""
    event = Event.objects.found(event_id)
    categories = list(PriceCategory.objects.filter(event_id=event_id).order_by("position", "id"))
    counts = category_counts(event_id=event_id, map_version=event.map_version)
    if counts is None:
        counts = _category_counts_counted(event_id, timezone.now())
    return event_counted(event, categories, counts)


def event_counted(
    event: Event, categories: list[PriceCategory], counts: dict[int, tuple[int, int]]
) -> Event:
    """`event` with its categories (in their order) and each one's (seats, seats available)
    from `counts`, as `event_get` gives it (also read on the loop: api/loop_reads.py)."""
    for category in categories:
        category.seats_total, category.seats_available = counts.get(category.pk, (0, 0))
    priced = [c.price for c in categories if c.seats_total]
    event.price_min, event.price_max = (min(priced), max(priced)) if priced else (None, None)
    event.seats_total = sum(c.seats_total for c in categories)
    event.seats_available = sum(c.seats_available for c in categories)
    event.categories_counted = categories
    return event


def _category_counts_counted(event_id: int, now: datetime) -> dict[int, tuple[int, int]]:
    rows = (
        Seat.objects.filter(event_id=event_id)
        .values("category_id")
        .annotate(total=Count("id"), available=Count("id", filter=free_q(now)))
        .order_by()
    )
    return {row["category_id"]: (row["total"], row["available"]) for row in rows}


def event_exists(*, event_id: int) -> bool:
    return Event.objects.filter(pk=event_id).exists()


def seat_map_get(*, event_id: int) -> SeatRows:
    """Every seat of the event in layout order, columns as sql.SEAT_FIELDS: two queries."""
    Event.objects.found(event_id)
    now = timezone.now()
    rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*SEAT_FIELDS)
    return SeatRows(list(rows), now)


def layout_get(*, event_id: int) -> EventLayout:
    """The plan of an event sold on a venue layout: two queries. A grid event has none (404)."""
    event = Event.objects.select_related("layout").found(event_id)
    if event.layout is None:
        raise NoLayout()
    seats = Seat.objects.filter(event_id=event_id).order_by("id")
    return EventLayout(
        event_id=event_id,
        width=event.layout.width,
        height=event.layout.height,
        shapes=event.layout.shapes,
        seats=list(seats.values_list("id", "x", "y", "rotation")),
    )


class MapVersion(NamedTuple):
    """What names the static part of an event's seat map: the event's `map_version`, and its
    creation time, so that a document never outlives its event (an id used again)."""

    event_id: int
    version: int
    created_at: datetime
    has_layout: bool


class PlanSeat(NamedTuple):
    """A seat's static columns, as GET .../map/ (api/map_presenters.py) and the seat list
    (realtime/seat_list.py) write them."""

    id: int
    label: str
    section: str
    row: str
    number: int
    category_id: int
    accessible: bool
    companion: bool
    restricted_view: bool
    blocked: bool
    x: float
    y: float
    rotation: float


class SeatPlan(NamedTuple):
    """Everything about an event's seats that does not change while they are on sale: its
    categories (id, name, price, colour) in the organiser's order, its seats in layout order
    (PlanSeat), and its room's plan (width, height, shapes), none for a grid."""

    version: MapVersion
    categories: list[tuple]
    seats: list[PlanSeat]
    plan: tuple[float, float, list] | None


def map_version_get(*, event_id: int) -> MapVersion:
    """One query of one row: enough to answer a revalidation of map/ or layout/."""
    row = Event.objects.filter(pk=event_id).values_list("map_version", "created_at", "layout_id")
    found = row.first()
    if found is None:
        raise NotFound("No such event.")
    version, created_at, layout_id = found
    return MapVersion(event_id, version, created_at, layout_id is not None)


def seat_plan_get(*, version: MapVersion) -> SeatPlan:
    """The seats' static columns, their categories and the plan: three queries.

    Read after `version`, so what they say is at least that version (a newer one is harmless:
    its own version's document is built when asked). Seats are read before categories; should a
    category have been added and filled, or emptied and removed, in between, both are read
    again (either write bumps the version, so this is rare and the next version is coming)."""
    event_id = version.event_id
    plan = None
    if version.has_layout:
        layout = VenueLayout.objects.filter(events=event_id).values_list(
            "width", "height", "shapes"
        )
        plan = layout.first()
    seats: list[PlanSeat] = []
    categories: list[tuple] = []
    for _ in range(3):
        rows = Seat.objects.filter(event_id=event_id).order_by("id").values_list(*PlanSeat._fields)
        seats = [PlanSeat._make(row) for row in rows]
        categories = list(
            PriceCategory.objects.filter(event_id=event_id)
            .order_by("position", "id")
            .values_list("id", "name", "price", "colour")
        )
        known = {category[0] for category in categories}
        if all(seat.category_id in known for seat in seats):
            break
    return SeatPlan(version, categories, seats, plan)


def live_seats_get(*, event_id: int) -> tuple[int, list[tuple]]:
    """The seats as stored, for a server's live map: the event's map version (read first: the
    seats are at least that new), then STATE_FIELDS, whose each is (its holder or its buyer),
    its label and category.

    Holds that have ended are as stored (`locked`): the reader applies rules.py's rule at the
    moment it answers, not at the moment it read."""
    map_version = Event.objects.filter(pk=event_id).values_list("map_version", flat=True).first()
    fields = (*STATE_FIELDS, "owner", "label", "category_id")
    seats = (
        Seat.objects.filter(event_id=event_id)
        .annotate(owner=Coalesce("held_by_id", "reserved_by_id"))
        .order_by("id")
        .values_list(*fields)
    )
    return map_version or 0, list(seats)


def hold_run_get(*, user: AbstractBaseUser, event_id: int) -> HoldRun:
    """The caller's run of holds of the event (rules.py), as a hold now would find it: one
    statement of index lookups on the seat rows, no lock."""
    return run(hold_run_steps(user_id=user.pk, event_id=event_id))


def reservation_list(*, user: AbstractBaseUser) -> QuerySet[Reservation]:
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


def reservation_get(*, user: AbstractBaseUser, reservation_id: int) -> Reservation:
    """One of the caller's reservations; someone else's is indistinguishable from none."""
    reservation = reservation_list(user=user).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFound("No such reservation.")
    return reservation

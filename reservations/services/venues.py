"""Venue layouts: a room read from a layout file, events sold in it, and the file back out.

A layout (`VenueLayout`, its `LayoutSeat`s) is reusable: each event created on it gets seat
rows of its own, copied in layout order (so id order stays layout order, as the locking rules
and the seat list expect), and price categories of its own, started from the layout's. Export
writes what the event sells now (its categories, which seat is in which), so importing an
export gives the same room and the same prices.
"""

import hashlib
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from ..exceptions import NoLayout
from ..models import Event, LayoutSeat, PriceCategory, Seat, VenueLayout
from ..venues.layout_file import CategorySpec, LayoutSpec, SeatSpec, parse_layout
from .bulk_rows import columns_with_defaults, rows_insert

_SEAT_FLAGS = ("accessible", "companion", "restricted_view", "aisle")
# What a seat of a room is, wherever it is copied: file -> layout -> event -> file.
_PLACE = ("section", "row", "number", "label", "x", "y", "rotation", *_SEAT_FLAGS)


def _place(seat) -> dict:
    return {field: getattr(seat, field) for field in _PLACE}


def layout_digest(spec: LayoutSpec) -> str:
    """The room's fingerprint: a parsed file is frozen tuples all the way down."""
    return hashlib.sha256(repr(spec).encode()).hexdigest()


def layout_create(*, spec: LayoutSpec) -> VenueLayout:
    """Store a parsed layout file as a reusable room; the same room read again is the one
    stored already."""
    digest = layout_digest(spec)
    with transaction.atomic():
        if same := VenueLayout.objects.filter(digest=digest).order_by("id").first():
            return same
        layout = VenueLayout.objects.create(
            digest=digest,
            name=spec.name,
            width=spec.width,
            height=spec.height,
            shapes=[dict(shape) for shape in spec.shapes],
            categories=[
                {"name": c.name, "price": f"{c.price:.2f}", "colour": c.colour}
                for c in spec.categories
            ],
        )
        rows_insert(
            LayoutSeat,
            ("layout", "category", *_PLACE),
            ((layout.pk, s.category, *(getattr(s, f) for f in _PLACE)) for s in spec.seats),
        )
        return layout


def event_create_on_layout(
    *,
    layout: VenueLayout,
    name: str,
    starts_at: datetime,
    venue: str = "",
    description: str = "",
    orphan_mode: str = Event.OrphanMode.OFF,
) -> Event:
    """An event sold in this room: its own categories and seats, copied from the layout's."""
    with transaction.atomic():
        event = Event.objects.create(
            name=name,
            venue=venue or layout.name,
            description=description,
            starts_at=starts_at,
            layout=layout,
            orphan_mode=orphan_mode,
        )
        PriceCategory.objects.bulk_create(
            PriceCategory(
                event=event,
                name=c["name"],
                price=Decimal(c["price"]),
                colour=c["colour"],
                position=position,
            )
            for position, c in enumerate(layout.categories)
        )
        _seats_copy(layout=layout, event=event)
        return event


def _seats_copy(*, layout: VenueLayout, event: Event) -> None:
    """The layout's seats as the event's, in one statement (an arena's 20,000 rows in a second,
    where the ORM's inserts took ~15 s): each with its category's id and price, every other
    column at the model's default."""
    columns, defaults = columns_with_defaults(Seat, ("event", "category", "price", *_PLACE))
    place = "".join(f", s.{LayoutSeat._meta.get_field(name).column}" for name in _PLACE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Seat._meta.db_table} ({columns}) SELECT %s, c.id, c.price{place}"
            + ", %s" * len(defaults)
            + f" FROM {LayoutSeat._meta.db_table} s JOIN {PriceCategory._meta.db_table} c"
            " ON c.event_id = %s AND c.name = s.category WHERE s.layout_id = %s ORDER BY s.id",
            [event.pk, *defaults, event.pk, layout.pk],
        )


def event_create_from_layout_file(
    *, data: str | bytes, name: str, starts_at: datetime, **event_fields
) -> Event:
    """Read a layout file and sell an event in it; a bad file raises LayoutError (naming the
    place) before anything is written."""
    spec = parse_layout(data)
    with transaction.atomic():
        return event_create_on_layout(
            layout=layout_create(spec=spec), name=name, starts_at=starts_at, **event_fields
        )


def layout_spec_of_event(*, event_id: int) -> LayoutSpec:
    """An event's room as a layout file describes it, with the event's own categories."""
    event = Event.objects.select_related("layout").found(event_id)
    if event.layout is None:
        raise NoLayout()
    categories = list(event.categories.order_by("position", "id"))
    names = {c.pk: c.name for c in categories}
    seats = tuple(
        SeatSpec(category=names[s.category_id], **_place(s))
        for s in event.seats.order_by("id").iterator(chunk_size=5000)
    )
    return LayoutSpec(
        name=event.layout.name,
        width=event.layout.width,
        height=event.layout.height,
        categories=tuple(
            CategorySpec(name=c.name, price=c.price, colour=c.colour) for c in categories
        ),
        sections=tuple(dict.fromkeys(s.section for s in seats)),
        seats=seats,
        shapes=tuple(event.layout.shapes),
    )

"""An event sold as a grid (no venue layout): its seats in sections and rows, in one transaction."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from ..models import Event, PriceCategory, Seat

# A grid event has one price, so one category.
GRID_CATEGORY = "Standard"
GRID_COLOUR = "#2471a3"


def event_create_with_seats(
    *,
    name: str,
    starts_at: datetime,
    rows: int,
    seats_per_row: int,
    price: Decimal,
    sections: int = 1,
    venue: str = "",
    description: str = "",
) -> Event:
    """An event with a grid of seats: rows split into `sections`, labelled A1, A2, ... per row."""
    with transaction.atomic():
        event = Event.objects.create(
            name=name, venue=venue, description=description, starts_at=starts_at
        )
        category = PriceCategory.objects.create(
            event=event, name=GRID_CATEGORY, price=price, colour=GRID_COLOUR
        )
        Seat.objects.bulk_create(
            seat_grid(
                event=event,
                rows=rows,
                seats_per_row=seats_per_row,
                category=category,
                sections=sections,
            ),
            batch_size=2000,
        )
        return event


def row_name(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style row names, so any number of rows has labels."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


def seat_grid(
    *, event: Event, rows: int, seats_per_row: int, category: PriceCategory, sections: int = 1
) -> list[Seat]:
    section_names = ["Floor", "Balcony", "Gallery", "Terrace", "Box"]
    rows_per_section = -(-rows // max(sections, 1))
    seats = []
    for row_index in range(rows):
        section_index = row_index // rows_per_section
        section = (
            section_names[section_index]
            if section_index < len(section_names)
            else f"Section {section_index + 1}"
        )
        row = row_name(row_index)
        for number in range(1, seats_per_row + 1):
            seats.append(
                Seat(
                    event=event,
                    section=section,
                    row=row,
                    number=number,
                    label=f"{row}{number}",
                    category=category,
                    price=category.price,
                )
            )
    return seats

"""An event sold as a grid (no venue layout): its seats in sections and rows, in one transaction."""

from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction

from ..models import Event, PriceCategory, Seat
from .bulk_rows import rows_insert

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
        seat_price = Seat._meta.get_field("price").get_db_prep_save(price, connection)
        rows_insert(
            Seat,
            ("event", "category", "price", "section", "row", "number", "label"),
            (
                (event.pk, category.pk, seat_price, *place)
                for place in grid_places(rows=rows, seats_per_row=seats_per_row, sections=sections)
            ),
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


def grid_places(
    *, rows: int, seats_per_row: int, sections: int = 1
) -> list[tuple[str, str, int, str]]:
    """Each seat's (section, row, number, label), row by row: rows split into `sections`,
    labelled A1, A2, ... per row."""
    section_names = ["Floor", "Balcony", "Gallery", "Terrace", "Box"]
    rows_per_section = -(-rows // max(sections, 1))
    places = []
    for row_index in range(rows):
        section_index = row_index // rows_per_section
        section = (
            section_names[section_index]
            if section_index < len(section_names)
            else f"Section {section_index + 1}"
        )
        row = row_name(row_index)
        places += [(section, row, n, f"{row}{n}") for n in range(1, seats_per_row + 1)]
    return places

"""Price categories: a seat's price is its category's, and these are the only writes of either.

`Seat.price` is a copy of the category's price, kept so the hold and book paths read one row.
Changing a price here changes the seats of the category in the same transaction, and changes
no booking: a reservation keeps the prices it was sold at (ReservedSeat.price). Each write bumps
the event's map version (map_version.py) in its transaction.
"""

from decimal import Decimal

from django.db import transaction

from ..exceptions import NotFound
from ..models import PriceCategory, Seat
from .map_version import map_version_bump


def category_price_set(*, category_id: int, price: Decimal) -> PriceCategory:
    with transaction.atomic():
        category = PriceCategory.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound("No such category.")
        category.price = price
        category.save(update_fields=["price"])
        Seat.objects.filter(category_id=category_id).update(price=price)
        map_version_bump(event_id=category.event_id)
        return category


def seats_categorise(
    *,
    event_id: int,
    category_id: int,
    section: str,
    first_row: str | None = None,
    last_row: str | None = None,
) -> int:
    """Put the seats of a section, or of its rows `first_row` to `last_row` in layout order,
    into a category of the same event. Returns how many seats it moved."""
    with transaction.atomic():
        category = PriceCategory.objects.filter(pk=category_id, event_id=event_id).first()
        if category is None:
            raise NotFound("No such category in this event.")
        seats = Seat.objects.filter(event_id=event_id, section=section)
        if first_row or last_row:
            rows = list(dict.fromkeys(seats.order_by("id").values_list("row", flat=True)))
            start = rows.index(first_row) if first_row in rows else 0
            end = rows.index(last_row) if last_row in rows else len(rows) - 1
            seats = seats.filter(row__in=rows[start : end + 1])
        moved = seats.update(category=category, price=category.price)
        map_version_bump(event_id=event_id)
        return moved


def seats_category_set(*, event_id: int, category_id: int, seat_ids: list[int]) -> int:
    """Put these seats of an event into one of its categories (the admin's pick of seats)."""
    with transaction.atomic():
        category = PriceCategory.objects.filter(pk=category_id, event_id=event_id).first()
        if category is None:
            raise NotFound("No such category in this event.")
        seats = Seat.objects.filter(event_id=event_id, id__in=seat_ids)
        moved = seats.update(category=category, price=category.price)
        map_version_bump(event_id=event_id)
        return moved

"""Price categories: a seat's price is its category's, and these are the only writes of either.

`Seat.price` is a copy of the category's price, kept so the hold and book paths read one row.
A change of price, or of a seat's category, is a change of the seats by the booking rules: their
rows are locked in id order (booking/locking.py) after the category's, each seat's `version`
grows by one, and the event's watchers hear of them in one message once it commits. A buyer
holding such a seat is then told at reserve time (`total`, API.md: 409 `price_changed`) rather
than charged a price they were not shown. No booking changes: a reservation keeps the prices it
was sold at (ReservedSeat.price). Each write bumps the event's map version (map_version.py) in
its transaction, so the map's readers load the new prices.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from ..booking.locking import seat_rows_locked
from ..exceptions import NotFound
from ..models import PriceCategory, Seat
from ..signals import seats_changed_on_commit
from .map_version import map_version_bump


def category_price_set(*, category_id: int, price: Decimal) -> PriceCategory:
    with transaction.atomic():
        category = PriceCategory.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound("No such category.")
        category.price = price
        category.save(update_fields=["price"])
        seat_ids = Seat.objects.filter(category_id=category_id).values_list("id", flat=True)
        _seats_priced(category, seat_ids)
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
    into a category of the same event. Returns how many seats it moved (not those in it already)."""
    with transaction.atomic():
        category = _category_locked(event_id=event_id, category_id=category_id)
        seats = Seat.objects.filter(event_id=event_id, section=section)
        if first_row or last_row:
            rows = list(dict.fromkeys(seats.order_by("id").values_list("row", flat=True)))
            start = rows.index(first_row) if first_row in rows else 0
            end = rows.index(last_row) if last_row in rows else len(rows) - 1
            seats = seats.filter(row__in=rows[start : end + 1])
        return _seats_priced(category, seats.values_list("id", flat=True))


def seats_category_set(*, event_id: int, category_id: int, seat_ids: list[int]) -> int:
    """Put these seats of an event into one of its categories (the admin's pick of seats).
    Returns how many seats it moved (not those in it already)."""
    with transaction.atomic():
        category = _category_locked(event_id=event_id, category_id=category_id)
        in_event = Seat.objects.filter(event_id=event_id, id__in=seat_ids)
        return _seats_priced(category, in_event.values_list("id", flat=True))


def _category_locked(*, event_id: int, category_id: int) -> PriceCategory:
    category = (
        PriceCategory.objects.select_for_update().filter(pk=category_id, event_id=event_id).first()
    )
    if category is None:
        raise NotFound("No such category in this event.")
    return category


def _seats_priced(category: PriceCategory, seat_ids: Iterable[int]) -> int:
    """These seats into `category` at its price, under their row locks: each one that changes
    gets its next version and goes to the watchers. Returns how many changed."""
    seats = seat_rows_locked(event_id=category.event_id, seat_ids=list(seat_ids))
    changed = [s for s in seats if (s.category_id, s.price) != (category.pk, category.price)]
    for seat in changed:
        seat.category_id, seat.price = category.pk, category.price
        seat.version += 1
    # One UPDATE of them all: the ORM's bulk_update spells a CASE per row and column.
    Seat.objects.filter(id__in=[s.id for s in changed]).update(
        category=category, price=category.price, version=F("version") + 1
    )
    map_version_bump(event_id=category.event_id)
    seats_changed_on_commit(event_id=category.event_id, seats=changed)
    return len(changed)

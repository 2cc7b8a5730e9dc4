"""A seat read in SEAT_FIELDS' columns (booking/sql/seats.py) is the Seat Django makes of them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reservations.booking.sql.seats import SEAT_FIELDS, seat_from_row
from reservations.models import Seat

HELD = (7, "B12", "Stalls", "B", 12, Decimal("40.00"), "locked", 3)
HELD += (datetime(2026, 11, 28, 10, 5, tzinfo=UTC), 41, None, 2, True, False, False, False)
BOOKED = (8, "B13", "Stalls", "B", 13, Decimal("40.00"), "reserved", 5)
BOOKED += (None, None, 41, None, False, True, True, True)


def test_a_seat_made_from_its_row_has_every_field_of_the_one_django_makes_of_the_same_values():
    for row in (HELD, BOOKED):
        made = seat_from_row(row, event_id=3)
        expected = Seat(event_id=3, **dict(zip(SEAT_FIELDS, row, strict=True)))
        for field in Seat._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(expected, field.attname), field.name
        assert made._state.adding == expected._state.adding


def test_a_row_of_other_columns_is_refused_not_read_as_a_seat():
    with pytest.raises(ValueError):
        seat_from_row((*HELD, 3), event_id=3)  # e.g. a write's row with its event's id last

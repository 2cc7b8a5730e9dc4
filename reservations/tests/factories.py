import json
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from reservations.accounts.email_verification import accounts_verified_without_link
from reservations.models import Event
from reservations.services import event_create_with_seats
from reservations.services.venues import event_create_from_layout_file

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class VerifiedUserFactory(UserFactory):
    """An account whose e-mail is verified (no link sent), as joining a waiting room asks."""

    class Meta:
        skip_postgeneration_save = True

    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            accounts_verified_without_link(user_ids=[user.pk])


def event_with_seats(
    *,
    rows: int = 2,
    seats_per_row: int = 5,
    price: str = "50.00",
    sections: int = 1,
    name: str = "Concert XYZ",
    days: int = 30,
) -> Event:
    return event_create_with_seats(
        name=name,
        venue="Main Hall",
        description="A test event.",
        starts_at=timezone.now() + timedelta(days=days),
        rows=rows,
        seats_per_row=seats_per_row,
        price=Decimal(price),
        sections=sections,
    )


def hall(*, rows: dict[str, str], orphan_mode: str = "off") -> Event:
    """A one-section room from rows drawn as text: `.` a seat, `W` a wheelchair space, `C` a
    companion seat, `|` an aisle (a gap); row A is nearest the stage."""
    sections_rows = []
    for y, (name, drawing) in enumerate(rows.items()):
        seats, x = [], 0
        for mark in drawing:
            if mark == "|":
                x += 10
                continue
            seat = {"number": len(seats) + 1, "x": 10 + x * 10, "y": 20 + y * 10}
            if mark == "W":
                seat["accessible"] = True
            if mark == "C":
                seat["companion"] = True
            seats.append(seat)
            x += 1
        sections_rows.append({"name": name, "seats": seats})
    document = {
        "format": "seatmap-layout/1",
        "name": "Hall",
        "width": 400,
        "height": 40 + 10 * len(rows),
        "categories": [{"name": "Stalls", "price": "30.00", "colour": "#336699"}],
        "shapes": [{"kind": "rect", "x": 5, "y": 0, "width": 100, "height": 8, "role": "stage"}],
        "sections": [{"name": "Stalls", "prefix": "", "category": "Stalls", "rows": sections_rows}],
    }
    return event_create_from_layout_file(
        data=json.dumps(document),
        name="Hall night",
        starts_at=timezone.now() + timedelta(days=5),
        orphan_mode=orphan_mode,
    )

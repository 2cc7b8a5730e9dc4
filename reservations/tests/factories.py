from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from reservations.models import Event
from reservations.services import event_create_with_seats

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


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

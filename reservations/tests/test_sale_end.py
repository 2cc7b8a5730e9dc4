"""The online sale ends when the event begins (booking/buyer_policy.py, "The sale's end"): no
hold, best available or booking online after it, on either path, and nothing changes; the box
office goes on selling at the door."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Event, Reservation

from .console_staff import staff_api
from .factories import event_with_seats
from .races import code_of, users

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["django", "fast"], indirect=True)
def test_nothing_is_held_or_booked_online_once_the_event_has_begun(path):
    event = event_with_seats(rows=1, seats_per_row=6)
    seats = list(event.seats.order_by("id").values_list("id", flat=True))
    early, late = (path.poster(user) for user in users(2, prefix="buyer"))
    assert code_of(early(f"/api/events/{event.id}/seats/{seats[0]}/lock/", {})) == "ok"
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(seconds=1))

    answers = [
        early(f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0]]}),
        late(f"/api/events/{event.id}/seats/{seats[1]}/lock/", {}),
        late(f"/api/events/{event.id}/lock/", {"seat_ids": seats[1:3]}),
        late(f"/api/events/{event.id}/best/", {"count": 2}),
    ]

    assert [code_of(answer) for answer in answers] == ["sale_ended"] * 4
    assert (
        answers[0].json()["error"] == "This event has begun: its seats are no longer sold online."
    )
    assert not Reservation.objects.exists()
    assert list(event.seats.order_by("id").values_list("status", flat=True)) == [
        "locked",  # held before it began: it lapses as any hold does
        *["available"] * 5,
    ]


def test_the_box_office_sells_at_the_door_after_the_event_has_begun():
    event = event_with_seats(rows=1, seats_per_row=2)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    seat = event.seats.order_by("id").first()

    sold = staff_api("Box office").post(
        f"/api/staff/events/{event.id}/box-office/",
        {"seat_ids": [seat.id], "payment": "cash"},
        format="json",
    )

    assert sold.status_code == 201, sold.content

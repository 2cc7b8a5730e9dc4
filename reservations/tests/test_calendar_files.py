"""`GET /api/reservations/{id}/calendar.ics` (API.md): the booking as a calendar file, its
owner's only, read back with the `icalendar` package as a calendar would read it."""

from datetime import UTC

import pytest
from icalendar import Calendar

from reservations.models import Event

from .api_calls import assert_error

pytestmark = pytest.mark.django_db


def book(client, event, *seats) -> int:
    ids = [s.id for s in seats]
    locked = client.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
    assert locked.status_code == 200
    response = client.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")
    assert response.status_code == 201
    return response.json()["reservation"]["id"]


def calendar_of(client, reservation_id: int) -> Calendar:
    response = client.get(f"/api/reservations/{reservation_id}/calendar.ics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="reservation-{reservation_id}.ics"'
    )
    return Calendar.from_ical(response.content)


def test_the_owner_gets_one_event_with_its_start_venue_and_seats(alice_api, event, seats):
    Event.objects.filter(pk=event.pk).update(currency="GBP")
    event.refresh_from_db()
    reservation_id = book(alice_api, event, seats[0], seats[6])

    calendar = calendar_of(alice_api, reservation_id)

    assert str(calendar["VERSION"]) == "2.0"
    (entry,) = calendar.events
    assert str(entry["SUMMARY"]) == "Concert XYZ"
    assert str(entry["LOCATION"]) == "Main Hall"
    assert entry.start == event.starts_at.astimezone(UTC).replace(microsecond=0)
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["DESCRIPTION"]).split("\n") == [
        f"Booking #{reservation_id}",
        "Floor · Row A · Seat A1: 50.00 GBP",
        "Floor · Row B · Seat B2: 50.00 GBP",
        "Total: 100.00 GBP",
    ]


def test_its_uid_is_the_reservations_own_so_a_second_download_updates_the_entry(
    alice_api, event, seats
):
    first = book(alice_api, event, seats[0])
    second = book(alice_api, event, seats[1])

    uids = [str(calendar_of(alice_api, r).events[0]["UID"]) for r in (first, first, second)]

    assert uids[0] == uids[1] == f"reservation-{first}@seatmap"
    assert uids[2] == f"reservation-{second}@seatmap"


def test_a_cancelled_booking_says_so(alice_api, event, seats):
    reservation_id = book(alice_api, event, seats[0])
    cancelled = alice_api.post(f"/api/reservations/{reservation_id}/cancel/", {}, format="json")
    assert cancelled.status_code == 200

    (entry,) = calendar_of(alice_api, reservation_id).events

    assert str(entry["STATUS"]) == "CANCELLED"
    assert "Seat A1: 50.00 EUR" in str(entry["DESCRIPTION"])


def test_someone_elses_booking_is_not_found(alice_api, bob_api, event, seats):
    reservation_id = book(alice_api, event, seats[0])

    assert_error(bob_api.get(f"/api/reservations/{reservation_id}/calendar.ics"), 404, "not_found")


def test_it_needs_a_login(api, alice_api, event, seats):
    reservation_id = book(alice_api, event, seats[0])

    assert_error(
        api.get(f"/api/reservations/{reservation_id}/calendar.ics"), 401, "not_authenticated"
    )


@pytest.mark.parametrize("reservation_id", ["999999", "abc", "-1", "9" * 25])
def test_a_bad_or_unknown_id_is_not_found(alice_api, reservation_id):
    assert_error(
        alice_api.get(f"/api/reservations/{reservation_id}/calendar.ics"), 404, "not_found"
    )

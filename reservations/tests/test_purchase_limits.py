"""The purchase limit (rules.py; API.md "Rules"): the most seats of an event one account may
hold and have booked together, on Django's path (a browser's session and its CSRF token) and
on the fast path (a bearer token, answered on the loop) alike; and a booking that continues
the buyer's run of holds instead of starting a new one."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Event, QueueEntry, Seat, WaitingRoom
from reservations.rules import purchase_limit_of
from reservations.waiting_room.rooms_in_memory import rooms
from reservations.waiting_room.turn_tokens import turn_token

from .api_calls import session_client
from .factories import UserFactory, event_with_seats, hall
from .fast_calls import bearer, call, on_one_loop
from .queue_rooms import event_with_room

pytestmark = pytest.mark.django_db(transaction=True)


class SessionBuyer:
    """A buyer in a browser on Django's path: a session cookie, the CSRF header."""

    def __init__(self, user, fast):
        self.client = session_client(user)

    def post(self, url, body=None, **headers):
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        answer = self.client.post(
            url, body or {}, format="json", HTTP_X_CSRFTOKEN=self.client.csrf, **extra
        )
        return answer.status_code, answer.json()


class FastBuyer:
    """A buyer with a bearer token, every call answered by the loop's fast path."""

    def __init__(self, user, fast):
        self.app, self.token = fast, bearer(user)

    def post(self, url, body=None, **headers):
        sent = [
            (b"authorization", self.token),
            (b"content-type", b"application/json"),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
        ]
        data = json.dumps(body or {}).encode()
        status, payload, answer_headers = on_one_loop(
            self.app, lambda: call(self.app, url, headers=sent, body=data)
        )
        assert answer_headers.get("x-seatmap-path") == "fast", url
        return status, payload


@pytest.fixture(params=[SessionBuyer, FastBuyer], ids=["django-session", "fast"])
def buyer_of(request, fast):
    """`buyer_of(user)`: that account's calls on the path under test."""
    return lambda user: request.param(user, fast)


def lock(buyer, event, seat, **headers):
    return buyer.post(f"/api/events/{event.id}/seats/{seat.id}/lock/", **headers)


def lock_several(buyer, event, seats, **headers):
    return buyer.post(
        f"/api/events/{event.id}/lock/", {"seat_ids": [s.id for s in seats]}, **headers
    )


def reserve(buyer, event, seats):
    return buyer.post(f"/api/events/{event.id}/reserve/", {"seat_ids": [s.id for s in seats]})


def code(answer):
    status, payload = answer
    return "ok" if status < 300 else payload["code"]


def owned(event, user) -> int:
    """Seats of the event the account holds (live) or has booked, as the database has them."""
    seats = Seat.objects.filter(event=event)
    held = seats.filter(status="locked", held_by=user, held_until__gt=timezone.now()).count()
    return held + seats.filter(status="reserved", reserved_by=user).count()


def with_limit(event: Event, limit: int | None) -> Event:
    Event.objects.filter(pk=event.pk).update(purchase_limit=limit)
    event.refresh_from_db()
    return event


@pytest.fixture
def event():
    return with_limit(event_with_seats(rows=2, seats_per_row=10), 4)


@pytest.fixture
def seats(event):
    return list(event.seats.order_by("id"))


def test_holds_and_bookings_together_stop_at_the_limit(buyer_of, event, seats):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    assert code(lock(buyer, event, seats[0])) == code(lock(buyer, event, seats[1])) == "ok"
    assert code(reserve(buyer, event, seats[:2])) == "ok"
    assert code(lock_several(buyer, event, seats[2:4])) == "ok"  # 2 booked + 2 held: the limit

    status, body = lock(buyer, event, seats[4])  # the one-statement hold
    assert (status, body["code"]) == (409, "purchase_limit")
    assert (body["limit"], body["held"], body["booked"]) == (4, 2, 2)
    assert code(lock_several(buyer, event, seats[4:5])) == "purchase_limit"  # the long way
    assert code(reserve(buyer, event, seats[2:4])) == "ok"  # booking what they hold: no more
    assert code(lock(buyer, event, seats[4])) == "purchase_limit"
    assert owned(event, alice) == 4


def test_the_refusal_names_the_numbers_and_is_not_the_hold_limit(buyer_of, event, seats, settings):
    settings.SEAT_HOLD_LIMIT = 2
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    assert code(lock_several(buyer, event, seats[:2])) == "ok"
    # Past the hold limit but within the purchase limit (4): reserve some first.
    status, body = lock(buyer, event, seats[2])
    assert (status, body["code"], body["limit"]) == (409, "hold_limit", 2)
    assert code(reserve(buyer, event, seats[:2])) == "ok"
    assert code(lock_several(buyer, event, seats[2:4])) == "ok"
    # Past both: the purchase limit is told, since reserving would not make room.
    status, body = lock(buyer, event, seats[4])
    assert status == 409
    assert body == {
        "error": "One account may have at most 4 seats of this event, held and booked "
        "together. You hold 2 and have booked 2, so another would be past it.",
        "code": "purchase_limit",
        "limit": 4,
        "held": 2,
        "booked": 2,
    }


def test_a_cancelled_booking_frees_its_seats_count(buyer_of, event, seats):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    assert code(lock_several(buyer, event, seats[:4])) == "ok"
    status, booked = reserve(buyer, event, seats[:4])
    assert status == 201
    assert code(lock(buyer, event, seats[4])) == "purchase_limit"

    reservation = booked["reservation"]["id"]
    assert code(buyer.post(f"/api/reservations/{reservation}/cancel/")) == "ok"

    assert code(lock_several(buyer, event, seats[4:8])) == "ok"
    assert owned(event, alice) == 4


def test_seats_sold_at_the_box_office_or_to_others_count_against_nobody(buyer_of, event, seats):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    # Sold at the door (nobody's reservation) and blocked: reserved with no buyer.
    Seat.objects.filter(pk__in=[s.pk for s in seats[10:14]]).update(status="reserved")
    Seat.objects.filter(pk__in=[s.pk for s in seats[14:18]]).update(
        status="reserved", reserved_by=bob
    )
    assert code(lock_several(buyer_of(alice), event, seats[:4])) == "ok"


def test_the_sites_default_serves_an_event_without_its_own(buyer_of, seats, settings):
    settings.SEAT_PURCHASE_LIMIT = 3
    event = with_limit(event_with_seats(rows=1, seats_per_row=6), None)
    seats = list(event.seats.order_by("id"))
    buyer = buyer_of(UserFactory(username="alice"))
    assert code(lock_several(buyer, event, seats[:3])) == "ok"
    assert code(lock(buyer, event, seats[3])) == "purchase_limit"
    assert purchase_limit_of(event) == 3


def test_lock_several_past_the_limit_holds_none(buyer_of, event, seats):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    assert code(lock(buyer, event, seats[0])) == "ok"
    status, body = lock_several(buyer, event, seats[1:5])
    assert (status, body["code"], body["held"], body["booked"]) == (409, "purchase_limit", 1, 0)
    assert owned(event, alice) == 1


def test_best_available_counts_what_the_buyer_booked(buyer_of):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    event = with_limit(hall(rows={"A": "........", "B": "........"}), 3)
    url = f"/api/events/{event.id}/best/"
    status, body = buyer.post(url, {"count": 2})
    assert status == 200
    held = Seat.objects.filter(pk__in=[s["id"] for s in body["seats"]])
    assert code(reserve(buyer, event, held)) == "ok"
    status, body = buyer.post(url, {"count": 2})
    assert (status, body["code"], body["booked"]) == (409, "purchase_limit", 2)
    assert code(buyer.post(url, {"count": 1})) == "ok"
    assert owned(event, alice) == 3


def test_a_limit_lowered_while_seats_are_held_stops_their_booking(buyer_of, event, seats):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    assert code(lock_several(buyer, event, seats[:3])) == "ok"
    with_limit(event, 2)
    status, body = reserve(buyer, event, seats[:3])
    assert (status, body["code"], body["limit"], body["held"]) == (409, "purchase_limit", 2, 3)
    # Nothing booked, the seats still held; two of them may still be booked.
    assert not Seat.objects.filter(event=event, status="reserved").exists()
    assert code(buyer.post(f"/api/events/{event.id}/seats/{seats[2].id}/unlock/")) == "ok"
    assert code(reserve(buyer, event, seats[:2])) == "ok"


def _booked_in_a_run_that_ends_in_20_seconds(buyer, event, seat, settings):
    """Hold `seat` in a run that began 40 seconds ago and is capped at 60, and book it; the
    run's end."""
    settings.SEAT_HOLD_MAX_SECONDS = 60
    assert code(lock(buyer, event, seat)) == "ok"
    began = timezone.now().replace(microsecond=0) - timedelta(seconds=40)
    run_end = began + timedelta(seconds=60)
    Seat.objects.filter(pk=seat.pk).update(held_since=began, held_until=run_end)
    status, booked = reserve(buyer, event, [seat])
    assert status == 201
    return run_end, booked["reservation"]["id"]


def test_a_hold_taken_right_after_a_booking_ends_no_later_than_its_runs_end(
    buyer_of, event, seats, settings
):
    """One run, one cap (rules.py): the booking does not start a fresh run."""
    buyer = buyer_of(UserFactory(username="alice"))
    run_end, _ = _booked_in_a_run_that_ends_in_20_seconds(buyer, event, seats[0], settings)

    assert code(lock(buyer, event, seats[1])) == "ok"
    assert Seat.objects.get(pk=seats[1].pk).held_until <= run_end


def test_a_cancelled_booking_does_not_start_a_fresh_run_either(buyer_of, event, seats, settings):
    buyer = buyer_of(UserFactory(username="alice"))
    run_end, reservation = _booked_in_a_run_that_ends_in_20_seconds(
        buyer, event, seats[0], settings
    )
    assert code(buyer.post(f"/api/reservations/{reservation}/cancel/")) == "ok"

    assert code(lock(buyer, event, seats[1])) == "ok"
    assert Seat.objects.get(pk=seats[1].pk).held_until <= run_end


@pytest.fixture
def queued():
    rooms.forget()
    return with_limit(event_with_room(seats=6), 2)


def test_a_turn_of_the_waiting_room_ends_when_its_buyer_has_booked_the_limit(buyer_of, queued):
    alice = UserFactory(username="alice")
    buyer = buyer_of(alice)
    seats = list(queued.seats.order_by("id"))
    now = timezone.now()
    room = WaitingRoom.objects.get(event=queued)
    place = QueueEntry.objects.create(
        room=room,
        user=alice,
        entry_id="limits-turn",
        joined_at=now,
        number=1,
        called_at=now,
        claimed_at=now,
        turn_expires_at=now + timedelta(minutes=10),
    )
    turn = turn_token(
        user_id=alice.pk,
        event_id=queued.id,
        generation=room.generation,
        expires_at=place.turn_expires_at,
    )
    assert code(lock(buyer, queued, seats[0], **{"Queue-Turn": turn})) == "ok"
    assert code(reserve(buyer, queued, seats[:1])) == "ok"
    place.refresh_from_db()
    assert place.turn_expires_at > timezone.now()  # one of two booked: the turn goes on

    assert code(lock(buyer, queued, seats[1], **{"Queue-Turn": turn})) == "ok"
    assert code(reserve(buyer, queued, seats[1:2])) == "ok"
    place.refresh_from_db()
    assert place.turn_expires_at <= timezone.now()  # the limit booked: the turn is over
    state = SessionBuyer(alice, None).client.get(f"/api/events/{queued.id}/queue/").json()
    assert state["place"]["turn"] is None

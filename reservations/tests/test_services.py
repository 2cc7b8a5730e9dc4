"""The booking rules, called directly: versions, expiry, the sweeper, broadcasts on commit."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from reservations import services
from reservations.exceptions import AccountInactive, LockRequired, NotHolder, SeatUnavailable
from reservations.models import IdempotencyKey, PriceCategory, Reservation, Seat

from . import booking_calls
from .conftest import bearer_client
from .factories import event_with_seats

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    """What the services hand to the broadcaster after commit (the real one is tested in
    realtime/tests against Redis)."""
    sent = []
    monkeypatch.setattr(
        "realtime.broadcast.seats_publish",
        lambda event_id, changes, holders=(): sent.append((event_id, changes)),
    )
    return sent


def test_every_change_bumps_the_seat_version(alice, event, seats):
    seat = booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    assert seat.version == 1
    seat = booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)
    assert seat.version == 2
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    outcome = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    booking_calls.cancel(user=alice, reservation_id=outcome.reservation.id)
    assert Seat.objects.get(pk=seats[0].pk).version == 5


def test_the_broadcast_goes_out_on_commit_with_every_changed_seat(
    alice, event, seats, published, django_capture_on_commit_callbacks
):
    ids = [seats[0].id, seats[1].id, seats[2].id]
    with django_capture_on_commit_callbacks(execute=True):
        booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=ids)
    with django_capture_on_commit_callbacks(execute=True):
        booking_calls.reserve(user=alice, event_id=event.id, seat_ids=ids)
    assert len(published) == 2
    event_id, changes = published[1]
    assert event_id == event.id
    assert [(c["id"], c["status"], c["version"], c["locked_until"]) for c in changes] == [
        (i, "reserved", 2, None) for i in ids
    ]


def test_a_rolled_back_change_broadcasts_nothing(
    alice, event, seats, published, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
        raise RuntimeError("the caller's transaction fails after the lock")
    assert callbacks == [] and published == []
    assert Seat.objects.get(pk=seats[0].pk).status == "available"


def test_a_refused_request_broadcasts_nothing(
    alice, bob, event, seats, published, django_capture_on_commit_callbacks
):
    booking_calls.lock(user=bob, event_id=event.id, seat_id=seats[1].id)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SeatUnavailable),
    ):
        booking_calls.lock_several(
            user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id]
        )
    assert callbacks == []


def test_an_ended_lock_can_be_taken_by_another(alice, bob, event, seats, short_locks):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    with pytest.raises(SeatUnavailable):
        booking_calls.lock(user=bob, event_id=event.id, seat_id=seats[0].id)
    time.sleep(1.1)
    seat = booking_calls.lock(user=bob, event_id=event.id, seat_id=seats[0].id)
    assert seat.held_by == bob and seat.version == 2


def test_reserve_with_an_ended_lock_is_lock_required(alice, event, seats, short_locks):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    time.sleep(1.1)
    with pytest.raises(LockRequired) as refused:
        booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    assert refused.value.details["seats"] == [seats[0].id]


def test_expiry_over_http_with_one_second_locks(alice, bob, event, seats, short_locks):
    alice_api, bob_api = bearer_client(alice), bearer_client(bob)
    lock = f"/api/events/{event.id}/seats/{seats[0].id}/lock/"
    assert alice_api.post(lock, {}, format="json").status_code == 200
    assert bob_api.post(lock, {}, format="json").status_code == 409
    time.sleep(1.1)
    reserve = alice_api.post(
        f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0].id]}, format="json"
    )
    assert reserve.status_code == 409 and reserve.json()["code"] == "lock_required"
    assert bob_api.post(lock, {}, format="json").status_code == 200


def test_unlock_after_the_lock_ended_is_not_holder(alice, event, seats, short_locks):
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[0].id)
    time.sleep(1.1)
    with pytest.raises(NotHolder):
        booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)


def test_the_sweeper_frees_ended_locks_once(
    alice, event, seats, published, django_capture_on_commit_callbacks
):
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id])
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[2].id)
    Seat.objects.filter(pk__in=[seats[0].id, seats[1].id]).update(
        held_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        expired = services.locks_expire()
    assert sorted(s.id for s in expired) == [seats[0].id, seats[1].id]
    assert [(c["id"], c["status"], c["version"]) for c in published[-1][1]] == [
        (seats[0].id, "available", 2),
        (seats[1].id, "available", 2),
    ]
    assert services.locks_expire() == []
    assert Seat.objects.get(pk=seats[2].pk).status == "locked"


def test_an_account_made_inactive_under_its_holds_can_neither_book_nor_hold_nor_let_go(
    alice, event, seats
):
    """One caller rule for every service that touches the caller's holds (locking rule 2).
    Negative control: without the account's check in the release's write (sql.free_if_held),
    the seat was let go."""
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    with pytest.raises(AccountInactive):
        booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[seats[0].id])
    with pytest.raises(AccountInactive):
        booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[1].id)
    with pytest.raises(AccountInactive):
        booking_calls.unlock(user=alice, event_id=event.id, seat_id=seats[0].id)
    assert not Reservation.objects.exists()
    still = Seat.objects.get(pk=seats[0].pk)
    assert (still.status, still.held_by_id) == ("locked", alice.id)


class OneSweep(threading.Event):
    """A stop signal that lets sweep_forever go round exactly once."""

    def wait(self, timeout=None):
        self.set()
        return True


@pytest.mark.django_db(transaction=True)
def test_one_round_of_the_sweep_loop_frees_ended_locks_and_purges_old_keys(alice, published):
    event = event_with_seats(rows=1, seats_per_row=2)
    ended, live = event.seats.order_by("id")
    Seat.objects.filter(pk=ended.pk).update(
        status="locked", held_by=alice, held_until=timezone.now() - timedelta(seconds=1)
    )
    Seat.objects.filter(pk=live.pk).update(
        status="locked", held_by=alice, held_until=timezone.now() + timedelta(minutes=5)
    )
    old = IdempotencyKey.objects.create(user=alice, key="old", request_fingerprint="x")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    IdempotencyKey.objects.create(user=alice, key="new", request_fingerprint="y")

    services.sweep_forever(stop=OneSweep())

    assert dict(event.seats.values_list("id", "status")) == {
        ended.id: "available",
        live.id: "locked",
    }
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert [[c["id"] for c in changes] for _, changes in published] == [[ended.id]]


def test_create_event_lays_out_a_grid_in_sections():
    event = event_with_seats(rows=4, seats_per_row=3, sections=2, price="12.50")
    seats = list(event.seats.order_by("id"))
    assert [s.label for s in seats[:4]] == ["A1", "A2", "A3", "B1"]
    assert {s.section for s in seats[:6]} == {"Floor"} and {s.section for s in seats[6:]} == {
        "Balcony"
    }
    assert all(s.price == Decimal("12.50") for s in seats)
    # Every other column as a new seat of the model has it: on sale, never changed.
    (category,) = PriceCategory.objects.filter(event=event)
    assert {(s.category_id, s.status, s.version, s.blocked, s.off_sale, s.x) for s in seats} == {
        (category.id, "available", 0, False, "", 0)
    }


def test_row_names_go_past_z():
    assert [services.row_name(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_public_hold_deadlines_are_whole_seconds_so_one_buyers_seats_cannot_be_grouped(
    alice, event, seats
):
    # Locked in one request and locked one by one read the same to an observer.
    booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[seats[0].id, seats[1].id])
    booking_calls.lock(user=alice, event_id=event.id, seat_id=seats[2].id)

    deadlines = Seat.objects.filter(status="locked").values_list("held_until", flat=True)

    assert {until.microsecond for until in deadlines} == {0}

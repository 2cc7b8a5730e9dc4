"""The HTTP API against API.md, holding, booking and reservations: shapes, statuses and error
codes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import Reservation, Seat

from .api_calls import ISO_Z, assert_error
from .factories import event_with_seats

pytestmark = pytest.mark.django_db


class TestHolding:
    def test_lock_answers_the_seat(self, alice_api, event, seats):
        response = alice_api.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and body["message"]
        assert body["seat"]["id"] == seats[0].id and body["seat"]["status"] == "locked"
        assert body["seat"]["mine"] is True

    def test_locking_a_seat_you_hold_does_not_extend_it(self, alice_api, event, seats):
        url = f"/api/events/{event.id}/seats/{seats[0].id}/lock/"
        first = alice_api.post(url, {}, format="json").json()["seat"]
        second = alice_api.post(url, {}, format="json")
        assert second.status_code == 200
        assert second.json()["seat"]["locked_until"] == first["locked_until"]
        assert second.json()["seat"]["version"] == first["version"]

    def test_lock_of_a_seat_held_by_another_is_seat_unavailable(
        self, alice_api, bob_api, event, seats
    ):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json")
        assert_error(
            bob_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"),
            409,
            "seat_unavailable",
        )

    def test_lock_of_a_reserved_seat_is_seat_unavailable(self, alice_api, bob_api, event, seats):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json")
        alice_api.post(
            f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0].id]}, format="json"
        )
        assert_error(
            bob_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"),
            409,
            "seat_unavailable",
        )

    def test_lock_needs_login(self, api, event, seats):
        assert_error(
            api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"),
            401,
            "not_authenticated",
        )

    def test_seat_of_another_event_is_not_found(self, alice_api, event):
        other = event_with_seats(name="Other")
        seat = other.seats.first()
        assert_error(
            alice_api.post(f"/api/events/{event.id}/seats/{seat.id}/lock/", {}, format="json"),
            404,
            "not_found",
        )
        assert Seat.objects.get(pk=seat.pk).status == "available"

    def test_hold_limit(self, alice_api, event, seats, settings):
        settings.SEAT_HOLD_LIMIT = 3
        for seat in seats[:3]:
            assert (
                alice_api.post(
                    f"/api/events/{event.id}/seats/{seat.id}/lock/", {}, format="json"
                ).status_code
                == 200
            )
        assert_error(
            alice_api.post(f"/api/events/{event.id}/seats/{seats[3].id}/lock/", {}, format="json"),
            409,
            "hold_limit",
        )

    def test_booked_seats_do_not_count_towards_the_hold_limit(
        self, alice_api, event, seats, settings
    ):
        settings.SEAT_HOLD_LIMIT = 2
        ids = [seats[0].id, seats[1].id]
        alice_api.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
        alice_api.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")
        response = alice_api.post(
            f"/api/events/{event.id}/lock/", {"seat_ids": [seats[2].id, seats[3].id]}, format="json"
        )
        assert response.status_code == 200

    def test_unlock_frees_the_seat(self, alice_api, event, seats):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json")
        response = alice_api.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/unlock/", {}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and body["message"]
        assert body["seat"]["status"] == "available" and body["seat"]["version"] == 2

    def test_unlock_of_someone_elses_seat_is_not_holder(self, alice_api, bob_api, event, seats):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json")
        assert_error(
            bob_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/unlock/", {}, format="json"),
            409,
            "not_holder",
        )
        assert Seat.objects.get(pk=seats[0].pk).held_by.username == "alice"

    def test_unlock_of_an_ended_lock_is_not_holder(self, alice, alice_api, event, seats):
        Seat.objects.filter(pk=seats[0].pk).update(
            status="locked", held_by=alice, held_until=timezone.now() - timedelta(seconds=1)
        )
        assert_error(
            alice_api.post(
                f"/api/events/{event.id}/seats/{seats[0].id}/unlock/", {}, format="json"
            ),
            409,
            "not_holder",
        )

    def test_lock_several_is_all_or_none(self, alice_api, bob_api, event, seats):
        bob_api.post(f"/api/events/{event.id}/seats/{seats[2].id}/lock/", {}, format="json")
        ids = [seats[0].id, seats[1].id, seats[2].id]
        body = assert_error(
            alice_api.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json"),
            409,
            "seat_unavailable",
        )
        assert body["seats"] == [seats[2].id]
        assert Seat.objects.filter(pk__in=ids[:2], status="available").count() == 2

    def test_lock_several_answers_every_seat(self, alice_api, event, seats):
        ids = [seats[3].id, seats[1].id]
        response = alice_api.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert sorted(s["id"] for s in body["seats"]) == sorted(ids)
        assert all(s["status"] == "locked" and s["mine"] for s in body["seats"])

    def test_lock_several_with_a_seat_of_another_event_is_not_found(self, alice_api, event, seats):
        stranger = event_with_seats(name="Other").seats.first()
        body = assert_error(
            alice_api.post(
                f"/api/events/{event.id}/lock/",
                {"seat_ids": [seats[0].id, stranger.id]},
                format="json",
            ),
            404,
            "not_found",
        )
        assert body["seats"] == [stranger.id]
        assert Seat.objects.get(pk=seats[0].pk).status == "available"

    @pytest.mark.parametrize("path", ["lock", "reserve"])
    def test_a_seat_id_past_the_databases_ids_is_not_found(self, alice_api, event, seats, path):
        past_bigint = 2**63
        body = assert_error(
            alice_api.post(
                f"/api/events/{event.id}/{path}/",
                {"seat_ids": [seats[0].id, past_bigint]},
                format="json",
            ),
            404,
            "not_found",
        )
        assert body["seats"] == [past_bigint]
        assert Seat.objects.get(pk=seats[0].pk).status == "available"

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"seat_ids": []},
            {"seat_ids": [1, 1]},
            {"seat_ids": "1"},
            {"seat_ids": ["a"]},
            [1, 2],
            {"seat_ids": [None]},
        ],
        ids=["missing", "empty", "duplicate", "string", "wrong-type", "list-body", "null"],
    )
    def test_bad_seat_ids_are_invalid_and_change_nothing(self, alice_api, event, seats, payload):
        assert_error(
            alice_api.post(f"/api/events/{event.id}/lock/", payload, format="json"), 400, "invalid"
        )
        assert_error(
            alice_api.post(f"/api/events/{event.id}/reserve/", payload, format="json"),
            400,
            "invalid",
        )
        assert not Seat.objects.exclude(status="available").exists()
        assert not Reservation.objects.exists()


class TestBooking:
    def lock(self, client, event, *seats):
        response = client.post(
            f"/api/events/{event.id}/lock/", {"seat_ids": [s.id for s in seats]}, format="json"
        )
        assert response.status_code == 200

    def test_reserve_books_every_held_seat(self, alice_api, event, seats):
        self.lock(alice_api, event, seats[0], seats[2])
        response = alice_api.post(
            f"/api/events/{event.id}/reserve/",
            {"seat_ids": [seats[0].id, seats[2].id]},
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["success"] is True
        reservation = body["reservation"]
        assert reservation["status"] == "confirmed"
        assert reservation["total_price"] == "100.00"
        assert reservation["event"] == {
            "id": event.id,
            "name": event.name,
            "starts_at": reservation["event"]["starts_at"],
        }
        assert [s["label"] for s in reservation["seats"]] == ["A1", "A3"]
        assert reservation["seats"][0] == {
            "id": seats[0].id,
            "label": "A1",
            "section": "Floor",
            "row": "A",
            "price": "50.00",
        }
        assert ISO_Z.match(reservation["created_at"])
        assert Seat.objects.filter(status="reserved").count() == 2

    def test_reserve_needs_the_caller_to_hold_every_seat(self, alice_api, bob_api, event, seats):
        self.lock(alice_api, event, seats[0])
        self.lock(bob_api, event, seats[1])
        body = assert_error(
            alice_api.post(
                f"/api/events/{event.id}/reserve/",
                {"seat_ids": [seats[0].id, seats[1].id, seats[2].id]},
                format="json",
            ),
            409,
            "lock_required",
        )
        assert body["seats"] == [seats[1].id, seats[2].id]
        assert not Reservation.objects.exists()
        assert Seat.objects.get(pk=seats[0].pk).status == "locked"

    def test_a_second_reserve_of_the_same_seats_is_lock_required(self, alice_api, event, seats):
        self.lock(alice_api, event, seats[0])
        url = f"/api/events/{event.id}/reserve/"
        assert alice_api.post(url, {"seat_ids": [seats[0].id]}, format="json").status_code == 201
        assert_error(
            alice_api.post(url, {"seat_ids": [seats[0].id]}, format="json"), 409, "lock_required"
        )
        assert Reservation.objects.count() == 1

    def test_reserve_with_an_unknown_seat_is_not_found(self, alice_api, event, seats):
        self.lock(alice_api, event, seats[0])
        assert_error(
            alice_api.post(
                f"/api/events/{event.id}/reserve/",
                {"seat_ids": [seats[0].id, 99999999]},
                format="json",
            ),
            404,
            "not_found",
        )
        assert not Reservation.objects.exists()

    def test_reserve_of_an_unknown_event_is_not_found(self, alice_api):
        assert_error(
            alice_api.post("/api/events/99999/reserve/", {"seat_ids": [1]}, format="json"),
            404,
            "not_found",
        )

    def test_reserve_needs_login(self, api, event, seats):
        assert_error(
            api.post(
                f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0].id]}, format="json"
            ),
            401,
            "not_authenticated",
        )

    def test_same_idempotency_key_replays_the_same_answer(self, alice_api, event, seats):
        self.lock(alice_api, event, seats[0], seats[1])
        url = f"/api/events/{event.id}/reserve/"
        payload = {"seat_ids": [seats[0].id, seats[1].id]}
        first = alice_api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        second = alice_api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert Reservation.objects.count() == 1

    def test_idempotency_key_with_a_different_body_is_a_mismatch(self, alice_api, event, seats):
        self.lock(alice_api, event, seats[0], seats[1])
        url = f"/api/events/{event.id}/reserve/"
        alice_api.post(url, {"seat_ids": [seats[0].id]}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        assert_error(
            alice_api.post(
                url, {"seat_ids": [seats[1].id]}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
            ),
            422,
            "idempotency_mismatch",
        )
        assert Reservation.objects.count() == 1

    def test_idempotency_keys_are_per_user(self, alice_api, bob_api, event, seats):
        self.lock(alice_api, event, seats[0])
        self.lock(bob_api, event, seats[1])
        url = f"/api/events/{event.id}/reserve/"
        assert (
            alice_api.post(
                url, {"seat_ids": [seats[0].id]}, format="json", HTTP_IDEMPOTENCY_KEY="same"
            ).status_code
            == 201
        )
        assert (
            bob_api.post(
                url, {"seat_ids": [seats[1].id]}, format="json", HTTP_IDEMPOTENCY_KEY="same"
            ).status_code
            == 201
        )
        assert Reservation.objects.count() == 2


class TestReservations:
    @pytest.fixture
    def booking(self, alice_api, event, seats):
        alice_api.post(
            f"/api/events/{event.id}/lock/", {"seat_ids": [seats[0].id, seats[1].id]}, format="json"
        )
        return alice_api.post(
            f"/api/events/{event.id}/reserve/",
            {"seat_ids": [seats[0].id, seats[1].id]},
            format="json",
        ).json()["reservation"]

    def test_list_is_the_callers_newest_first(self, alice_api, bob_api, event, seats, booking):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[4].id}/lock/", {}, format="json")
        newer = alice_api.post(
            f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[4].id]}, format="json"
        ).json()["reservation"]
        assert [r["id"] for r in alice_api.get("/api/reservations/").json()] == [
            newer["id"],
            booking["id"],
        ]
        assert bob_api.get("/api/reservations/").json() == []

    def test_detail_of_ones_own(self, alice_api, booking):
        assert alice_api.get(f"/api/reservations/{booking['id']}/").json() == booking

    def test_someone_elses_reservation_is_not_found(self, bob_api, booking):
        assert_error(bob_api.get(f"/api/reservations/{booking['id']}/"), 404, "not_found")
        assert_error(
            bob_api.post(f"/api/reservations/{booking['id']}/cancel/", {}, format="json"),
            404,
            "not_found",
        )
        assert Reservation.objects.get(pk=booking["id"]).status == "confirmed"

    def test_list_needs_login(self, api):
        assert_error(api.get("/api/reservations/"), 401, "not_authenticated")

    def test_cancel_frees_the_seats(self, alice_api, bob_api, event, seats, booking):
        response = alice_api.post(f"/api/reservations/{booking['id']}/cancel/", {}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and body["message"]
        assert body["reservation"]["status"] == "cancelled"
        assert (
            Seat.objects.filter(pk__in=[seats[0].id, seats[1].id], status="available").count() == 2
        )
        assert (
            bob_api.post(
                f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"
            ).status_code
            == 200
        )

    def test_cancel_twice_is_already_cancelled(self, alice_api, booking):
        alice_api.post(f"/api/reservations/{booking['id']}/cancel/", {}, format="json")
        assert_error(
            alice_api.post(f"/api/reservations/{booking['id']}/cancel/", {}, format="json"),
            409,
            "already_cancelled",
        )

"""The HTTP API, endpoint by endpoint, against API.md: shapes, statuses and error codes."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reservations.models import Reservation, Seat

from .conftest import bearer_client
from .factories import PASSWORD, UserFactory, event_with_seats

pytestmark = pytest.mark.django_db

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]
    return body


def session_client(user) -> APIClient:
    """A browser-like client: session cookie, CSRF enforced."""
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/csrf/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/login/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    client.csrf = client.cookies["csrftoken"].value
    return client


class TestAuthentication:
    def test_csrf_endpoint_sets_the_cookie_and_returns_the_token(self, api):
        response = api.get("/api/csrf/")
        assert response.status_code == 200
        assert response.json()["csrfToken"]
        assert "csrftoken" in response.cookies

    def test_register_creates_a_user(self, api):
        response = api.post(
            "/api/register/", {"username": "carol", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 201
        assert response.json() == {"id": response.json()["id"], "username": "carol"}

    def test_register_applies_password_validators(self, api):
        body = assert_error(
            api.post("/api/register/", {"username": "carol", "password": "123"}, format="json"),
            400,
            "invalid",
        )
        assert "password" in body["fields"]

    def test_register_refuses_a_taken_name(self, api, alice):
        assert_error(
            api.post("/api/register/", {"username": "Alice", "password": PASSWORD}, format="json"),
            400,
            "invalid",
        )

    def test_register_with_missing_fields_is_invalid(self, api):
        assert_error(api.post("/api/register/", {}, format="json"), 400, "invalid")

    def test_login_sets_a_session_and_me_answers(self, alice):
        client = APIClient()
        response = client.post(
            "/api/login/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
        assert response.json() == {"success": True, "user": {"id": alice.id, "username": "alice"}}
        assert response.cookies["sessionid"]["httponly"]
        assert client.get("/api/me/").json() == {"id": alice.id, "username": "alice"}

    def test_login_with_a_wrong_password_is_invalid_credentials(self, api, alice):
        assert_error(
            api.post("/api/login/", {"username": "alice", "password": "nope"}, format="json"),
            401,
            "invalid_credentials",
        )

    def test_me_without_login_is_not_authenticated(self, api):
        assert_error(api.get("/api/me/"), 401, "not_authenticated")

    def test_logout_ends_the_session(self, alice):
        client = session_client(alice)
        response = client.post("/api/logout/", {}, format="json", HTTP_X_CSRFTOKEN=client.csrf)
        assert response.json() == {"success": True}
        assert_error(client.get("/api/me/"), 401, "not_authenticated")

    def test_unsafe_session_request_without_csrf_is_refused(self, alice, event, seats):
        client = session_client(alice)
        response = client.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"
        )
        assert_error(response, 403, "csrf_failed")
        assert Seat.objects.get(pk=seats[0].pk).status == "available"

    def test_session_request_with_csrf_is_accepted(self, alice, event, seats):
        client = session_client(alice)
        response = client.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/lock/",
            {},
            format="json",
            HTTP_X_CSRFTOKEN=client.csrf,
        )
        assert response.status_code == 200

    def test_token_pair_and_refresh(self, api, alice):
        response = api.post(
            "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200
        tokens = response.json()
        assert {"access", "refresh"} <= tokens.keys()
        refreshed = api.post("/api/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
        assert refreshed.status_code == 200 and refreshed.json()["access"]
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
        assert api.get("/api/me/").json()["username"] == "alice"

    def test_token_with_a_wrong_password_is_invalid_credentials(self, api, alice):
        assert_error(
            api.post("/api/token/", {"username": "alice", "password": "nope"}, format="json"),
            401,
            "invalid_credentials",
        )

    def test_refresh_with_a_bad_token_is_not_authenticated(self, api):
        assert_error(
            api.post("/api/token/refresh/", {"refresh": "garbage"}, format="json"),
            401,
            "not_authenticated",
        )

    def test_invalid_bearer_token_is_401_even_on_public_endpoints(self, api, event):
        api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        assert_error(api.get("/api/events/"), 401, "not_authenticated")

    def test_bearer_requests_need_no_csrf(self, alice_api, event, seats):
        response = alice_api.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"
        )
        assert response.status_code == 200

    def test_auth_endpoints_are_throttled_with_retry_after(self, api, settings):
        from django.core.cache import cache

        cache.clear()
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/min"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        try:
            for _ in range(2):
                api.post("/api/login/", {"username": "x", "password": "y"}, format="json")
            response = api.post("/api/login/", {"username": "x", "password": "y"}, format="json")
        finally:
            cache.clear()
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) >= 1


class TestEvents:
    def test_list_is_soonest_first_with_prices_and_counts(self, api, alice):
        later = event_with_seats(name="Later", days=60, price="80.00")
        sooner = event_with_seats(name="Sooner", days=10, rows=1, seats_per_row=4)
        Seat.objects.filter(pk=sooner.seats.first().pk).update(price="120.00")
        bearer_client(alice).post(
            f"/api/events/{sooner.id}/seats/{sooner.seats.last().id}/lock/", {}, format="json"
        )
        body = api.get("/api/events/").json()
        assert [e["name"] for e in body] == ["Sooner", "Later"]
        first = body[0]
        assert first == {
            "id": sooner.id,
            "name": "Sooner",
            "venue": "Main Hall",
            "starts_at": first["starts_at"],
            "price_min": "50.00",
            "price_max": "120.00",
            "seats_total": 4,
            "seats_available": 3,
        }
        assert ISO_Z.match(first["starts_at"])
        assert (
            body[1]["price_min"] == "80.00"
            and body[1]["seats_available"] == 10 == later.seats.count()
        )

    def test_detail_adds_the_description(self, api, event):
        body = api.get(f"/api/events/{event.id}/").json()
        assert body["description"] == "A test event." and body["seats_total"] == 10

    def test_unknown_event_is_not_found(self, api):
        assert_error(api.get("/api/events/999999/"), 404, "not_found")
        assert_error(api.get("/api/events/999999/seats/"), 404, "not_found")

    def test_seat_list_in_layout_order_with_mine_for_the_caller(
        self, api, alice_api, bob_api, event, seats
    ):
        alice_api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json")
        body = alice_api.get(f"/api/events/{event.id}/seats/").json()
        assert body["event_id"] == event.id
        assert [s["label"] for s in body["seats"]] == [
            "A1",
            "A2",
            "A3",
            "A4",
            "A5",
            "B1",
            "B2",
            "B3",
            "B4",
            "B5",
        ]
        first = body["seats"][0]
        assert first["status"] == "locked" and first["mine"] is True and first["version"] == 1
        assert ISO_Z.match(first["locked_until"])
        assert set(first) >= {
            "id",
            "label",
            "section",
            "row",
            "number",
            "price",
            "status",
            "version",
            "locked_until",
            "mine",
        }
        assert first["price"] == "50.00"
        bobs_view = bob_api.get(f"/api/events/{event.id}/seats/").json()["seats"][0]
        assert bobs_view["status"] == "locked" and bobs_view["mine"] is False
        assert "locked_by" not in bobs_view and "alice" not in str(bobs_view)
        anonymous = api.get(f"/api/events/{event.id}/seats/").json()["seats"][0]
        assert anonymous["mine"] is False

    def test_an_ended_lock_is_listed_available_before_any_sweep(self, api, alice, event, seats):
        Seat.objects.filter(pk=seats[0].pk).update(
            status="locked", locked_by=alice, locked_until=timezone.now() - timedelta(seconds=1)
        )
        seat = api.get(f"/api/events/{event.id}/seats/").json()["seats"][0]
        assert seat["status"] == "available" and seat["locked_until"] is None
        assert api.get("/api/events/").json()[0]["seats_available"] == 10

    def test_seat_list_of_10000_seats_takes_a_constant_number_of_queries(self, api):
        big = event_with_seats(rows=100, seats_per_row=100)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/api/events/{big.id}/seats/")
        assert response.status_code == 200
        assert len(response.json()["seats"]) == 10_000
        assert len(queries) <= 2


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
        assert Seat.objects.get(pk=seats[0].pk).locked_by.username == "alice"

    def test_unlock_of_an_ended_lock_is_not_holder(self, alice, alice_api, event, seats):
        Seat.objects.filter(pk=seats[0].pk).update(
            status="locked", locked_by=alice, locked_until=timezone.now() - timedelta(seconds=1)
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


class TestErrorShape:
    def test_malformed_json_is_invalid(self, alice_api, event):
        response = alice_api.generic(
            "POST",
            f"/api/events/{event.id}/lock/",
            '{"seat_ids": [1,',
            content_type="application/json",
        )
        body = assert_error(response, 400, "invalid")
        assert "Expecting" not in body["error"]

    def test_unknown_route_is_json_404(self, api):
        assert_error(api.get("/api/nothing/here/"), 404, "not_found")
        assert_error(api.post("/api/login"), 404, "not_found")
        assert_error(api.get("/api/reservations/a\nb/"), 404, "not_found")

    def test_wrong_method_is_405(self, api, alice_api, event):
        assert_error(api.delete("/api/events/"), 405, "method_not_allowed")
        assert_error(alice_api.get(f"/api/events/{event.id}/reserve/"), 405, "method_not_allowed")

    def test_oversized_body_is_413(self, alice_api, event):
        payload = '{"seat_ids": [' + ",".join(["1"] * 40_000) + "]}"
        response = alice_api.generic(
            "POST", f"/api/events/{event.id}/lock/", payload, content_type="application/json"
        )
        assert_error(response, 413, "too_large")

    def test_a_server_error_is_logged_not_shown(self, alice_api, event, seats, monkeypatch, caplog):
        from reservations.api import operation_views

        def broken(steps):
            raise RuntimeError("secret internals")

        monkeypatch.setattr(operation_views, "run_and_announce", broken)
        response = alice_api.post(
            f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json"
        )
        body = assert_error(response, 500, "server_error")
        assert "secret internals" not in response.content.decode()
        assert "secret internals" in caplog.text
        assert body["error"]

    def test_database_out_of_reach_is_503(self, api, monkeypatch):
        from django.db import OperationalError

        from reservations import selectors

        def unreachable():
            raise OperationalError("connection refused")

        monkeypatch.setattr(selectors, "event_list", unreachable)
        assert_error(api.get("/api/events/"), 503, "unavailable")


class TestOperations:
    def test_health_reports_both_parts(self, api):
        response = api.get("/api/health/")
        assert response.status_code == 200
        assert response.json() == {"database": "ok", "channel_layer": "ok"}

    def test_health_says_when_the_channel_layer_is_down(self, api, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        body = assert_error(api.get("/api/health/"), 503, "unavailable")
        assert body["channel_layer"] == "down" and body["database"] == "ok"

    def test_openapi_schema_and_docs(self, api):
        schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/events/{event_id}/reserve/" in paths
        assert "/api/reservations/{reservation_id}/cancel/" in paths
        assert api.get("/api/docs/").status_code == 200


def test_a_user_can_register_then_hold_and_book_by_token(api, event, seats):
    UserFactory(username="dora")
    tokens = api.post(
        "/api/token/", {"username": "dora", "password": PASSWORD}, format="json"
    ).json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert (
        api.post(f"/api/events/{event.id}/seats/{seats[0].id}/lock/", {}, format="json").status_code
        == 200
    )
    assert (
        api.post(
            f"/api/events/{event.id}/reserve/", {"seat_ids": [seats[0].id]}, format="json"
        ).status_code
        == 201
    )

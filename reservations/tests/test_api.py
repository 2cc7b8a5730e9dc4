"""The HTTP API against API.md, the accounts and the events: shapes, statuses and error codes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reservations.models import Event, Seat

from .api_calls import ISO_Z, assert_error, session_client
from .conftest import bearer_client
from .factories import PASSWORD, UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


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
        assert client.get("/api/me/").json() == {
            "id": alice.id,
            "username": "alice",
            "console": [],
            "console_events": {},
            "email": "",
            "email_verified": False,
        }

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
            "currency": "EUR",
            "queue": None,
        }
        assert ISO_Z.match(first["starts_at"])
        assert (
            body[1]["price_min"] == "80.00"
            and body[1]["seats_available"] == 10 == later.seats.count()
        )

    def test_detail_adds_the_description(self, api, event):
        body = api.get(f"/api/events/{event.id}/").json()
        assert body["description"] == "A test event." and body["seats_total"] == 10

    def test_detail_states_the_currency_and_the_hold_rules_before_a_buyer_meets_them(
        self, api, event, settings
    ):
        settings.SEAT_HOLD_LIMIT, settings.SEAT_LOCK_SECONDS = 4, 90
        settings.SEAT_PURCHASE_LIMIT = 8
        Event.objects.filter(pk=event.pk).update(currency="GBP")
        body = api.get(f"/api/events/{event.id}/").json()
        assert (body["currency"], body["hold_limit"], body["hold_seconds"]) == ("GBP", 4, 90)
        assert body["purchase_limit"] == 8  # the site's, until the organiser sets the event's
        Event.objects.filter(pk=event.pk).update(purchase_limit=6)
        assert api.get(f"/api/events/{event.id}/").json()["purchase_limit"] == 6

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
        assert "held_by" not in bobs_view and "alice" not in str(bobs_view)
        anonymous = api.get(f"/api/events/{event.id}/seats/").json()["seats"][0]
        assert anonymous["mine"] is False

    def test_an_ended_lock_is_listed_available_before_any_sweep(self, api, alice, event, seats):
        Seat.objects.filter(pk=seats[0].pk).update(
            status="locked", held_by=alice, held_until=timezone.now() - timedelta(seconds=1)
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


class TestOperations:
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

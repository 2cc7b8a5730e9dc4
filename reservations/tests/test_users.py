"""Accounts by the rules of reservations/users.py: names normalised and unique regardless of
case and width, no invisible characters or markup; accounts deactivated (holds released),
never deleted."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from reservations import users
from reservations.models import Reservation, Seat

from . import booking_calls
from .conftest import bearer_client
from .factories import event_with_seats

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-pass-9"


def _register(api, username):
    return api.post("/api/register/", {"username": username, "password": PASSWORD}, format="json")


class TestUsernames:
    @pytest.mark.parametrize("twin", ["ＡＬＩＣＥ", "ALICE", "Alice", "ａｌｉｃｅ"])
    def test_a_name_differing_only_in_case_or_width_is_taken(self, api, alice, twin):
        response = _register(api, twin)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert body["error"] == "username: That username is taken."
        assert get_user_model().objects.count() == 1

    def test_a_name_is_stored_in_its_normal_form(self, api):
        response = _register(api, "ｂｏｂ")
        assert response.status_code == 201
        assert response.json()["username"] == "bob"

    @pytest.mark.parametrize("name", ["al\u200bice", "ali\u200dce", "bob\u202e", "bob\x07"])
    def test_invisible_and_control_characters_are_refused(self, api, name):
        response = _register(api, name)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "invisible or control characters" in response.json()["error"]

    def test_a_null_character_is_refused(self, api):
        assert _register(api, "bob\x00x").json()["code"] == "invalid"

    @pytest.mark.parametrize("name", ["<b>bob</b>", "bob smith", 'a"onmouseover=x', "bob&co"])
    def test_markup_and_spaces_are_refused(self, api, name):
        response = _register(api, name)
        assert response.status_code == 400
        assert "only letters, digits and @ . + - _" in response.json()["error"]

    def test_letters_of_any_script_are_welcome(self, api):
        assert _register(api, "Zoë.Ångström").status_code == 201
        assert _register(api, "山田_太郎").status_code == 201

    def test_the_database_refuses_a_case_twin_too(self, alice):
        with pytest.raises(IntegrityError), transaction.atomic():
            get_user_model().objects.create_user(username="ALICE", password=PASSWORD)

    def test_a_twin_registered_a_moment_ago_is_taken_not_a_crash(self, alice, monkeypatch):
        # The check before the insert saw nothing (the twin committed in between): the unique
        # index answers, and the caller gets the same clean refusal.
        monkeypatch.setattr(users, "username_taken", lambda name, **kw: False)
        with pytest.raises(users.UsernameTaken):
            users.user_create(username="Alice", password=PASSWORD)


class TestDeactivation:
    def test_deactivating_releases_holds_keeps_bookings_and_ends_the_tokens(self, alice, bob):
        event = event_with_seats(rows=1, seats_per_row=4)
        s0, s1, s2, s3 = event.seats.order_by("id")
        booking_calls.lock_several(user=alice, event_id=event.id, seat_ids=[s0.id, s1.id])
        booked = booking_calls.reserve(user=alice, event_id=event.id, seat_ids=[s1.id])
        booking_calls.lock(user=alice, event_id=event.id, seat_id=s2.id)
        booking_calls.lock(user=bob, event_id=event.id, seat_id=s3.id)
        api = bearer_client(alice)

        users.user_deactivate(user=alice)

        seats = {s.id: s for s in Seat.objects.filter(event=event)}
        assert seats[s0.id].status == seats[s2.id].status == Seat.Status.AVAILABLE
        assert seats[s0.id].version == 2 and seats[s2.id].version == 2
        assert seats[s1.id].status == Seat.Status.RESERVED
        assert seats[s3.id].status == Seat.Status.LOCKED  # bob's hold is bob's
        assert Reservation.objects.get(pk=booked.reservation.pk).status == "confirmed"
        refused = api.post(f"/api/events/{event.id}/seats/{s0.id}/lock/", {}, format="json")
        assert refused.status_code == 401

    def test_deactivating_twice_changes_nothing(self, alice):
        users.user_deactivate(user=alice)
        users.user_deactivate(user=alice)
        alice.refresh_from_db()
        assert alice.is_active is False


class TestUserAdmin:
    @pytest.fixture
    def alice_holding_a_seat(self, alice):
        event = event_with_seats(rows=1, seats_per_row=2)
        seat = event.seats.order_by("id").first()
        booking_calls.lock(user=alice, event_id=event.id, seat_id=seat.id)
        return seat

    def test_a_user_holding_a_seat_cannot_be_deleted_only_deactivated(
        self, admin_client, alice, alice_holding_a_seat
    ):
        page = f"/admin/auth/user/{alice.pk}/delete/"
        assert admin_client.get(page).status_code == 403
        assert admin_client.post(page, {"post": "yes"}).status_code == 403
        bulk = admin_client.post(
            "/admin/auth/user/",
            {"action": "delete_selected", "_selected_action": [alice.pk], "post": "yes"},
        )
        assert bulk.status_code in (200, 302)
        assert get_user_model().objects.filter(pk=alice.pk).exists()
        alice_holding_a_seat.refresh_from_db()
        assert alice_holding_a_seat.status == Seat.Status.LOCKED

    def test_the_deactivate_action_releases_the_holds(
        self, admin_client, alice, alice_holding_a_seat
    ):
        response = admin_client.post(
            "/admin/auth/user/",
            {"action": "deactivate_selected", "_selected_action": [alice.pk]},
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        alice_holding_a_seat.refresh_from_db()
        assert alice.is_active is False
        assert alice_holding_a_seat.status == Seat.Status.AVAILABLE

    def test_unticking_active_in_the_form_releases_the_holds(
        self, admin_client, alice, alice_holding_a_seat
    ):
        form = {
            "username": "alice",
            "password": alice.password,
            "is_staff": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        }
        response = admin_client.post(f"/admin/auth/user/{alice.pk}/change/", form)
        assert response.status_code == 302, response.content[:3000]
        alice.refresh_from_db()
        alice_holding_a_seat.refresh_from_db()
        assert alice.is_active is False
        assert alice_holding_a_seat.status == Seat.Status.AVAILABLE

    def test_the_admin_applies_the_name_rules(self, admin_client, alice):
        response = admin_client.post(
            "/admin/auth/user/add/",
            {
                "username": "ＡＬＩＣＥ",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "usable_password": "true",
            },
        )
        assert response.status_code == 200
        assert "That username is taken." in response.content.decode()
        assert get_user_model().objects.filter(username__iexact="alice").count() == 1

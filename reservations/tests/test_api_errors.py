"""The HTTP API's one error shape (API.md), whatever went wrong."""

import pytest

from .api_calls import assert_error

pytestmark = pytest.mark.django_db


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
        response = api.get("/api/events/")
        assert_error(response, 503, "unavailable")
        assert response["Retry-After"] == "1"

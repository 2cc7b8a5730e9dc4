"""The metrics in this process (no PROMETHEUS_MULTIPROC_DIR: the process reports its own) and
who may read them (API.md "Metrics"). Real server processes, several of them summed into one
scrape, are realtime/tests/test_metrics.py's."""

import re
from pathlib import Path

import psycopg_pool
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from reservations import metrics
from reservations.api.loop_database import loop_connection_params
from reservations.models import Seat

from .api_calls import assert_error, session_client
from .conftest import bearer_client
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


def calls(operation: str, path: str, status: int, code: str) -> float:
    labels = {"operation": operation, "path": path, "status": str(status), "code": code}
    return REGISTRY.get_sample_value("seatmap_booking_calls_total", labels) or 0.0


class TestWhoMayScrape:
    def test_the_machine_itself_may_and_gets_the_exposition(self):
        response = APIClient().get("/api/metrics/")  # from 127.0.0.1
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        names = {family.name for family in text_string_to_metric_families(response.text)}
        assert {"seatmap_booking_calls", "seatmap_sockets_open", "seatmap_push_lag_seconds"} <= (
            names
        )

    def test_a_stranger_is_refused_in_the_api_s_error_shape(self):
        response = APIClient().get("/api/metrics/", REMOTE_ADDR="203.0.113.9")
        assert_error(response, 403, "forbidden")

    def test_a_forwarded_for_header_is_not_believed_without_a_proxy_of_ours(self):
        response = APIClient().get(
            "/api/metrics/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1"
        )
        assert_error(response, 403, "forbidden")

    def test_behind_our_proxy_the_client_it_names_is_who_asks(self, settings):
        settings.NUM_PROXIES = 1
        outside = APIClient().get("/api/metrics/", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert_error(outside, 403, "forbidden")
        settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
        inside = APIClient().get("/api/metrics/", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert inside.status_code == 200

    def test_a_scraper_elsewhere_with_the_token_may(self, settings):
        settings.METRICS_TOKEN = "scrape-secret-1"
        stranger = {"REMOTE_ADDR": "203.0.113.9"}
        assert (
            APIClient()
            .get("/api/metrics/", HTTP_AUTHORIZATION="Bearer scrape-secret-1", **stranger)
            .status_code
            == 200
        )
        wrong = APIClient().get("/api/metrics/", HTTP_AUTHORIZATION="Bearer guess", **stranger)
        assert_error(wrong, 403, "forbidden")
        assert_error(APIClient().get("/api/metrics/", **stranger), 403, "forbidden")

    def test_no_token_set_lets_no_bearer_in(self, settings):
        settings.METRICS_TOKEN = ""
        response = APIClient().get(
            "/api/metrics/", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9"
        )
        assert_error(response, 403, "forbidden")

    def test_only_get(self):
        assert_error(APIClient().post("/api/metrics/"), 405, "method_not_allowed")


class TestBookingCallsOnDjangosPath:
    def test_each_answer_is_counted_by_operation_status_and_code(self):
        event = event_with_seats(rows=1, seats_per_row=2)
        seat = event.seats.order_by("id").first()
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        lock = f"/api/events/{event.id}/seats/{seat.id}/lock/"
        before_ok = calls("seat_lock", "django", 200, "ok")
        before_taken = calls("seat_lock", "django", 409, "seat_unavailable")
        before_anonymous = calls("seat_lock", "django", 401, "not_authenticated")

        session = session_client(alice)
        answer = session.post(lock, {}, format="json", HTTP_X_CSRFTOKEN=session.csrf)
        assert answer.status_code == 200
        assert bearer_client(bob).post(lock, {}, format="json").status_code == 409
        assert APIClient().post(lock, {}, format="json").status_code == 401

        assert calls("seat_lock", "django", 200, "ok") == before_ok + 1
        assert calls("seat_lock", "django", 409, "seat_unavailable") == before_taken + 1
        assert calls("seat_lock", "django", 401, "not_authenticated") == before_anonymous + 1
        assert Seat.objects.get(pk=seat.pk).held_by_id == alice.id


class TestWhatTheMetricsSay:
    def test_an_answer_s_code_is_its_api_code_or_ok(self):
        assert metrics.answer_code(200, b"") == "ok"
        assert metrics.answer_code(201, b"{}") == "ok"
        assert metrics.answer_code(409, b'{"error": "x", "code": "hold_limit"}') == "hold_limit"
        assert metrics.answer_code(502, b"<html>") == "none"

    def test_a_call_s_name_is_its_view_s_in_snake_case(self):
        assert metrics.operation_label("SeatLockApi") == "seat_lock"
        assert metrics.operation_label("BestAvailableApi") == "best_available"
        assert metrics.operation_label("ReservationCreateApi") == "reservation_create"

    def test_a_waiting_room_s_tick_sets_its_people_and_seats(self):
        metrics.queue_observed({"event_id": 991, "joined": 120, "serving": 45, "seats_left": 30})

        def people(stage):
            labels = {"event": "991", "stage": stage}
            return REGISTRY.get_sample_value("seatmap_queue_people", labels)

        assert (people("joined"), people("called"), people("waiting")) == (120, 45, 75)
        assert REGISTRY.get_sample_value("seatmap_queue_seats_left", {"event": "991"}) == 30

    def test_a_pool_s_sample_adds_its_counts_and_sets_its_size(self):
        def value(name, **labels):
            return REGISTRY.get_sample_value(name, {"pool": "test", **labels}) or 0.0

        stats = {"requests_num": 7, "requests_queued": 2, "requests_wait_ms": 1500}
        metrics.pool_sampled("test", {**stats, "requests_errors": 1, "pool_size": 4})
        metrics.pool_sampled("test", {"requests_num": 3, "pool_size": 5, "pool_available": 2})
        assert value("seatmap_db_pool_requests_total") == 10
        assert value("seatmap_db_pool_waits_total") == 2
        assert value("seatmap_db_pool_wait_seconds_total") == 1.5
        assert value("seatmap_db_pool_timeouts_total") == 1
        assert value("seatmap_db_pool_connections", state="open") == 5
        assert value("seatmap_db_pool_connections", state="idle") == 2

    def test_a_real_pool_s_wait_and_timeout_reach_the_metrics(self):
        """psycopg's own counts, as pools_sample moves them (reservations/api/pool_metrics.py)."""

        def value(name):
            return REGISTRY.get_sample_value(name, {"pool": "real"}) or 0.0

        before = [value(f"seatmap_db_pool_{n}_total") for n in ("waits", "timeouts")]
        params = loop_connection_params()
        with psycopg_pool.ConnectionPool(
            kwargs=params, min_size=1, max_size=1, timeout=0.2
        ) as pool:
            pool.wait()  # its one connection is open: taking it waits for nothing
            with pool.connection(), pytest.raises(psycopg_pool.PoolTimeout):
                pool.getconn()  # the only connection is taken: waits 0.2 s, gets none
            metrics.pool_sampled("real", pool.pop_stats())
        assert value("seatmap_db_pool_waits_total") == before[0] + 1
        assert value("seatmap_db_pool_timeouts_total") == before[1] + 1
        assert value("seatmap_db_pool_wait_seconds_total") >= 0.2

    def test_the_directory_s_health_is_whether_it_can_be_written(self, monkeypatch, tmp_path):
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        assert metrics.multiprocess_dir_ok()
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
        assert not metrics.multiprocess_dir_ok()


def test_every_metric_is_documented_and_the_queries_name_only_real_ones():
    """docs/METRICS.md's table and queries against what the server registers."""
    served = {family.name for family in REGISTRY.collect() if family.name.startswith("seatmap_")}
    text = (Path(__file__).resolve().parents[2] / "docs" / "METRICS.md").read_text()
    suffix = re.compile(r"_(total|bucket|count|sum)$")
    named = {suffix.sub("", name) for name in re.findall(r"seatmap_\w+", text)}
    assert named == served

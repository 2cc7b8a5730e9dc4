"""Limits on booking (reservations/api/booking_limits.py): per user and per address, one count
in Redis for both paths and every process; load-test hosts exempt; anonymous reads limited and
the anonymous seat list built once per moment."""

import asyncio
import time

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from reservations.api import limit_windows
from reservations.api.booking_limits import booking_rules
from reservations.api.limit_windows import (
    LIMITS_CLIENT_NAME,
    Rule,
    counts_of,
    windows_of,
)
from reservations.api.loop_app import LoopApp

from .factories import UserFactory, event_with_seats
from .fast_calls import DjangoStandIn, bearer, call, clicks, lock_path, on_one_loop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_counts():
    # The limits count in fixed windows of a minute: a test starts at least two seconds before
    # the next window, so that the requests it counts fall in one.
    left = 60 - time.time() % 60
    if left < 2:
        time.sleep(left + 0.05)
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for key in client.scan_iter("limits:*"):
        client.delete(key)
    limit_windows.forget_all()
    yield
    limit_windows.forget_all()


def django_lock(user, event, seat, address="10.0.0.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=bearer(user).decode())
    return client.post(lock_path(event, seat), {}, format="json")


def fast_lock(app, user, event, seat, address="10.0.0.1"):
    headers = [(b"authorization", bearer(user))]
    path = lock_path(event, seat)

    async def scenario():
        return await call(app, path, headers=headers, client=address)

    return on_one_loop(app, scenario)


def test_one_user_over_the_rate_is_429_on_both_paths_with_one_count(settings):
    settings.BOOKING_USER_RATE = "3/min"
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=5)
    seats = list(event.seats.order_by("id"))
    fast = LoopApp(DjangoStandIn())

    answers = [
        django_lock(alice, event, seats[0]).status_code,
        fast_lock(fast, alice, event, seats[1])[0],
        django_lock(alice, event, seats[2]).status_code,
    ]
    refused_django = django_lock(alice, event, seats[3])
    refused_fast = fast_lock(fast, alice, event, seats[4])

    assert answers == [200, 200, 200]
    assert refused_django.status_code == 429
    assert refused_django.json()["code"] == "throttled"
    assert int(refused_django["Retry-After"]) >= 1
    status, payload, headers = refused_fast
    assert (status, payload["code"]) == (429, "throttled")
    assert int(headers["retry-after"]) >= 1
    assert list(event.seats.filter(status="locked").values_list("id", flat=True)) == [
        s.id for s in seats[:3]
    ]


def test_a_burst_of_clicks_is_counted_in_one_batch_each_with_its_own_count(settings):
    """On the fast path the counts of the calls in one turn of the loop go to Redis together:
    one connection for the whole burst (one per call would queue them on the pool), and each
    call still gets its own count, so a burst past the rate is cut exactly at the rate."""
    settings.BOOKING_USER_RATE = "4/min"
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=7)
    seats = list(event.seats.order_by("id"))
    fast = LoopApp(DjangoStandIn())
    token = bearer(alice)
    server = redis.Redis.from_url(django_settings.REDIS_URL)

    def counting_connections() -> set[str]:
        # This test's Redis db only: the other pytest workers' servers count on the same Redis.
        db = str(server.connection_pool.connection_kwargs.get("db", 0))
        counting = (c for c in server.client_list() if c["name"] == LIMITS_CLIENT_NAME)
        return {c["id"] for c in counting if c["db"] == db}

    before = counting_connections()

    async def burst():
        answers = await asyncio.gather(
            *(call(fast, lock_path(event, s), headers=[(b"authorization", token)]) for s in seats)
        )
        return answers, counting_connections() - before  # while this loop's pool is open

    answers, opened = on_one_loop(fast, burst)

    assert sorted(status for status, _, _ in answers) == [200] * 4 + [429] * 3
    assert event.seats.filter(status="locked").count() == 4
    assert len(opened) == 1
    keys = list(server.scan_iter(f"limits:booking:u{alice.pk}:*"))
    assert [int(server.get(key)) for key in keys] == [7]
    assert all(0 < server.ttl(key) <= 61 for key in keys)  # the window ends, then the key


def test_calls_counted_together_get_the_counts_they_would_have_got_one_by_one():
    user_1, user_2, address = (Rule(key, 5, 60) for key in ("u1", "u2", "192.0.2.1"))
    calls = [(user_1, address), (user_2, address), (user_1, address)]
    windows = windows_of(calls)
    assert windows == {"u1": [2, 60], "192.0.2.1": [3, 60], "u2": [1, 60]}
    # The script's answer: each window's count after all of them (u1 had 4 before).
    assert counts_of(calls, windows, [6, 3, 1]) == [[5, 1], [1, 2], [6, 3]]


def test_another_user_is_not_held_back_by_the_first_ones_limit(settings):
    settings.BOOKING_USER_RATE = "1/min"
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    event = event_with_seats(rows=1, seats_per_row=3)
    first, second, third = event.seats.order_by("id")

    assert django_lock(alice, event, first).status_code == 200
    assert django_lock(alice, event, second).status_code == 429
    assert django_lock(bob, event, third).status_code == 200


def test_many_accounts_from_one_address_meet_the_address_limit(settings):
    settings.BOOKING_ADDRESS_RATE = "4/min"
    event = event_with_seats(rows=1, seats_per_row=6)
    seats = list(event.seats.order_by("id"))
    accounts = [UserFactory(username=f"farm{n}") for n in range(6)]

    statuses = [django_lock(a, event, s).status_code for a, s in zip(accounts, seats, strict=True)]
    elsewhere = django_lock(UserFactory(username="fan"), event, seats[5], address="10.9.9.9")

    assert statuses == [200, 200, 200, 200, 429, 429]
    assert elsewhere.status_code == 200


def test_accounts_on_many_addresses_of_one_ipv6_64_meet_the_address_limit_on_both_paths(
    settings,
):
    settings.BOOKING_ADDRESS_RATE = "3/min"
    event = event_with_seats(rows=1, seats_per_row=6)
    seats = list(event.seats.order_by("id"))
    accounts = [UserFactory(username=f"farm{n}") for n in range(5)]
    fast = LoopApp(DjangoStandIn())

    statuses = [
        django_lock(accounts[0], event, seats[0], address="2001:db8:7:7::1").status_code,
        django_lock(accounts[1], event, seats[1], address="2001:db8:7:7:ffff::2").status_code,
        fast_lock(fast, accounts[2], event, seats[2], address="2001:db8:7:7::3")[0],
        fast_lock(fast, accounts[3], event, seats[3], address="2001:db8:7:7::4")[0],
    ]
    elsewhere = django_lock(accounts[4], event, seats[4], address="2001:db8:7:8::1")

    assert statuses == [200, 200, 200, 429]
    assert elsewhere.status_code == 200


def test_anonymous_reads_from_one_ipv6_64_share_one_count(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon_read": "2/min",
        },
    }
    event = event_with_seats(rows=1, seats_per_row=2)
    statuses = [
        APIClient(REMOTE_ADDR=f"2001:db8:5:5::{n}").get(f"/api/events/{event.id}/").status_code
        for n in range(1, 4)
    ]
    other = APIClient(REMOTE_ADDR="2001:db8:5:6::1").get(f"/api/events/{event.id}/")

    assert statuses == [200, 200, 429]
    assert other.status_code == 200


def test_a_load_test_host_is_exempt(settings):
    settings.BOOKING_USER_RATE = "1/min"
    settings.LIMITS_EXEMPT_NETWORKS = ["10.0.0.0/8"]
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3)

    statuses = [django_lock(alice, event, seat).status_code for seat in event.seats.all()]

    assert statuses == [200, 200, 200]
    assert booking_rules(alice.pk, "192.0.2.1", 0.0) != []


def test_a_throttled_call_changes_nothing_and_is_counted_before_the_body(settings):
    settings.BOOKING_USER_RATE = "1/min"
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    first, second = event.seats.order_by("id")
    django_lock(alice, event, first)

    client = APIClient(REMOTE_ADDR="10.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=bearer(alice).decode())
    refused = client.post(lock_path(event, second), "{bad", content_type="application/json")

    assert refused.status_code == 429  # as DRF orders it: throttles, then the body
    second.refresh_from_db()
    assert second.status == "available"


def test_anonymous_reads_are_limited_per_address_and_logged_in_reads_are_not(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon_read": "2/min",
        },
    }
    event = event_with_seats(rows=1, seats_per_row=2)
    anonymous = APIClient(REMOTE_ADDR="10.1.1.1")
    alice = APIClient(REMOTE_ADDR="10.1.1.1")
    alice.credentials(HTTP_AUTHORIZATION=bearer(UserFactory(username="alice")).decode())

    statuses = [anonymous.get(f"/api/events/{event.id}/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert anonymous.get(f"/api/events/{event.id}/seats/").json()["code"] == "throttled"
    assert alice.get(f"/api/events/{event.id}/seats/").status_code == 200


def test_a_logged_in_callers_reads_are_limited_per_account_not_per_address(settings):
    """Issue 40: logged-in reads had no limit at all; many accounts on one host are each
    counted, and do not use up one another's."""
    settings.USER_READ_THROTTLE_RATE = "2/min"
    event = event_with_seats(rows=1, seats_per_row=2)
    alice, bob = APIClient(REMOTE_ADDR="10.1.1.1"), APIClient(REMOTE_ADDR="10.1.1.1")
    alice.credentials(HTTP_AUTHORIZATION=bearer(UserFactory(username="alice")).decode())
    bob.credentials(HTTP_AUTHORIZATION=bearer(UserFactory(username="bob")).decode())

    statuses = [alice.get("/api/events/").status_code for _ in range(3)]
    proof = alice.get(f"/api/events/{event.id}/queue/proof/")

    assert statuses == [200, 200, 429]
    assert proof.status_code == 429 and proof.json()["code"] == "throttled"
    assert bob.get("/api/events/").status_code == 200


def test_a_logged_in_callers_seat_list_reads_are_limited_per_user(settings):
    settings.SEAT_LIST_USER_RATE = "2/min"
    event = event_with_seats(rows=1, seats_per_row=2)
    alice, bob = APIClient(), APIClient()
    alice.credentials(HTTP_AUTHORIZATION=bearer(UserFactory(username="alice")).decode())
    bob.force_authenticate(UserFactory(username="bob"))

    statuses = [alice.get(f"/api/events/{event.id}/seats/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert bob.get(f"/api/events/{event.id}/seats/").status_code == 200


def test_the_database_paths_anonymous_list_shows_a_change_at_once():
    event = event_with_seats(rows=1, seats_per_row=2)
    anonymous = APIClient()
    anonymous.get(f"/api/events/{event.id}/seats/")
    seat = event.seats.first()
    seat.status = "reserved"
    seat.save()

    statuses = {
        s["status"] for s in anonymous.get(f"/api/events/{event.id}/seats/").json()["seats"]
    }

    assert "reserved" in statuses


def test_redis_out_of_reach_counts_in_the_process_on_the_django_path(settings, caplog):
    settings.BOOKING_USER_RATE = "1/min"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3)

    statuses = [django_lock(alice, event, seat).status_code for seat in event.seats.all()]

    assert statuses == [200, 429, 429]
    outage = [r for r in caplog.records if "Redis is out of reach" in r.getMessage()]
    assert len(outage) == 1, "logged once per outage, not per call"


def test_redis_out_of_reach_counts_a_burst_in_the_process_on_the_fast_path(settings):
    settings.BOOKING_USER_RATE = "1/min"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3)
    fast = LoopApp(DjangoStandIn())

    answers = clicks(fast, [(lock_path(event, seat), alice) for seat in event.seats.all()])

    assert [status for status, _, _ in answers] == [200, 429, 429]


def test_without_redis_the_limits_are_counted_in_the_process(settings):
    settings.BOOKING_USER_RATE = "2/min"
    settings.REDIS_URL = ""
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=3)

    statuses = [django_lock(alice, event, seat).status_code for seat in event.seats.all()]

    assert statuses == [200, 200, 429]

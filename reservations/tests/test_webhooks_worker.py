"""The webhook worker (reservations/webhooks/worker.py, sending.py, seat_changes.py): woken by
the commit, at least once with a stable id through a receiver that is down and comes back,
the backoff schedule, endpoints disabled after a day of failures, `seats.changed` from the
ledger, the purge. Real PostgreSQL, a real receiver on 127.0.0.1."""

import contextlib
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from harness.waiting import eventually
from reservations.ledger.models import SeatChange
from reservations.models import WebhookDelivery, WebhookMessage
from reservations.webhooks.seat_changes import LedgerEnd, seats_changed_written
from reservations.webhooks.sending import Answer, recorded
from reservations.webhooks.worker import CHANNEL, Worker, messages_purge

from . import booking_calls
from .factories import event_with_seats
from .races import conninfo
from .webhook_receiver import CANCELLED, CONFIRMED, SEATS_CHANGED, endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT_WAITS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800]


@contextlib.contextmanager
def worker_running():
    """The worker's loop on a thread of its own, as `deliver_webhooks` runs it."""
    stop = threading.Event()
    started: list[Worker] = []

    def run():
        try:
            started.append(Worker())
            started[0].run_forever(stop)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        for worker in started:
            worker.wake.set()  # it waits for its next round (WEBHOOK_POLL_SECONDS), not for stop
        thread.join(15)


def booked(user, event, count: int) -> list[int]:
    """`count` one-seat bookings by `user`; their reservation ids."""
    made = []
    for seat in event.seats.order_by("id")[:count]:
        booking_calls.lock(user=user, event_id=event.id, seat_id=seat.id)
        outcome = booking_calls.reserve(user=user, event_id=event.id, seat_ids=[seat.id])
        made.append(outcome.reservation.pk)
    return made


def listening() -> bool:
    """A session of the test database has run the worker's LISTEN (and waits for NOTIFYs)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query = %s",
            [f"LISTEN {CHANNEL}"],
        )
        return cursor.fetchone()[0] > 0


def test_a_commit_wakes_the_worker_at_once(receiver, alice, settings):
    """The trigger's NOTIFY, not the poll (set here to a minute), brings a booking out."""
    settings.WEBHOOK_POLL_SECONDS = 60
    endpoint_for(receiver, CONFIRMED)
    event = event_with_seats(rows=1, seats_per_row=2)
    with worker_running():
        eventually(listening)
        booked(alice, event, 1)
        committed = time.time()
        arrived = receiver.wait_for(1, timeout=3)
    assert len(arrived) == 1 and arrived[0].at - committed < 1.0


def test_a_receiver_down_then_back_gets_every_delivery_exactly_once_by_id(
    receiver, alice, settings
):
    settings.WEBHOOK_RETRY_SECONDS = [0.2] * 30
    settings.WEBHOOK_POLL_SECONDS = 0.05
    endpoint = endpoint_for(receiver, CONFIRMED, CANCELLED)
    event = event_with_seats(rows=1, seats_per_row=6)
    receiver.stop()  # down: every POST is refused
    answered = Counter()

    def first_503_then_200(msg_id):  # back, but the first attempt of each is answered 503
        answered[msg_id] += 1
        return 503 if answered[msg_id] == 1 else 200

    receiver.answer = first_503_then_200
    with worker_running():
        made = booked(alice, event, 5)
        booking_calls.cancel(user=alice, reservation_id=made[0])
        time.sleep(1)
        refused = WebhookDelivery.objects.filter(attempts__gte=2, last_status=None).count()
        receiver.start()
        receiver.wait_for(6)
        time.sleep(0.5)  # anything more would come now
    # Each booking was tried, and refused, while it was down; the first one's cancellation
    # waited behind its confirmation (a reservation's messages go in order).
    assert refused == 5
    messages = set(WebhookMessage.objects.values_list("msg_id", flat=True))
    assert len(messages) == 6
    delivered = Counter(a.msg_id for a in receiver.delivered())
    assert delivered == Counter(messages)  # each id delivered exactly once
    bodies = defaultdict(set)
    for arrival in receiver.arrivals:
        arrival.verified(endpoint.secret)
        bodies[arrival.msg_id].add(arrival.body)
    assert all(len(b) == 1 for b in bodies.values())  # a retry is the same bytes, signed anew
    assert {n for n in answered.values()} == {2}
    first = list(WebhookMessage.objects.filter(reservation_id=made[0]).order_by("id"))
    seen = [a.msg_id for a in receiver.arrivals]
    confirmed_at = max(i for i, msg_id in enumerate(seen) if msg_id == first[0].msg_id)
    assert seen.index(first[1].msg_id) > confirmed_at  # the cancellation after the booking
    assert set(WebhookDelivery.objects.values_list("state", "last_status")) == {("delivered", 200)}


def test_a_failing_delivery_is_retried_on_the_schedule_for_a_day_then_given_up(receiver, alice):
    receiver.answer = lambda msg_id: 500
    endpoint_for(receiver, CONFIRMED)
    booked(alice, event_with_seats(rows=1, seats_per_row=1), 1)
    delivery = WebhookDelivery.objects.get()
    waits = []
    for attempt in range(1, 12):
        Worker().drain()
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status) == (attempt, 500)
        assert delivery.last_answer == "answered 500"
        if delivery.next_attempt_at is None:
            break
        waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
        # The wait goes by: due now.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert waits == DEFAULT_WAITS
    assert sum(waits) / 3600 == pytest.approx(23.7, abs=0.1)
    assert (delivery.attempts, delivery.state) == (11, "failed")
    assert len(receiver.arrivals) == 11
    delivery.endpoint.refresh_from_db()
    assert delivery.endpoint.enabled  # failing for seconds, not a day: still on


def test_a_drain_sends_each_delivery_once_and_leaves_its_retry_to_the_next(
    receiver, alice, settings
):
    # A retry due at once stands for one that falls due while a drain runs (a slow receiver,
    # a busy machine): `deliver_webhooks --once` still makes one attempt of it.
    settings.WEBHOOK_RETRY_SECONDS = [0.0] * 10
    receiver.answer = lambda msg_id: 500
    endpoint_for(receiver, CONFIRMED)
    booked(alice, event_with_seats(rows=1, seats_per_row=1), 1)
    Worker().drain()
    assert WebhookDelivery.objects.get().attempts == 1
    Worker().drain()
    assert WebhookDelivery.objects.get().attempts == 2
    assert len(receiver.arrivals) == 2


def test_an_endpoint_failing_for_a_day_is_disabled_and_one_with_a_success_between_is_not(
    receiver, alice
):
    endpoint = endpoint_for(receiver, CONFIRMED)
    booked(alice, event_with_seats(rows=1, seats_per_row=2), 2)
    first, second = WebhookDelivery.objects.order_by("id").select_related("endpoint", "message")
    start = timezone.now()
    failed = Answer(500, "down")
    # The first delivery fails its 11 attempts over the schedule; the second succeeds at hour 2.
    moment = start
    for attempt, wait in enumerate([0, *DEFAULT_WAITS], start=1):
        moment += timedelta(seconds=wait)
        if moment >= start + timedelta(hours=2) and second.state == "pending":
            recorded([(second, Answer(200, "ok"))], now=moment)
        first.endpoint.refresh_from_db()
        recorded([(first, failed)], now=moment)
        assert first.attempts == attempt
    endpoint.refresh_from_db()
    assert (first.state, endpoint.enabled) == ("failed", True)  # a success 22 h ago

    # Again, with no success at all: given up, and the endpoint disabled with the reason.
    booked(alice, event_with_seats(rows=1, seats_per_row=1, name="Later"), 1)
    third = WebhookDelivery.objects.select_related("endpoint", "message").latest("id")
    for wait in [0, *DEFAULT_WAITS]:
        moment += timedelta(seconds=wait)
        recorded([(third, failed)], now=moment)
    endpoint.refresh_from_db()
    assert (third.state, endpoint.enabled) == ("failed", False)
    assert "11 attempts of a delivery failed" in endpoint.disabled_reason
    assert "last answer: 500 down" in endpoint.disabled_reason
    # Disabled: a new booking writes it nothing, and nothing of its own is sent.
    before = WebhookDelivery.objects.count()
    booked(alice, event_with_seats(rows=1, seats_per_row=1, name="Last"), 1)
    assert WebhookDelivery.objects.count() == before


def test_an_endpoint_is_disabled_by_the_worker_against_a_receiver_that_keeps_failing(
    receiver, alice, settings
):
    settings.WEBHOOK_RETRY_SECONDS = [0.1, 0.1]  # three attempts over 0.2 s
    settings.WEBHOOK_POLL_SECONDS = 0.05
    receiver.answer = lambda msg_id: 500
    endpoint = endpoint_for(receiver, CONFIRMED)
    booked(alice, event_with_seats(rows=1, seats_per_row=1), 1)

    def disabled() -> bool:
        endpoint.refresh_from_db()
        return not endpoint.enabled

    with worker_running():
        eventually(disabled)
    assert not endpoint.enabled and len(receiver.arrivals) == 3
    assert WebhookDelivery.objects.get().state == "failed"


def test_seats_changed_sends_the_ledgers_changes_in_bulk(receiver, alice):
    concert, play = event_with_seats(name="Concert"), event_with_seats(name="Play")
    endpoint = endpoint_for(receiver, SEATS_CHANGED, event=concert)
    a, b = concert.seats.order_by("id")[:2]
    booking_calls.lock_several(user=alice, event_id=concert.id, seat_ids=[a.id, b.id])
    booking_calls.unlock(user=alice, event_id=concert.id, seat_id=b.id)
    booking_calls.reserve(user=alice, event_id=concert.id, seat_ids=[a.id])
    booking_calls.lock(user=alice, event_id=play.id, seat_id=play.seats.first().id)  # not asked
    Worker().drain()
    (arrival,) = receiver.delivered()
    body = arrival.verified(endpoint.secret)
    assert body["type"] == SEATS_CHANGED and body["data"]["event"] == concert.id
    changes = body["data"]["changes"]
    assert sorted((c["label"], c["before"], c["after"], c["version"]) for c in changes) == [
        (a.label, "available", "locked", 1),
        (a.label, "locked", "reserved", 2),
        (b.label, "available", "locked", 1),
        (b.label, "locked", "available", 2),
    ]
    ledger = list(SeatChange.objects.filter(event_id=concert.id).order_by("id"))
    assert [(c["change"], c["seat"]) for c in changes] == [(x.id, x.seat_id) for x in ledger]
    assert {c["via"] for c in changes} == {"online"}  # as a buyer's calls say
    endpoint.refresh_from_db()
    assert endpoint.ledger_cursor >= ledger[-1].id
    Worker().drain()  # nothing new: nothing sent again
    assert len(receiver.delivered()) == 1


def test_seats_changed_waits_for_a_change_that_commits_after_a_later_one(receiver, alice):
    """The ledger's ids are handed out at write time: an open transaction's change (a lower
    id) must not be passed over when a later one commits first."""
    event = event_with_seats(rows=1, seats_per_row=2)
    endpoint = endpoint_for(receiver, SEATS_CHANGED)
    early, late = event.seats.order_by("id")
    ledger = LedgerEnd()
    with psycopg.connect(conninfo()) as other:
        other.execute(
            "UPDATE reservations_seat SET version = version + 1 WHERE id = %s", [early.id]
        )
        (written,) = other.execute("SELECT max(id) FROM reservations_seatchange").fetchone()
        booking_calls.lock(user=alice, event_id=event.id, seat_id=late.id)  # commits first
        for _ in range(3):
            assert ledger.advanced() < written
            time.sleep(0.05)
        other.commit()
    eventually(lambda: ledger.advanced() > written)
    seats_changed_written(final=ledger.final)
    Worker().drain()
    changes = receiver.delivered()[0].verified(endpoint.secret)["data"]["changes"]
    assert [(c["seat"], c["after"]) for c in changes] == [
        (early.id, "available"),  # its version bumped by the transaction that ended last
        (late.id, "locked"),
    ]


def test_messages_older_than_the_days_kept_are_purged_with_their_deliveries(receiver, alice):
    endpoint_for(receiver, CONFIRMED)
    booked(alice, event_with_seats(rows=1, seats_per_row=3), 3)
    old, *recent = WebhookMessage.objects.order_by("id")
    WebhookMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert messages_purge() == 1
    assert list(WebhookMessage.objects.order_by("id")) == recent
    assert WebhookDelivery.objects.filter(message_id=old.pk).count() == 0
    assert WebhookDelivery.objects.count() == 2

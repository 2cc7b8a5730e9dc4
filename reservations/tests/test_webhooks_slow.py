"""One slow receiver cannot stall the others (issue 60 row 4; reservations/webhooks/reach.py,
sending.py, worker.py): each attempt ends by one deadline however its answer trickles in, one
endpoint takes at most its share of the senders, a delivery in flight is not taken again, and a
huge reply is not read. Real sockets on 127.0.0.1, the worker on a thread as it runs."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from harness.waiting import eventually
from reservations.models import WebhookDelivery, WebhookMessage
from reservations.webhooks import sending
from reservations.webhooks.worker import SENDERS, SENDERS_PER_ENDPOINT

from .test_webhooks_worker import worker_running
from .webhook_receiver import CONFIRMED, Dripping, Flood, endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 1.0


def _due(endpoint, count: int, *, at) -> list[str]:
    """`count` test messages due to `endpoint` at `at`; their webhook-ids."""
    ids = []
    for _ in range(count):
        message = WebhookMessage.objects.create(
            msg_id=sending.new_msg_id(), type="webhook.test", payload={}, created_at=at
        )
        WebhookDelivery.objects.create(message=message, endpoint=endpoint, next_attempt_at=at)
        ids.append(message.msg_id)
    return ids


@pytest.fixture
def dripping():
    server = Dripping(every=0.25).start()
    yield server
    server.stop()


def test_a_dripping_receiver_holds_its_share_of_senders_for_the_deadline_only(
    receiver, dripping, settings, monkeypatch
):
    """More deliveries wait for the dripping receiver than there are senders, and they are due
    first; the healthy receiver's still go out at once. A byte every 0.25 s never trips a
    per-read timeout of 1 s: only a deadline for the whole attempt ends it."""
    settings.WEBHOOK_TIMEOUT_SECONDS = DEADLINE
    settings.WEBHOOK_RETRY_SECONDS = [60] * 10
    settings.WEBHOOK_POLL_SECONDS = 0.05
    # As shipped, six deadlines: an attempt held past its lease would be taken and sent again.
    monkeypatch.setattr(sending, "CLAIM_LEASE", timedelta(seconds=6 * DEADLINE))
    now = timezone.now()
    slow = _due(endpoint_for(dripping, CONFIRMED), SENDERS + 4, at=now - timedelta(minutes=1))
    healthy = _due(endpoint_for(receiver, CONFIRMED), 10, at=now)

    with worker_running():
        started = time.monotonic()
        receiver.wait_for(10, timeout=5)
        healthy_after = time.monotonic() - started
        eventually(lambda: len(set(dripping.msg_ids)) == len(slow), within=15)
        time.sleep(max(0.0, 6 * DEADLINE + 1.5 - (time.monotonic() - started)))  # past a lease

    assert sorted(a.msg_id for a in receiver.delivered()) == sorted(healthy)
    assert healthy_after < 1.5 * DEADLINE
    assert sorted(dripping.msg_ids) == sorted(slow)  # each attempted once, none taken again
    assert dripping.most_open <= SENDERS_PER_ENDPOINT
    assert dripping.held and max(dripping.held) < DEADLINE + 0.75
    attempted = WebhookDelivery.objects.filter(endpoint__url=dripping.url, attempts=1)
    assert attempted.count() == len(slow)
    assert all(d.last_status is None for d in attempted)


def test_a_200_mb_reply_is_not_read(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    flood = Flood().start()
    endpoint = endpoint_for(flood, CONFIRMED)
    _due(endpoint, 1, at=timezone.now())
    delivery = WebhookDelivery.objects.select_related("message", "endpoint").get()
    started = time.monotonic()
    with sending.http_pool() as pool:
        answer = sending.post(pool, delivery)
    took = time.monotonic() - started
    flood.stop()
    assert answer.status == 200 and answer.delivered
    assert len(answer.text) <= sending.ANSWER_KEPT
    # What the kernel's buffers took in before the connection closed: a few MB at most.
    assert flood.finished.wait(5) and flood.sent < 32 * 2**20, flood.sent
    assert took < 2

"""One attempt at a delivery: its body, signed as Standard Webhooks says (the `standardwebhooks`
package), POSTed, and what came of it written back: delivered; or tried again after the next
wait of WEBHOOK_RETRY_SECONDS; or, once every wait is spent (~24 h), given up, and the endpoint
disabled if it has answered nothing well for as long.

An attempt goes only where reach.py allows, ends by one deadline (WEBHOOK_TIMEOUT_SECONDS),
and reads at most REPLY_BYTES of the reply: what a receiver answers is its status; the rest is
kept only as a note in the log. Deliveries are claimed as the outbox claims every row
(reservations/outbox.py), with a lease that outlives the deadline: one that goes again goes
with the same `webhook-id` (at least once), but one still being sent is never taken.
"""

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpcore
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Subquery
from django.utils import timezone
from standardwebhooks import Webhook

from ..outbox import claimed, retry_at
from ..wire_values import iso
from .models import TEST_TYPE, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .reach import PublicOnly, deadline

logger = logging.getLogger("reservations.webhooks")

State = WebhookDelivery.State
PENDING, DELIVERED, FAILED = State.PENDING, State.DELIVERED, State.FAILED
# Six deadlines (WEBHOOK_TIMEOUT_SECONDS, 10 s): every attempt has ended, and been written
# back, long before its lease does.
CLAIM_LEASE = timedelta(seconds=60)
REPLY_BYTES = 4096  # reading a reply stops once this much is in (one network read past it)
ANSWER_KEPT = 500  # characters of a receiver's reply (or of the error) kept in the log
USER_AGENT = "seatmap-webhooks/1"
# The errors of an attempt that got no answer (httpcore's have no common base).
NO_ANSWER = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)


def new_msg_id() -> str:
    return f"msg_{uuid.uuid4().hex}"  # as the trigger's: msg_ and 32 hex digits


def message_body(message: WebhookMessage) -> str:
    """The body, the same bytes on every attempt: {"type", "timestamp", "data"}."""
    envelope = {"type": message.type, "timestamp": iso(message.created_at), "data": message.payload}
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def signed_headers(
    *, secrets: Sequence[str], msg_id: str, body: str, now: datetime
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(s).sign(msg_id, now, body) for s in secrets),
    }


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out, ...)
    text: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(pool: httpcore.ConnectionPool, delivery: WebhookDelivery) -> Answer:
    """POST the delivery's message to its endpoint, signed now, within the deadline. Never
    raises for the network."""
    message, endpoint = delivery.message, delivery.endpoint
    body = message_body(message)
    now = timezone.now()
    headers = signed_headers(
        secrets=endpoint.signing_secrets(now=now), msg_id=message.msg_id, body=body, now=now
    )
    seconds = settings.WEBHOOK_TIMEOUT_SECONDS
    timeouts = dict.fromkeys(["connect", "read", "write", "pool"], seconds)
    status, reply = None, b""
    try:
        with (
            deadline(seconds),
            pool.stream(
                "POST",
                endpoint.url,
                headers=list(headers.items()),
                content=body.encode(),
                extensions={"timeout": timeouts},
            ) as response,
        ):
            status = response.status
            for chunk in response.iter_stream():
                reply += chunk
                if len(reply) >= REPLY_BYTES:
                    break  # closing the response then closes its connection, unread
    except NO_ANSWER as exc:
        if status is None:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:ANSWER_KEPT])
    # The status decides; a reply cut off by the deadline is kept as far as it came.
    return Answer(status, reply[:REPLY_BYTES].decode("utf-8", "replace")[:ANSWER_KEPT])


def http_pool() -> httpcore.ConnectionPool:
    """Redirects are not followed (a receiver answers where it was registered); no proxy from
    the environment: the connection goes where reach.py checked."""
    return httpcore.ConnectionPool(network_backend=PublicOnly(), max_connections=100)


def claimed_due(
    *,
    limit: int,
    now: datetime,
    sent: Collection[int] = (),
    busy: Mapping[int, int] | None = None,
    per_endpoint: int | None = None,
) -> list[WebhookDelivery]:
    """Up to `limit` deliveries due to enabled endpoints, taken for a lease (SKIP LOCKED: two
    workers never take the same one), none of `sent`; to each endpoint at most `per_endpoint`
    in flight, counting the `busy` ones the caller is sending it, so one slow receiver cannot
    take every sender. The endpoint whose oldest delivery is due first goes first, and its
    oldest first. A reservation's messages reach an endpoint in the order they were written:
    one waits while an earlier one about the same reservation to the same endpoint is still
    pending (being sent, or waiting for a retry)."""
    busy = busy or {}
    per_endpoint = per_endpoint or limit
    earlier = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        state=PENDING,
        message__reservation_id=OuterRef("message__reservation_id"),
        id__lt=OuterRef("id"),
    )
    due = (
        WebhookDelivery.objects.filter(state=PENDING, next_attempt_at__lte=now)
        .exclude(Exists(earlier))
        .exclude(id__in=sent)
        .order_by("next_attempt_at")
    )
    oldest = due.filter(endpoint_id=OuterRef("pk")).values("next_attempt_at")[:1]
    endpoints = (
        WebhookEndpoint.objects.filter(enabled=True)
        .exclude(pk__in=[pk for pk, count in busy.items() if count >= per_endpoint])
        .annotate(oldest=Subquery(oldest))
        .filter(oldest__isnull=False)
        .order_by("oldest")
        .values_list("pk", flat=True)
    )
    ids: list[int] = []
    for endpoint_id in endpoints:
        room = min(per_endpoint - busy.get(endpoint_id, 0), limit - len(ids))
        if room <= 0:
            break
        mine = due.filter(endpoint_id=endpoint_id)
        ids += claimed(mine, now=now, lease=CLAIM_LEASE, limit=room)
    return list(WebhookDelivery.objects.filter(id__in=ids).select_related("message", "endpoint"))


def recorded(results: Sequence[tuple[WebhookDelivery, Answer]], *, now: datetime) -> None:
    """Write back a round of attempts, in one transaction: their endpoints locked (in id
    order), the deliveries that went well in one statement per answer, each failure's next
    attempt or its end, and each endpoint's run of failures (ended, or begun, or long enough
    to disable it)."""
    went_well: dict[Answer, list[WebhookDelivery]] = defaultdict(list)
    with transaction.atomic():
        endpoints = WebhookEndpoint.objects.select_for_update().order_by("pk")
        endpoints = {e.pk: e for e in endpoints.filter(pk__in={d.endpoint_id for d, _ in results})}
        for delivery, answer in results:
            endpoint = endpoints[delivery.endpoint_id]
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.last_status, delivery.last_answer = answer.status, answer.text
            if answer.delivered:
                went_well[answer].append(delivery)
                delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
                    DELIVERED,
                    now,
                    None,
                )
                if endpoint.failing_since is not None:  # it is back: what waits for it goes now
                    WebhookDelivery.objects.filter(
                        endpoint=endpoint, state=PENDING, next_attempt_at__gt=now + CLAIM_LEASE
                    ).update(next_attempt_at=now)
                endpoint.failing_since, endpoint.last_success_at = None, now
                continue
            endpoint.failing_since = endpoint.failing_since or now
            delivery.next_attempt_at = retry_at(
                delivery.attempts, schedule=settings.WEBHOOK_RETRY_SECONDS, now=now
            )
            if delivery.next_attempt_at is None:
                delivery.state = FAILED
                _disabled_if_failing(endpoint, answer, now=now)
            delivery.save()
        for answer, deliveries in went_well.items():
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                state=DELIVERED,
                attempts=F("attempts") + 1,
                last_attempt_at=now,
                last_status=answer.status,
                last_answer=answer.text,
                delivered_at=now,
                next_attempt_at=None,
            )
        for endpoint in endpoints.values():
            endpoint.save(
                update_fields=["failing_since", "last_success_at", "enabled", "disabled_reason"]
            )


# Past this, a due delivery no worker has claimed says none is running (a worker claims what is
# due within WEBHOOK_POLL_SECONDS, or at once on NOTIFY).
OVERDUE = timedelta(minutes=2)


def waiting_unsent(*, now: datetime) -> tuple[int, datetime | None]:
    """How many deliveries are due for longer than OVERDUE, and since when the oldest is."""
    late = WebhookDelivery.objects.filter(state=PENDING, next_attempt_at__lt=now - OVERDUE)
    found = late.aggregate(count=Count("id"), since=Min("next_attempt_at"))
    return found["count"], found["since"]


def _disabled_if_failing(endpoint: WebhookEndpoint, answer: Answer, *, now: datetime) -> None:
    """A delivery was given up: if nothing went well at the endpoint for the schedule's whole
    span (every attempt of that delivery failed, and every other), it is disabled."""
    if endpoint.failing_since > now - timedelta(seconds=sum(settings.WEBHOOK_RETRY_SECONDS)):
        return
    endpoint.enabled = False
    endpoint.disabled_reason = (
        f"Disabled at {iso(now)}: no delivery has succeeded since {iso(endpoint.failing_since)}"
        f" ({len(settings.WEBHOOK_RETRY_SECONDS) + 1} attempts of a delivery failed); last"
        f" answer: {answer.status or 'none'} {answer.text}"
    )[:300]
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)


def test_sent(
    endpoint: WebhookEndpoint, *, by: str, pool: httpcore.ConnectionPool
) -> WebhookDelivery:
    """The admin's "Send a test": a `webhook.test` message to this endpoint (enabled or not),
    sent now, logged and retried as any other delivery."""
    now = timezone.now()
    with transaction.atomic():
        message = WebhookMessage.objects.create(
            msg_id=new_msg_id(),
            type=TEST_TYPE,
            payload={"endpoint": endpoint.pk, "sent_by": by},
            created_at=now,
        )
        delivery = WebhookDelivery.objects.create(
            message=message, endpoint=endpoint, next_attempt_at=now + CLAIM_LEASE
        )
    delivery.message, delivery.endpoint = message, endpoint
    recorded([(delivery, post(pool, delivery))], now=timezone.now())
    return delivery

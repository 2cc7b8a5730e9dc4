"""The worker (`manage.py deliver_webhooks`): sends what is due, writes the `seats.changed`
messages, and purges old messages; woken by PostgreSQL's NOTIFY, which the outbox's trigger
sends as a booking commits, or every WEBHOOK_POLL_SECONDS when nothing wakes it (SQLite, a
transaction pooler in front, the connection lost).

Up to `SENDERS` deliveries are in flight at once, each on a thread of its own and each ending
by its deadline (reach.py), and at most `SENDERS_PER_ENDPOINT` of them to one endpoint: a slow
receiver holds up only its own. Their answers are written back by the worker's own thread.
"""

import logging
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from ..database_presence import driver_params
from ..ledger.models import SeatChange
from ..outbox import rounds_forever
from .models import WebhookDelivery, WebhookMessage
from .seat_changes import LedgerEnd, seats_changed_written
from .sending import claimed_due, http_pool, post, recorded

logger = logging.getLogger("reservations.webhooks")

CHANNEL = "seatmap_webhooks"  # the trigger's pg_notify (migration 0018)
SENDERS = 16
SENDERS_PER_ENDPOINT = 4
PURGE_INTERVAL = 3600.0
PURGE_BATCH = 5000


def messages_purge(*, now=None) -> int:
    """Delete the messages (and their deliveries) older than WEBHOOK_KEEP_DAYS, whatever came
    of them: by then each was delivered, given up after a day, or waits for an endpoint
    disabled for days. In batches, so that no transaction is long."""
    before = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_KEEP_DAYS)
    deleted = 0
    while True:
        ids = list(
            WebhookMessage.objects.filter(created_at__lt=before).values_list("id", flat=True)[
                :PURGE_BATCH
            ]
        )
        if not ids:
            return deleted
        WebhookDelivery.objects.filter(message_id__in=ids).delete()
        deleted += WebhookMessage.objects.filter(id__in=ids).delete()[0]


class Worker:
    def __init__(self, *, senders: int = SENDERS, per_endpoint: int = SENDERS_PER_ENDPOINT):
        self.senders, self.per_endpoint = senders, per_endpoint
        self.wake = threading.Event()
        self.pool = http_pool()
        self.threads = ThreadPoolExecutor(senders, thread_name_prefix="webhook-post")
        self.in_flight: dict[Future, WebhookDelivery] = {}
        self.ledger = LedgerEnd()
        self.last_ledger_look = self.last_purge = -PURGE_INTERVAL
        # A drain's deliveries, each sent once: a retry falling due while it runs (a slow
        # receiver, a busy machine) is the next run's.
        self.sent: set[int] | None = None

    def step(self) -> int:
        """Write back the answers in; (each poll interval) the ledger's news and (each hour)
        the purge; send what is due. How many deliveries it started."""
        self.answers_written()
        if time.monotonic() - self.last_ledger_look >= settings.WEBHOOK_POLL_SECONDS:
            self.last_ledger_look = time.monotonic()
            seats_changed_written(final=self.ledger.advanced())
        if time.monotonic() - self.last_purge >= PURGE_INTERVAL:
            self.last_purge = time.monotonic()
            if purged := messages_purge():
                logger.info("purged %d webhook messages", purged)
        started = 0
        if len(self.in_flight) < self.senders:
            busy = Counter(delivery.endpoint_id for delivery in self.in_flight.values())
            due = claimed_due(
                limit=self.senders - len(self.in_flight),
                now=timezone.now(),
                sent=self.sent or (),
                busy=busy,
                per_endpoint=self.per_endpoint,
            )
            for delivery in due:
                if self.sent is not None:
                    self.sent.add(delivery.pk)
                future = self.threads.submit(post, self.pool, delivery)
                future.add_done_callback(lambda _: self.wake.set())
                self.in_flight[future] = delivery
                started += 1
        return started

    def run_forever(self, stop: threading.Event) -> None:
        """Until `stop`, as the outbox runs its senders."""
        threading.Thread(
            target=listen_forever, args=(self.wake, stop), name="webhook-listen", daemon=True
        ).start()
        rounds_forever(self.step, every=settings.WEBHOOK_POLL_SECONDS, stop=stop, wake=self.wake)
        self.close()

    def drain(self) -> None:
        """`--once`: send what is due now and the ledger's news up to where it ends now, wait
        for every answer, and return. Retries due later stay for the next run."""
        ledger_end = SeatChange.objects.aggregate(end=Max("id"))["end"] or 0
        self.sent = set()
        while True:
            self.last_ledger_look = -PURGE_INTERVAL
            started = self.step()
            if not (started or self.in_flight or self.ledger.final < ledger_end):
                break
            self.wake.wait(settings.WEBHOOK_POLL_SECONDS)
            self.wake.clear()
        self.close()

    def answers_written(self) -> None:
        if done := [f for f in self.in_flight if f.done()]:
            answers = [(self.in_flight.pop(f), f.result()) for f in done]
            recorded(answers, now=timezone.now())

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        self.answers_written()
        self.pool.close()


def listen_forever(wake: threading.Event, stop: threading.Event) -> None:
    """LISTEN on a connection of its own, and wake the worker at each NOTIFY. Only on
    PostgreSQL reached directly: a transaction pooler (DATABASE_POOLER) hands a session's
    LISTEN to no one. Reconnects after a loss, and wakes the worker then (what committed
    meanwhile)."""
    if connection.vendor != "postgresql" or settings.DATABASE_POOLER:
        logger.info("webhooks: no LISTEN here; polling every %s s", settings.WEBHOOK_POLL_SECONDS)
        return
    params = driver_params()
    while not stop.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as listener:
                listener.execute(f"LISTEN {CHANNEL}")
                wake.set()
                while not stop.is_set():
                    for _ in listener.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as exc:
            logger.warning("webhooks: LISTEN lost (%s); again in 5 s", exc)
            stop.wait(5)

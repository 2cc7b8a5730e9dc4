"""What the server sends after a commit, one row per thing to send, claimed, tried and tried
again one way: the e-mails (MailKind below: confirmations/sending.py,
accounts/verification_emails.py) and the webhook deliveries (webhooks/worker.py: many at once,
a few per endpoint).

A row is due from its due time on (null: nothing to send). A sender claims the due rows no
other holds and moves them a lease ahead, so two never send one row at once, and one that dies
mid-send leaves them due when the lease ends. A failed attempt is tried again after its
schedule's next wait, and given up after the last (at least once, never silently dropped).
Senders run their rounds with `rounds_forever`: the e-mails on a thread of each server process
(config/asgi.py), the webhooks in their worker.
"""

import logging
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger("reservations.outbox")


class OutboxRow(models.Model):
    """The columns of a row to send that the outbox reads and writes."""

    attempts = models.PositiveIntegerField(default=0)
    # Due then (a sender that claims it moves it a lease ahead); null once sent or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def claimed(
    rows: QuerySet, *, now: datetime, lease: timedelta, limit: int, due: str = "next_attempt_at"
) -> list:
    """The keys of up to `limit` of `rows` due by `now`, oldest first, that no other sender
    holds (SKIP LOCKED), moved a lease ahead."""
    with transaction.atomic():
        keys = list(
            rows.filter(**{f"{due}__lte": now})
            .order_by(due)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        rows.model.objects.filter(pk__in=keys).update(**{due: now + lease})
    return keys


def retry_at(attempts: int, *, schedule: Sequence[float], now: datetime) -> datetime | None:
    """When to try again after the `attempts`-th failed attempt: the schedule's next wait (in
    seconds) from `now`; None once every wait is spent (given up)."""
    return now + timedelta(seconds=schedule[attempts - 1]) if attempts <= len(schedule) else None


def rounds_forever(
    *rounds: Callable[[], object],
    every: float,
    stop: threading.Event,
    wake: threading.Event | None = None,
) -> None:
    """Until `stop`: each round, then again after `every` seconds, or as soon as `wake` is set.
    A failed round (the database away a moment) is logged, and the next waits a little longer;
    one kind's failure does not hold up the others'."""
    wake = wake or threading.Event()
    while not stop.is_set():
        for one_round in rounds:
            try:
                one_round()
            except Exception:
                logger.exception("%s failed; trying again", one_round.__qualname__)
                stop.wait(every)
            finally:
                close_old_connections()
        wake.wait(every)
        wake.clear()


# The e-mails: seconds to wait before the second, third ... attempt; after the last, given up.
MAIL_RETRY_SECONDS = (60, 300, 1800, 7200)
MAIL_LEASE = timedelta(minutes=2)
MAIL_BATCH = 20
MAIL_ROUND_SECONDS = 5.0  # how often each process's sender looks for mail to send


@dataclass(frozen=True)
class MailKind:
    name: str  # for the logs
    model: type[models.Model]
    # A due row's message, or None when there is nothing to send any more (a booking cancelled
    # before its confirmation went, an account without an address now).
    message: Callable[[object], EmailMultiAlternatives | None]
    # Other fields to write after an attempt: given the error (None: sent) and the time.
    recorded: Callable[[Exception | None, datetime], dict] = field(default=lambda error, now: {})
    due: str = "next_attempt_at"  # the field of when a row is due
    attempts: str = "attempts"  # the field of the attempts so far


def _mailed(kind: MailKind, pk, now: datetime) -> bool:
    """One attempt at one row; whether it was sent."""
    row = kind.model.objects.filter(pk=pk)
    message = kind.message(pk)
    if message is None:
        row.update(**{kind.due: None})
        return False
    attempts = row.values_list(kind.attempts, flat=True).get() + 1
    error = None
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("%s %s not sent (%s)", kind.name, pk, exc)
        error = exc
    again = retry_at(attempts, schedule=MAIL_RETRY_SECONDS, now=now) if error else None
    row.update(**{kind.attempts: attempts, kind.due: again}, **kind.recorded(error, now))
    return error is None


def send_due(kind: MailKind, *, now: datetime | None = None) -> int:
    """One round of one kind: send what is due; how many were sent."""
    now = now or timezone.now()
    rows = kind.model.objects.all()
    due = claimed(rows, now=now, lease=MAIL_LEASE, limit=MAIL_BATCH, due=kind.due)
    return sum(_mailed(kind, pk, now) for pk in due)

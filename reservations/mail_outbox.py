"""The e-mails a server sends after a commit (booking confirmations: confirmations/sending.py;
verification links: accounts/verification_emails.py), each kind from a table of its own, taken,
sent and tried again one way.

A row is due from its due time on. A sender takes the due rows it can lock (others' are
skipped) and moves them a lease ahead before sending, so two server processes never send the
same row at once. A failed attempt is tried again after SCHEDULE's next wait and given up after
the last one; one whose answer was lost after the mail server took it may be sent again (at
least once, never silently dropped). Each server process runs one sender thread
(`mail_forever`, config/asgi.py) for the kinds its settings switch on.
"""

import logging
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections, models, transaction
from django.utils import timezone

logger = logging.getLogger("reservations.mail")

# Seconds to wait before the second, third ... attempt; after the last, given up.
SCHEDULE = (60, 300, 1800, 7200)
LEASE = timedelta(minutes=2)
BATCH = 20
# How often each process's sender looks for mail to send.
ROUND_SECONDS = 5.0


@dataclass(frozen=True)
class MailKind:
    name: str  # for the logs
    model: type[models.Model]
    due: str  # the field of when a row is due (null: nothing to send)
    attempts: str  # the field of the attempts so far
    # A due row's message, or None when there is nothing to send any more (a booking cancelled
    # before its confirmation went, an account without an address now).
    message: Callable[[object], EmailMultiAlternatives | None]
    # Other fields to write after an attempt: given the error (None: sent) and the time.
    recorded: Callable[[Exception | None, datetime], dict] = field(default=lambda error, now: {})


def _taken(kind: MailKind, now: datetime) -> list:
    """The due rows this sender may send, moved a lease ahead (no other sender takes them)."""
    rows = kind.model.objects
    with transaction.atomic():
        due = list(
            rows.select_for_update(skip_locked=True)
            .filter(**{f"{kind.due}__lte": now})
            .order_by(kind.due)
            .values_list("pk", flat=True)[:BATCH]
        )
        rows.filter(pk__in=due).update(**{kind.due: now + LEASE})
    return due


def _attempt(kind: MailKind, pk, now: datetime) -> bool:
    """One attempt at one row; whether it was sent."""
    row = kind.model.objects.filter(pk=pk)
    message = kind.message(pk)
    if message is None:
        row.update(**{kind.due: None})
        return False
    attempts = row.values_list(kind.attempts, flat=True).get() + 1
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        wait = SCHEDULE[attempts - 1] if attempts <= len(SCHEDULE) else None
        again = now + timedelta(seconds=wait) if wait is not None else None
        row.update(**{kind.attempts: attempts, kind.due: again}, **kind.recorded(exc, now))
        logger.warning("%s %s not sent (%s)", kind.name, pk, exc)
        return False
    row.update(**{kind.attempts: attempts, kind.due: None}, **kind.recorded(None, now))
    return True


def send_due(kind: MailKind, *, now: datetime | None = None) -> int:
    """One round of one kind: send what is due; how many were sent."""
    now = now or timezone.now()
    return sum(_attempt(kind, pk, now) for pk in _taken(kind, now))


def mail_forever(
    rounds: Sequence[Callable[[], int]], *, stop: threading.Event | None = None
) -> None:
    """A server process's sender: each kind's round every ROUND_SECONDS."""
    stop = stop or threading.Event()
    while not stop.wait(ROUND_SECONDS):
        for one_round in rounds:
            try:
                one_round()
            except Exception:  # the database away a moment: the next round tries again
                logger.exception("%s: a round of e-mails failed", one_round.__name__)
            finally:
                close_old_connections()

"""Send the verification e-mails (email_verification.py makes their links), as the booking
confirmations are sent (reservations/confirmations/sending.py).

A link is asked for by setting the account's `verification_due_at` in the transaction that
registered or changed the address, so only committed requests are sent. A sender on a thread of
each server process (`verifications_forever`, started by config/asgi.py) takes the due rows it
can lock, moves them a lease ahead, sends, and tries a failed one again on SCHEDULE, giving up
after its last wait (the buyer may have a link sent again). The link is made when it is sent,
for the address the account has then.
"""

import logging
import smtplib
import threading
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .email_verification import verification_token
from .models import Account

logger = logging.getLogger("reservations.accounts")

# Seconds to wait before the second, third ... attempt (then given up), the lease a sender takes
# a row for, rows per round and seconds between rounds: as the confirmations' (sending.py).
SCHEDULE = (60, 300, 1800, 7200)
LEASE = timedelta(minutes=2)
BATCH = 20
ROUND_SECONDS = 5.0


def verification_link(user) -> str:
    """The SPA's page that posts the token (frontend: /verify-email)."""
    query = urlencode({"token": verification_token(user)})
    return f"{settings.PUBLIC_URL.rstrip('/')}/verify-email?{query}"


def verification_message(user) -> EmailMultiAlternatives:
    context = {
        "username": user.username,
        "link": verification_link(user),
        "hours": settings.EMAIL_VERIFICATION_MAX_AGE // 3600,
    }
    message = EmailMultiAlternatives(
        subject="Confirm your e-mail address",
        body=render_to_string("reservations/verification_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("reservations/verification_email.html", context), "text/html"
    )
    return message


def verifications_take(*, now: datetime) -> list[int]:
    """The due rows this sender may send, moved a lease ahead (no other sender takes them)."""
    with transaction.atomic():
        due = list(
            Account.objects.select_for_update(skip_locked=True)
            .filter(verification_due_at__lte=now)
            .order_by("verification_due_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        Account.objects.filter(pk__in=due).update(verification_due_at=now + LEASE)
    return due


def verification_send(user_id: int, *, now: datetime) -> bool:
    """One attempt; whether it was sent. An account without an address now is not sent one."""
    account = Account.objects.select_related("user").get(pk=user_id)
    row = Account.objects.filter(pk=user_id)
    if not account.user.email or not account.user.is_active:
        row.update(verification_due_at=None)
        return False
    try:
        verification_message(account.user).send()
    except (OSError, smtplib.SMTPException) as exc:
        attempts = account.verification_attempts + 1
        wait = SCHEDULE[attempts - 1] if attempts <= len(SCHEDULE) else None
        row.update(
            verification_attempts=attempts,
            verification_due_at=now + timedelta(seconds=wait) if wait is not None else None,
        )
        logger.warning("user %s: verification e-mail not sent (%s)", user_id, exc)
        return False
    row.update(verification_attempts=account.verification_attempts + 1, verification_due_at=None)
    return True


def verifications_send_due(*, now: datetime | None = None) -> int:
    """One round: send what is due; how many were sent."""
    now = now or timezone.now()
    return sum(verification_send(pk, now=now) for pk in verifications_take(now=now))


def verifications_forever(*, stop: threading.Event | None = None) -> None:
    """A server process's sender (config/asgi.py): a round every ROUND_SECONDS."""
    stop = stop or threading.Event()
    while not stop.wait(ROUND_SECONDS):
        try:
            verifications_send_due()
        except Exception:  # the database away a moment: the next round tries again
            logger.exception("verification e-mails: a round failed")
        finally:
            close_old_connections()

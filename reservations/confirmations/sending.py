"""Queue, send and retry the confirmation e-mails (the package's docstring says when).

A booking is queued by the sender once it can read it, so only committed bookings are, and
each at most once (the row's key is the reservation's). A sender takes the due rows it can
lock (others' are skipped) and moves them a lease ahead before sending, so two server
processes never send the same row at once. A failed attempt is tried again after SCHEDULE's
next wait and given up after the last one; one whose answer was lost after the server took it
may be sent again (at least once, never silently dropped).
"""

import logging
import smtplib
import threading
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import close_old_connections, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from reservations.api.calendar_files import reservation_calendar
from reservations.api.presenters import booking_of
from reservations.models import Reservation
from reservations.wire_values import money

from .models import ConfirmationEmail

logger = logging.getLogger("reservations.confirmations")

# Seconds to wait before the second, third ... attempt; after the last, given up.
SCHEDULE = (60, 300, 1800, 7200)
# Bookings older than this when a sender first reads them are not e-mailed (a sender that was
# off for days does not send last week's).
WINDOW = timedelta(days=1)
LEASE = timedelta(minutes=2)
BATCH = 20
# How often each process's sender looks for bookings to confirm.
ROUND_SECONDS = 5.0


def confirmations_queue(*, now: datetime) -> int:
    """Queue the committed bookings of the last WINDOW whose buyer has an address."""
    unqueued = (
        Reservation.objects.filter(
            status=Reservation.Status.CONFIRMED, created_at__gte=now - WINDOW, user__isnull=False
        )
        .exclude(user__email="")
        .exclude(Exists(ConfirmationEmail.objects.filter(reservation=OuterRef("pk"))))
        .values_list("pk", "user__email")
    )
    rows = [ConfirmationEmail(reservation_id=pk, to=to, next_attempt_at=now) for pk, to in unqueued]
    ConfirmationEmail.objects.bulk_create(rows, ignore_conflicts=True)  # another sender's too
    return len(rows)


def confirmations_take(*, now: datetime) -> list[int]:
    """The due rows this sender may send, moved a lease ahead (no other sender takes them)."""
    with transaction.atomic():
        due = list(
            ConfirmationEmail.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        ConfirmationEmail.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
    return due


def confirmation_message(reservation: Reservation, to: str) -> EmailMultiAlternatives:
    """`reservation` as selectors read it (its event and seats with it)."""
    booking = booking_of(reservation)
    event = reservation.event
    context = {
        "booking": booking,
        "venue": event.venue,
        "seats": [(seat, money(seat.price)) for seat in booking.seats],
        "total": money(booking.total_price),
        "currency": event.currency,
    }
    message = EmailMultiAlternatives(
        subject=f"Your booking #{booking.id}: {event.name}",
        body=render_to_string("reservations/confirmation_email.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string("reservations/confirmation_email.html", context), "text/html"
    )
    message.attach(
        f"reservation-{booking.id}.ics", reservation_calendar(reservation), "text/calendar"
    )
    return message


def confirmation_send(reservation_id: int, *, now: datetime) -> bool:
    """One attempt; whether it was sent. A booking cancelled before its e-mail went is not sent."""
    reservation = (
        Reservation.objects.select_related("event")
        .prefetch_related("reserved_seats__seat")
        .get(pk=reservation_id)
    )
    row = ConfirmationEmail.objects.filter(pk=reservation_id)
    if reservation.status != Reservation.Status.CONFIRMED:
        row.update(next_attempt_at=None, last_error="cancelled before it was sent")
        return False
    email = row.get()
    try:
        confirmation_message(reservation, email.to).send()
    except (OSError, smtplib.SMTPException) as exc:
        attempts = email.attempts + 1
        wait = SCHEDULE[attempts - 1] if attempts <= len(SCHEDULE) else None
        row.update(
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=wait) if wait is not None else None,
            last_error=str(exc)[:500],
        )
        logger.warning("reservation %s: confirmation not sent (%s)", reservation_id, exc)
        return False
    row.update(attempts=email.attempts + 1, sent_at=now, next_attempt_at=None, last_error="")
    return True


def confirmations_send_due(*, now: datetime | None = None) -> int:
    """One round: queue what committed, send what is due; how many were sent."""
    now = now or timezone.now()
    confirmations_queue(now=now)
    return sum(confirmation_send(pk, now=now) for pk in confirmations_take(now=now))


def confirmations_forever(*, stop: threading.Event | None = None) -> None:
    """A server process's sender (config/asgi.py): a round every ROUND_SECONDS."""
    stop = stop or threading.Event()
    while not stop.wait(ROUND_SECONDS):
        try:
            confirmations_send_due()
        except Exception:  # the database away a moment: the next round tries again
            logger.exception("confirmation e-mails: a round failed")
        finally:
            close_old_connections()

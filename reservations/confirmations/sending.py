"""Queue and send the confirmation e-mails (the package's docstring says when), and send the
buyers' notices of what staff changed or sold them (notices.py queues them), through the mail
outbox (reservations/outbox.py: claimed, sent and tried again as every e-mail is).

A booking is queued by the sender once it can read it, so only committed bookings are, and
each at most once (the row's key is the reservation's); its address is taken then, and the
e-mail goes there even if the account's address changes before it is sent.
"""

import io
from datetime import datetime, timedelta
from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from reservations.api.calendar_files import reservation_calendar
from reservations.api.presenters import booking_of
from reservations.models import Reservation, Seat
from reservations.outbox import MailKind, send_due
from reservations.tickets.door import codes_of, qr_of
from reservations.wire_values import money

from .models import BuyerNotice, ConfirmationEmail

# Bookings older than this when a sender first reads them are not e-mailed (a sender that was
# off for days does not send last week's).
WINDOW = timedelta(days=1)


def confirmations_queue(*, now: datetime) -> int:
    """Queue the committed bookings of the last WINDOW whose buyer booked with a verified
    address, to that address. It was verified before the booking and is the account's still:
    a change of address forgets the verification (email_verification.verification_end), so it
    has been the account's address since before the booking. Any other booking is not
    e-mailed: the site's mail goes to no address its owner has not confirmed, nor to one given
    after the booking."""
    unqueued = (
        Reservation.objects.filter(
            status=Reservation.Status.CONFIRMED,
            created_at__gte=now - WINDOW,
            user__account__email_verified_at__lte=F("created_at"),
            user__email__iexact=F("user__account__verified_email"),
        )
        .exclude(Exists(ConfirmationEmail.objects.filter(reservation=OuterRef("pk"))))
        .values_list("pk", "user__account__verified_email")
    )
    rows = [ConfirmationEmail(reservation_id=pk, to=to, next_attempt_at=now) for pk, to in unqueued]
    ConfirmationEmail.objects.bulk_create(rows, ignore_conflicts=True)  # another sender's too
    return len(rows)


def _booking(reservation_id: int) -> Reservation:
    """A reservation as selectors read it (its event and seats with it)."""
    return (
        Reservation.objects.select_related("event")
        .prefetch_related("reserved_seats__seat")
        .get(pk=reservation_id)
    )


def _email(
    template: str, context: dict, *, subject: str, to: str, ics=None
) -> EmailMultiAlternatives:
    """templates/reservations/<template>.txt and .html, and the calendar file of the booking
    `ics` if one is given."""
    body = render_to_string(f"reservations/{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    html = render_to_string(f"reservations/{template}.html", context)
    message.attach_alternative(html, "text/html")
    if ics is not None:
        message.attach(f"reservation-{ics.id}.ics", reservation_calendar(ics), "text/calendar")
    return message


def confirmation_message(reservation: Reservation, to: str) -> EmailMultiAlternatives:
    """`reservation` as selectors read it (_booking)."""
    booking = booking_of(reservation)
    event = reservation.event
    context = {
        "booking": booking,
        "venue": event.venue,
        "seats": [(seat, money(seat.price)) for seat in booking.seats],
        "total": money(booking.total_price),
        "currency": event.currency,
    }
    tickets = codes_of(reservation)
    context["tickets"] = [(ticket.seat.label, f"ticket-{ticket.pk}") for ticket, _ in tickets]
    subject = f"Your booking #{booking.id}: {event.name}"
    message = _email("confirmation_email", context, subject=subject, to=to, ics=reservation)
    # Each ticket's QR code, inline: the HTML shows it by its Content-ID.
    for ticket, code in tickets:
        png = io.BytesIO()
        qr_of(code).save(png, kind="png", scale=5)
        image = MIMEImage(png.getvalue(), "png")
        image.add_header("Content-ID", f"<ticket-{ticket.pk}>")
        image.add_header("Content-Disposition", "inline", filename=f"ticket-{ticket.pk}.png")
        message.attach(image)
    return message


def _confirmation_due(reservation_id: int) -> EmailMultiAlternatives | None:
    """The queued booking's e-mail; None for one cancelled before its e-mail went."""
    reservation = _booking(reservation_id)
    if reservation.status != Reservation.Status.CONFIRMED:
        return None
    to = ConfirmationEmail.objects.values_list("to", flat=True).get(pk=reservation_id)
    return confirmation_message(reservation, to)


def _recorded(error: Exception | None, now: datetime) -> dict:
    return {"last_error": str(error)[:500]} if error else {"sent_at": now, "last_error": ""}


CONFIRMATIONS = MailKind(
    "confirmation of reservation", ConfirmationEmail, _confirmation_due, _recorded
)


def _where(seat) -> str:
    """A seat as the confirmation names it: "Floor · Row A · Seat A1"."""
    section = f"{seat.section} · " if seat.section else ""
    return f"{section}Row {seat.row} · Seat {seat.label}"


def _difference(amount, currency: str) -> str:
    if amount > 0:
        return f"The new seats cost {money(amount)} {currency} more."
    if amount < 0:
        return f"The new seats cost {money(-amount)} {currency} less."
    return "The new seats cost the same."


HEADLINES = {
    BuyerNotice.Kind.RESEAT: "Your seats have been changed.",
    BuyerNotice.Kind.REFUND: "You have been refunded.",
    BuyerNotice.Kind.SALE: "Your booking is confirmed.",
}


def notice_message(notice: BuyerNotice) -> EmailMultiAlternatives:
    """What staff changed of a booking (a reseat, a refund) or sold (a box-office sale), and
    the booking as it stands: the confirmation's kind of e-mail."""
    reservation = _booking(notice.reservation_id)
    booking = booking_of(reservation)
    event = reservation.event
    named = {s.id: _where(s) for s in Seat.objects.filter(pk__in=_seat_ids(notice.seats))}
    cancelled = booking.status == Reservation.Status.CANCELLED
    reseat = notice.kind == BuyerNotice.Kind.RESEAT
    context = {
        "notice": notice,
        "headline": HEADLINES[notice.kind],
        "booking": booking,
        "venue": event.venue,
        "currency": event.currency,
        "amount": money(notice.amount),
        "difference": _difference(notice.amount, event.currency),
        "moved": [(named[a], named[b]) for a, b in notice.seats] if reseat else [],
        "refunded": [] if reseat else [named[i] for i in notice.seats],
        "cancelled": cancelled,
        "seats": [(_where(seat), money(seat.price)) for seat in booking.seats],
        "total": money(booking.total_price),
    }
    subjects = {
        BuyerNotice.Kind.RESEAT: f"Your seats have changed: booking #{booking.id}, {event.name}",
        BuyerNotice.Kind.REFUND: f"Your refund: booking #{booking.id}, {event.name}",
        BuyerNotice.Kind.SALE: f"Your booking #{booking.id}: {event.name}",
    }
    ics = None if cancelled else reservation
    return _email("notice_email", context, subject=subjects[notice.kind], to=notice.to, ics=ics)


def _seat_ids(seats: list) -> list[int]:
    """A reseat's [from, to] pairs or a refund's seat ids, flat."""
    return [i for item in seats for i in (item if isinstance(item, list) else [item])]


def _notice_due(pk: int) -> EmailMultiAlternatives | None:
    """The notice's e-mail; None for one older than WINDOW (a sender off for days does not
    tell last week's changes)."""
    notice = BuyerNotice.objects.get(pk=pk)
    if notice.created_at < timezone.now() - WINDOW:
        return None
    return notice_message(notice)


NOTICES = MailKind("buyer notice", BuyerNotice, _notice_due, _recorded)


def confirmations_send_due(*, now: datetime | None = None) -> int:
    """One round: queue what committed, send what is due (confirmations, then the buyers'
    notices of staff's changes); how many were sent."""
    now = now or timezone.now()
    confirmations_queue(now=now)
    return send_due(CONFIRMATIONS, now=now) + send_due(NOTICES, now=now)

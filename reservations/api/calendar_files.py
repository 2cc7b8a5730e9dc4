"""A booking as a calendar file (RFC 5545, written by the `icalendar` package): what
`GET /api/reservations/{id}/calendar.ics` sends, so a buyer can put the event in their calendar.

One VEVENT: the event's name, start and venue, the booking's seats and total in its
description. Its UID is made from the reservation's id alone, so downloading it again (after a
reseat, or a cancel: `STATUS:CANCELLED`) updates the entry a calendar already has instead of
adding a second. The event has no end in the data, so the VEVENT has none (RFC 5545: it then
takes no time).
"""

from django.http import HttpResponse
from django.utils import timezone

from reservations.models import Reservation
from reservations.wire_values import money

from .presenters import booking_of

PRODUCT_ID = "-//seatmap//Reservations//EN"


def reservation_calendar(reservation: Reservation) -> bytes:
    """`reservation` as read by selectors (its event and seats with it)."""
    # Imported here: at import it was 26 ms of every process's start, and few write a calendar.
    from icalendar import Calendar, Event

    booking = booking_of(reservation)
    event = reservation.event
    currency = event.currency
    lines = [f"Booking #{booking.id}"]
    for seat in booking.seats:
        where = f"{seat.section} · Row {seat.row}" if seat.section else f"Row {seat.row}"
        lines.append(f"{where} · Seat {seat.label}: {money(seat.price)} {currency}")
    lines.append(f"Total: {money(booking.total_price)} {currency}")
    cancelled = booking.status == Reservation.Status.CANCELLED
    entry = Event.new(
        uid=f"reservation-{booking.id}@seatmap",
        stamp=timezone.now(),
        start=event.starts_at,
        summary=event.name,
        location=event.venue or None,
        description="\n".join(lines),
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    return Calendar.new(prodid=PRODUCT_ID, subcomponents=[entry]).to_ical()


def calendar_response(reservation: Reservation) -> HttpResponse:
    return HttpResponse(
        reservation_calendar(reservation),
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="reservation-{reservation.id}.ics"'},
    )

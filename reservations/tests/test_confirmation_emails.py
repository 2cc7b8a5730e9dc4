"""A booking's confirmation e-mail (reservations/confirmations/), read back from a real SMTP
server the test starts (aiosmtpd): queued once the booking has committed, never by the booking
itself, to the address the buyer booked with if they had verified it, sent with its calendar
file, retried when the server is away."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from icalendar import Calendar

from reservations.accounts.email_verification import (
    email_change,
    email_verify,
    verification_token,
)
from reservations.confirmations.models import ConfirmationEmail
from reservations.confirmations.sending import confirmations_send_due
from reservations.models import Event, Reservation
from reservations.outbox import MAIL_RETRY_SECONDS

from .conftest import bearer_client
from .factories import UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return VerifiedUserFactory(username="carol")  # carol@example.org


def book(user, event, *seats) -> int:
    client = bearer_client(user)
    ids = [s.id for s in seats]
    assert (
        client.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json").status_code
        == 200
    )
    answer = client.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")
    assert answer.status_code == 201
    return answer.json()["reservation"]["id"]


def test_a_booking_is_e_mailed_to_its_buyer_with_its_seats_total_and_calendar_file(
    smtp, carol, event, seats
):
    Event.objects.filter(pk=event.pk).update(currency="GBP")
    smtp.start()
    reservation_id = book(carol, event, seats[0], seats[6])

    assert confirmations_send_due() == 1

    (message,) = smtp.messages
    assert message["To"] == "carol@example.org"
    assert message["Subject"] == f"Your booking #{reservation_id}: Concert XYZ"
    text = message.get_body(("plain",)).get_content()
    assert f"Reference: #{reservation_id}" in text
    assert "Floor · Row A · Seat A1: 50.00 GBP" in text
    assert "Floor · Row B · Seat B2: 50.00 GBP" in text
    assert "Total: 100.00 GBP" in text and "Venue: Main Hall" in text
    html = message.get_body(("html",)).get_content()
    assert "<td>B2</td>" in html and "100.00 GBP" in html
    attachment, *tickets = list(message.iter_attachments())
    assert attachment.get_filename() == f"reservation-{reservation_id}.ics"
    # A QR code a seat, inline: the HTML shows each by its Content-ID (API.md "Tickets").
    assert [t.get_content_type() for t in tickets] == ["image/png", "image/png"]
    for ticket in tickets:
        assert f'src="cid:{ticket["Content-ID"].strip("<>")}"' in html
        assert ticket.get_content().startswith(b"\x89PNG")
    (entry,) = Calendar.from_ical(attachment.get_content()).events
    assert str(entry["UID"]) == f"reservation-{reservation_id}@seatmap"
    # Once: the next rounds send nothing more.
    assert confirmations_send_due() == 0 and len(smtp.messages) == 1
    assert ConfirmationEmail.objects.get(pk=reservation_id).sent_at is not None


def test_the_booking_never_waits_for_the_mail_and_a_server_away_is_tried_again(
    smtp, carol, event, seats
):
    # The SMTP server is not started: nothing answers on its port.
    reservation_id = book(carol, event, seats[0])
    assert Reservation.objects.get(pk=reservation_id).status == "confirmed"
    assert not ConfirmationEmail.objects.exists()  # the booking queued nothing itself

    now = timezone.now()
    assert confirmations_send_due(now=now) == 0
    row = ConfirmationEmail.objects.get(pk=reservation_id)
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=MAIL_RETRY_SECONDS[0])
    assert confirmations_send_due(now=now + timedelta(seconds=MAIL_RETRY_SECONDS[0] - 1)) == 0

    smtp.start()
    assert confirmations_send_due(now=now + timedelta(seconds=MAIL_RETRY_SECONDS[0])) == 1
    assert [m["To"] for m in smtp.messages] == ["carol@example.org"]
    assert ConfirmationEmail.objects.get(pk=reservation_id).attempts == 2


def test_a_buyer_without_an_address_or_a_cancelled_booking_gets_none(
    smtp, alice, carol, event, seats
):
    smtp.start()
    book(alice, event, seats[0])  # alice gave no address
    cancelled = book(carol, event, seats[1])
    assert bearer_client(carol).post(f"/api/reservations/{cancelled}/cancel/").status_code == 200

    assert confirmations_send_due() == 0
    assert smtp.messages == [] and not ConfirmationEmail.objects.exists()


def test_an_address_nobody_verified_is_sent_nothing(smtp, event, seats):
    """Anyone may register with a stranger's address: the site's mail does not go there."""
    smtp.start()
    book(UserFactory(username="mallory", email="stranger@example.org"), event, seats[0])
    assert confirmations_send_due() == 0
    assert smtp.messages == [] and not ConfirmationEmail.objects.exists()


def test_an_address_given_after_the_booking_is_sent_nothing(smtp, carol, event, seats):
    """The e-mail goes to the verified address the buyer booked with; one changed to, or
    verified, after the booking gets no booking it was not given for."""
    smtp.start()
    changed = book(carol, event, seats[0])
    email_change(user=carol, email="carol@elsewhere.example")
    email_verify(token=verification_token(carol))  # and read its link: still after the booking
    late = VerifiedUserFactory(username="late", email="late@example.org")
    email_change(user=late, email="late-again@example.org")
    booked_unverified = book(late, event, seats[1])
    email_verify(token=verification_token(late))

    assert confirmations_send_due() == 0
    assert smtp.messages == []
    assert not ConfirmationEmail.objects.filter(pk__in=[changed, booked_unverified]).exists()
    book(carol, event, seats[2])  # a booking with the new address, verified, is e-mailed there
    assert confirmations_send_due() == 1
    assert [m["To"] for m in smtp.messages] == ["carol@elsewhere.example"]


def test_registration_takes_an_optional_address(api):
    answer = api.post(
        "/api/register/",
        {"username": "dave", "password": "a-long-pass-42", "email": "dave@example.org"},
        format="json",
    )
    assert answer.status_code == 201
    assert get_user_model().objects.get(username="dave").email == "dave@example.org"
    bad = api.post(
        "/api/register/",
        {"username": "erin", "password": "a-long-pass-42", "email": "not an address"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert "email" in bad.json()["fields"]

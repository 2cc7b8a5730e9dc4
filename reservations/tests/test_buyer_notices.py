"""The buyer is told by e-mail what staff changed (a reseat, a refund) or sold them (a box-office
sale to a typed address): queued in the change's own transaction, sent by the confirmations'
sender through the mail outbox, read back from a real SMTP server (aiosmtpd). Only to a
verified address for an online buyer, as the confirmations."""

from decimal import Decimal

import pytest

from reservations.confirmations.models import BuyerNotice
from reservations.confirmations.sending import confirmations_send_due
from reservations.models import Event, Seat

from .conftest import bearer_client
from .console_staff import staff_api
from .factories import UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_on(settings):
    settings.CONFIRMATION_EMAILS = True


@pytest.fixture
def box_office(db):
    return staff_api("Box office")


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


def sent_with(smtp, subject_start: str) -> list:
    return [m for m in smtp.messages if m["Subject"].startswith(subject_start)]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_reseat_is_e_mailed_with_the_move_the_difference_and_the_seats_now(
    smtp, carol, box_office, event, seats
):
    Event.objects.filter(pk=event.pk).update(currency="GBP")
    Seat.objects.filter(pk=seats[7].pk).update(price=Decimal("80.00"))
    smtp.start()
    booking = book(carol, event, seats[0], seats[1])
    url = f"/api/staff/reservations/{booking}/reseat/"
    moves = {"moves": [[seats[0].id, seats[7].id]]}
    assert box_office.post(url, moves, format="json").status_code == 200

    assert confirmations_send_due() == 2  # the booking's confirmation, then the reseat's

    (message,) = sent_with(smtp, "Your seats have changed")
    assert message["To"] == "carol@example.org"
    assert message["Subject"] == f"Your seats have changed: booking #{booking}, Concert XYZ"
    text = text_of(message)
    assert "Your seats have been changed." in text and f"Reference: #{booking}" in text
    assert "Moved: Floor · Row A · Seat A1 → Floor · Row B · Seat B3" in text
    assert "The new seats cost 30.00 GBP more." in text
    assert "Floor · Row A · Seat A2: 50.00 GBP\nFloor · Row B · Seat B3: 80.00 GBP" in text
    assert "Total: 130.00 GBP" in text
    assert "<td>Floor · Row B · Seat B3</td>" in message.get_body(("html",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"reservation-{booking}.ics"
    assert confirmations_send_due() == 0 and len(smtp.messages) == 2  # once


def test_a_partial_then_a_full_refund_are_each_e_mailed_with_what_was_given_back(
    smtp, carol, box_office, event, seats
):
    smtp.start()
    booking = book(carol, event, seats[0], seats[1])
    url = f"/api/staff/reservations/{booking}/refund/"
    part = {"seat_ids": [seats[0].id], "refunded": "20.00", "reason": "ill"}
    assert box_office.post(url, part, format="json").status_code == 200
    assert confirmations_send_due() == 2
    assert (
        box_office.post(
            url, {"refunded": "30.00", "reason": "show moved"}, format="json"
        ).status_code
        == 200
    )
    assert confirmations_send_due() == 1

    partial, full = sent_with(smtp, "Your refund")
    currency = event.currency
    text = text_of(partial)
    assert f"Refunded: 20.00 {currency}, for Floor · Row A · Seat A1" in text
    assert f"Your seats now:\nFloor · Row A · Seat A2: 50.00 {currency}" in text
    assert f"Total: 50.00 {currency}" in text
    text = text_of(full)
    assert f"Refunded: 30.00 {currency}, for Floor · Row A · Seat A2" in text
    assert "This booking is cancelled: it holds no seats now." in text
    assert list(full.iter_attachments()) == []  # no calendar for what is not on


def test_a_box_office_sale_to_a_typed_address_is_e_mailed_with_the_amount_taken(
    smtp, box_office, event, seats
):
    smtp.start()
    sale = {"seat_ids": [seats[2].id, seats[3].id], "payment": "cash", "amount_taken": "90.00"}
    url = f"/api/staff/events/{event.id}/box-office/"
    answer = box_office.post(url, {**sale, "buyer_email": "ann@example.net"}, format="json")
    assert answer.status_code == 201, answer.json()
    booking = answer.json()["reservation"]["id"]
    walk_in = {**sale, "seat_ids": [seats[4].id], "amount_taken": "50.00"}
    assert box_office.post(url, walk_in, format="json").status_code == 201

    assert confirmations_send_due() == 1  # the sale without an address is told to nobody
    (message,) = smtp.messages
    assert message["To"] == "ann@example.net"
    assert message["Subject"] == f"Your booking #{booking}: Concert XYZ"
    text = text_of(message)
    assert f"Amount taken: 90.00 {event.currency}" in text
    assert "Floor · Row A · Seat A3" in text and "Floor · Row A · Seat A4" in text


def test_a_buyer_without_a_verified_address_is_sent_nothing(smtp, box_office, event, seats):
    smtp.start()
    mallory = UserFactory(username="mallory", email="stranger@example.org")  # not verified
    booking = book(mallory, event, seats[0], seats[1])
    url = f"/api/staff/reservations/{booking}/refund/"
    assert (
        box_office.post(
            url, {"seat_ids": [seats[0].id], "refunded": "0", "reason": "x"}, format="json"
        ).status_code
        == 200
    )
    assert confirmations_send_due() == 0
    assert smtp.messages == [] and not BuyerNotice.objects.exists()


def test_a_change_refused_queues_nothing(smtp, carol, box_office, event, seats):
    booking = book(carol, event, seats[0])
    refused = box_office.post(
        f"/api/staff/reservations/{booking}/refund/",
        {"refunded": "1000.00", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 409 or refused.status_code == 400
    assert not BuyerNotice.objects.exists()

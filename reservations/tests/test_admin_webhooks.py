"""Webhook endpoints in the admin (reservations/admin/webhooks.py): registered with their event
types, their secret made and shown, a test sent at once and its answer said, the delivery log
read-only, a delivery tried again by action, an endpoint enabled again by hand."""

import pytest

from reservations.ledger.models import SeatChange
from reservations.models import WebhookDelivery, WebhookEndpoint

from . import booking_calls
from .admin_forms import admin_action
from .factories import event_with_seats
from .webhook_receiver import CANCELLED, CONFIRMED, SEATS_CHANGED, endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organiser_registers_an_endpoint_and_sees_its_secret(admin_client):
    event = event_with_seats(rows=1, seats_per_row=2)
    form = {"url": "https://crm.example/hooks", "event": event.pk, "enabled": "on"}
    refused = admin_client.post(
        "/admin/reservations/webhookendpoint/add/",
        {**form, "url": "ftp://crm.example/", "event_types": [CONFIRMED]},
    )
    assert refused.status_code == 200 and WebhookEndpoint.objects.count() == 0
    added = admin_client.post(
        "/admin/reservations/webhookendpoint/add/", {**form, "event_types": [CONFIRMED, CANCELLED]}
    )
    assert added.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.event_id, endpoint.event_types) == (event.pk, [CONFIRMED, CANCELLED])
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) == 6 + 44
    page = admin_client.get(f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()


def test_send_a_test_posts_a_signed_test_now_and_says_what_the_receiver_answered(
    admin_client, receiver
):
    endpoint = endpoint_for(receiver, CONFIRMED)
    said = admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    assert said == [f"Test to {receiver.url}: 200: answered 200"]
    (arrival,) = receiver.arrivals
    body = arrival.verified(endpoint.secret)
    assert body["type"] == "webhook.test"
    assert body["data"] == {"endpoint": endpoint.pk, "sent_by": "root"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)

    receiver.stop()  # a test to a receiver that is down says so, and is logged to be retried
    said = admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    assert said[0].startswith(f"Test to {receiver.url}: no answer: ConnectError")


def test_the_delivery_log_shows_each_attempt_and_a_delivery_can_be_tried_again(
    admin_client, receiver
):
    endpoint = endpoint_for(receiver, CONFIRMED)
    receiver.answer = lambda msg_id: 410
    admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt_at=None)
    log = admin_client.get("/admin/reservations/webhookdelivery/").content.decode()
    assert delivery.message.msg_id in log and "answered 410" in log
    page = admin_client.get(f"/admin/reservations/webhookdelivery/{delivery.pk}/change/")
    assert "&quot;type&quot;:&quot;webhook.test&quot;" in page.content.decode()  # the body
    endpoint_page = admin_client.get(f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/")
    assert delivery.message.msg_id in endpoint_page.content.decode()
    said = admin_action(admin_client, "webhookdelivery", "retry_now", [delivery.pk])
    assert said == ["1 delivery due again."]
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.next_attempt_at is not None


def test_an_endpoint_enabled_again_by_hand_starts_afresh(admin_client, receiver):
    endpoint = endpoint_for(
        receiver, CONFIRMED, enabled=False, disabled_reason="Disabled at ...", description="CRM"
    )
    page = admin_client.post(
        f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/",
        {"url": endpoint.url, "event": "", "event_types": [CONFIRMED], "enabled": "on"},
    )
    assert page.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", None)


def test_asking_for_seat_changes_later_starts_them_from_then(admin_client, receiver, alice):
    endpoint = endpoint_for(receiver, CONFIRMED)
    event = event_with_seats(rows=1, seats_per_row=2)
    booking_calls.lock(user=alice, event_id=event.id, seat_id=event.seats.first().id)
    admin_client.post(
        f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/",
        {"url": endpoint.url, "event": "", "event_types": [CONFIRMED, SEATS_CHANGED]},
    )
    endpoint.refresh_from_db()
    assert endpoint.event_types == [CONFIRMED, SEATS_CHANGED]
    assert endpoint.ledger_cursor == SeatChange.objects.latest("id").id  # not the hold before

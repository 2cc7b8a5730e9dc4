"""Webhook endpoints in the admin (reservations/admin/webhooks.py): registered with their event
types, their secret made and shown to who may change them, and rolled; a test sent at once and
its status said, the delivery log read-only, a delivery tried again by action, an endpoint
enabled again by hand; a staff member who may only view them sends, retries and reads nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from reservations.ledger.models import SeatChange
from reservations.models import WebhookDelivery, WebhookEndpoint, WebhookMessage

from . import booking_calls
from .admin_forms import admin_action
from .factories import UserFactory, event_with_seats
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


def test_send_a_test_posts_a_signed_test_now_and_says_its_status_not_the_reply(
    admin_client, receiver
):
    endpoint = endpoint_for(receiver, CONFIRMED)
    said = admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    assert said == [f"Test to {receiver.url}: status 200"]  # not its reply, "answered 200"
    (arrival,) = receiver.arrivals
    body = arrival.verified(endpoint.secret)
    assert body["type"] == "webhook.test"
    assert body["data"] == {"endpoint": endpoint.pk, "sent_by": "root"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)

    receiver.stop()  # a test to a receiver that is down says so, and is logged to be retried
    said = admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    assert said == [f"Test to {receiver.url}: no answer (ConnectError)"]


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


def test_a_rolled_secret_signs_beside_the_old_one_for_the_grace_then_alone(admin_client, receiver):
    endpoint = endpoint_for(receiver, CONFIRMED)
    old = endpoint.secret
    form = {"url": endpoint.url, "event": "", "event_types": [CONFIRMED], "enabled": "on"}
    rolled = admin_client.post(
        f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/", form | {"roll_secret": "on"}
    )
    assert rolled.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.previous_secret_until > timezone.now() + timedelta(hours=23)
    page = admin_client.get(f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()

    admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    (arrival,) = receiver.arrivals
    assert len(arrival.headers["webhook-signature"].split(" ")) == 2
    assert arrival.verified(old)["type"] == arrival.verified(endpoint.secret)["type"]

    endpoint.previous_secret_until = timezone.now() - timedelta(seconds=1)
    endpoint.save()
    admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])
    after = receiver.arrivals[1]
    assert after.verified(endpoint.secret)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_who_may_only_view_endpoints_reads_no_secret_and_runs_no_action(admin_client, receiver):
    endpoint = endpoint_for(receiver, CONFIRMED)
    receiver.answer = lambda msg_id: 500
    admin_action(admin_client, "webhookendpoint", "send_test", [endpoint.pk])  # a failed one
    failed = WebhookDelivery.objects.get()
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_webhookendpoint", "view_webhookdelivery"])
    )
    client = Client()
    client.force_login(viewer)
    page = client.get(f"/admin/reservations/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()
    for model, action, pk in [
        ("webhookendpoint", "send_test", endpoint.pk),
        ("webhookdelivery", "retry_now", failed.pk),
    ]:
        assert action not in client.get(f"/admin/reservations/{model}/").content.decode()
        form = {"action": action, "_selected_action": [pk], "index": "0"}
        assert client.post(f"/admin/reservations/{model}/", form).status_code == 200
    assert len(receiver.arrivals) == 1 and WebhookDelivery.objects.get() == failed
    failed_now = WebhookDelivery.objects.get()
    assert (failed_now.attempts, failed_now.next_attempt_at) == (1, failed.next_attempt_at)


def test_the_page_says_when_what_is_due_waits_for_a_worker_nobody_started(admin_client):
    """Issue 55: under `make run` a booking's webhook waited for a worker nothing started, and
    the admin's test (sent from the page itself) said all was well."""
    endpoint = WebhookEndpoint.objects.create(url="https://crm.example/hooks", event_types=[])
    page = "/admin/reservations/webhookendpoint/"
    assert "waits for a webhook worker" not in admin_client.get(page).content.decode()
    message = WebhookMessage.objects.create(
        msg_id="msg_due", type=CONFIRMED, payload={}, created_at=timezone.now()
    )
    delivery = WebhookDelivery.objects.create(
        message=message, endpoint=endpoint, next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    warned = admin_client.get(page).content.decode()
    assert "1 delivery due since" in warned and "waits for a webhook worker" in warned
    delivery.next_attempt_at = timezone.now()
    delivery.save()
    assert "waits for a webhook worker" not in admin_client.get(page).content.decode()

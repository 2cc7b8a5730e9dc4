"""The webhooks' rows: an organiser's endpoints, the messages the outbox holds, and each
message's delivery to each endpoint (reservations/webhooks/__init__.py). Imported by
reservations/models.py, so that the app's models stay one import."""

import base64
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q

from ..ledger.models import untied
from ..outbox import OutboxRow


class EventType(models.TextChoices):
    """What an endpoint may ask to hear of (docs/LEDGER.md "Webhooks")."""

    RESERVATION_CONFIRMED = "reservation.confirmed", "a reservation confirmed"
    RESERVATION_CANCELLED = "reservation.cancelled", "a reservation cancelled"
    SEATS_CHANGED = "seats.changed", "seats changed, in bulk (from the seat ledger)"


# Sent by the admin's "Send a test", to one endpoint, whatever it asked for.
TEST_TYPE = "webhook.test"


# How long a rolled secret's predecessor still signs: the receivers' time to take the new one.
SECRET_GRACE = timedelta(hours=24)


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes one: whsec_ and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500, help_text="Where the signed POSTs go (https://...).")
    description = models.CharField(max_length=200, blank=True)
    event = models.ForeignKey(
        "reservations.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only this event's; empty: every event's.",
    )
    event_types = models.JSONField(default=list)  # EventType values
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    # The secret before the last roll, signing beside `secret` until `previous_secret_until`.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)  # why the worker disabled it
    # Set at its first failed attempt after a success, cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # seats.changed: the last ledger change sent (seat_changes.py); it starts at the ledger's
    # end when the endpoint is made, so an endpoint hears of the changes made after it.
    ledger_cursor = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url

    def save(self, *args, **kwargs):
        if self._state.adding and not self.ledger_cursor:
            self.ledger_from_now()
        super().save(*args, **kwargs)

    def secret_rolled(self, *, now: datetime) -> None:
        """A new secret; the one it replaces signs too for SECRET_GRACE (a roll within it
        drops the oldest)."""
        self.previous_secret, self.previous_secret_until = self.secret, now + SECRET_GRACE
        self.secret = new_secret()

    def signing_secrets(self, *, now: datetime) -> list[str]:
        """The secrets a delivery is signed with now: the current, and the one before it while
        its grace lasts (Standard Webhooks: several signatures, space-separated)."""
        until = self.previous_secret_until
        return [self.secret] + ([self.previous_secret] if until and now < until else [])

    def ledger_from_now(self) -> None:
        """seats.changed from the ledger's end on: made, or asked for it anew."""
        from ..ledger.models import SeatChange

        self.ledger_cursor = SeatChange.objects.aggregate(end=models.Max("id"))["end"] or 0


class WebhookMessage(models.Model):
    """One thing that happened, as every endpoint that asked for it is sent it: the trigger's
    (migration 0018), the worker's seats.changed, or a test."""

    id = models.BigAutoField(primary_key=True)
    # The `webhook-id` header: the same on every attempt, so a receiver drops a repeat by it.
    msg_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40)
    # Without constraints: the trigger's insert never locks the event or reservation FOR KEY SHARE.
    event = untied("reservations.Event", null=True, on_delete=models.CASCADE)
    reservation = untied("reservations.Reservation", null=True, on_delete=models.DO_NOTHING)
    payload = models.JSONField()  # the body's `data`
    created_at = models.DateTimeField()  # when it happened (a booking's: its commit)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["created_at"], name="webhook_message_age"),
            models.Index(fields=["reservation"], name="webhook_message_reservation"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.msg_id}"


class WebhookDelivery(OutboxRow):  # attempts, next_attempt_at: the outbox's
    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # every attempt of the schedule failed: given up

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)  # none: no answer
    last_answer = models.TextField(blank=True)  # the answer's first characters, or the error
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "endpoint"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(state="pending"),
            ),
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                name="webhook_endpoint_due",
                condition=Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to endpoint {self.endpoint_id}"

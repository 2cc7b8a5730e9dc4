"""The confirmation e-mails' table (app label `reservations`, registered by
reservations/models.py): one row per booking whose buyer booked with a verified address (`to`,
taken when it was queued)."""

from django.db import models
from django.db.models import Q


class ConfirmationEmail(models.Model):
    reservation = models.OneToOneField(
        "reservations.Reservation", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.EmailField()
    attempts = models.PositiveIntegerField(default=0)
    # Due then (a sender that takes it moves it a lease ahead); null once sent or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="confirmation_email_due",
                condition=Q(next_attempt_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"confirmation of reservation {self.reservation_id} to {self.to}"

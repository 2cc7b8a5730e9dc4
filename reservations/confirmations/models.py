"""The confirmation e-mails' table (app label `reservations`, registered by
reservations/models.py): one row per booking whose buyer booked with a verified address (`to`,
taken when it was queued)."""

from django.db import models
from django.db.models import Q

from reservations.outbox import OutboxRow


class _OutboxEmail(OutboxRow):
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class ConfirmationEmail(_OutboxEmail):
    reservation = models.OneToOneField(
        "reservations.Reservation", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.EmailField()

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


class BuyerNotice(_OutboxEmail):
    """An e-mail telling a buyer what staff changed of their booking, or sold them at the box
    office (docs/API.md "Confirmation e-mails"): written in the change's own transaction, so
    only a committed change is told, and each once."""

    class Kind(models.TextChoices):
        RESEAT = "reseat"
        REFUND = "refund"
        SALE = "sale"  # a box-office sale to a typed address

    reservation = models.ForeignKey(
        "reservations.Reservation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=6, choices=Kind.choices)
    to = models.EmailField()
    # A reseat's difference (+ owed by the buyer, - owed to them), a refund's amount given back,
    # a sale's amount taken.
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # The seats concerned, by id: a reseat's [from, to] pairs, a refund's seats given back.
    seats = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="buyer_notice_due",
                condition=Q(next_attempt_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of reservation {self.reservation_id} to {self.to}"

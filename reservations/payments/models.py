from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Payment(models.Model):
    """One attempt to be paid for an order, or one refund of it: the payments export's rows
    (exports.py). What a sale took is still read from its reservations (money.py), which
    settling.py writes in the same transaction as these."""

    class Kind(models.TextChoices):
        PAYMENT = "payment"
        REFUND = "refund"

    class State(models.TextChoices):
        STARTED = "started"  # a payment the buyer was sent to make
        PAID = "paid"  # the provider said it was paid (or staff settled it)
        CANCELLED = "cancelled"  # the window ended first, or the buyer cancelled
        REFUNDED = "refunded"  # a refund the provider made
        FAILED = "failed"  # a refund the provider refused: the organiser's to give back

    reservation = models.ForeignKey(
        "reservations.Reservation", on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(max_length=6)  # Event.PaidWith
    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.PAYMENT)
    state = models.CharField(max_length=9, choices=State.choices, default=State.STARTED)
    # The provider's name of the attempt (a Checkout session) or of the money (a payment
    # intent, a receipt number staff typed): what its notifications and refunds name.
    reference = models.CharField(max_length=200, blank=True, default="")
    settled_reference = models.CharField(max_length=200, blank=True, default="")
    url = models.URLField(max_length=1000, blank=True, default="")  # where the buyer pays
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Paid after its order had ended (expired, or cancelled): refunded at once.
    late = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # One attempt at a time: a double submit finds the first.
            models.UniqueConstraint(
                fields=["reservation"],
                condition=Q(kind="payment", state="started"),
                name="payment_one_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of reservation {self.reservation_id} ({self.state})"

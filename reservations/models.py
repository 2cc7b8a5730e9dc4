from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Event(models.Model):
    name = models.CharField(max_length=200)
    venue = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at:%Y-%m-%d})"


class Seat(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available"
        LOCKED = "locked"
        RESERVED = "reserved"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="seats")
    section = models.CharField(max_length=50, default="Floor")
    row = models.CharField(max_length=10)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Grows by one with every committed change of this seat (PROTOCOL.md "Ordering and gaps").
    version = models.PositiveIntegerField(default=0)

    class Meta:
        # Seats are created in layout order (section, row, number), so id order is layout order.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "label"], name="seat_label_unique_per_event"),
            models.CheckConstraint(
                condition=(
                    Q(status="available", locked_by__isnull=True, reserved_by__isnull=True)
                    | Q(status="locked", locked_by__isnull=False, locked_until__isnull=False)
                    | Q(status="reserved", locked_by__isnull=True)
                ),
                name="seat_status_matches_holder",
            ),
        ]
        indexes = [
            # The sweeper's scan and the hold-limit count.
            models.Index(
                fields=["locked_until"], name="seat_locked_until", condition=Q(status="locked")
            ),
            models.Index(
                fields=["event", "locked_by"], name="seat_holds", condition=Q(status="locked")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.section})"


class Reservation(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reservations"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="reservations")
    seats = models.ManyToManyField(Seat, through="ReservedSeat", related_name="reservations")
    total_price = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reservation {self.pk} ({self.status})"


class ReservedSeat(models.Model):
    """A seat in a reservation, with the price it was sold at.

    The partial unique constraint is the database's own guarantee that a seat is never in two
    confirmed reservations, beneath the row locks of the services.
    """

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="reserved_seats"
    )
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="reserved_seats")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["seat_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat"], condition=Q(is_active=True), name="seat_sold_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seat_id} in reservation {self.reservation_id}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` of a reserve request, per user, kept at least 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    # Null only inside the transaction that claimed the key; committed keys always have one.
    reservation = models.ForeignKey(
        Reservation, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return self.key

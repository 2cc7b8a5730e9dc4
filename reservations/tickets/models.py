from django.conf import settings
from django.db import models


class TicketKey(models.Model):
    """An event's signing key (Ed25519): its newest signs the tickets issued now; every one it
    had still checks the tickets it signed, so a key rotates without a ticket going bad."""

    event = models.ForeignKey("reservations.Event", on_delete=models.CASCADE, related_name="+")
    key_id = models.PositiveIntegerField()  # the code's 2-byte key id: 1, 2, ... per event
    private_key = models.BinaryField()  # raw 32 bytes; the server alone signs
    public_key = models.BinaryField()  # raw 32 bytes; scanners get these
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "key_id"]
        constraints = [models.UniqueConstraint(fields=["event", "key_id"], name="ticket_key_once")]

    def __str__(self) -> str:
        return f"key {self.key_id} of event {self.event_id}"


class CheckIn(models.Model):
    """One scan at a door that let a ticket's holder in or out (docs/API.md "Tickets"); a
    refused scan writes nothing. A ticket is a booked seat of a confirmed order
    (ReservedSeat)."""

    class Direction(models.TextChoices):
        ENTRY = "entry"
        EXIT = "exit"

    ticket = models.ForeignKey(
        "reservations.ReservedSeat", on_delete=models.PROTECT, related_name="check_ins"
    )
    event = models.ForeignKey("reservations.Event", on_delete=models.CASCADE, related_name="+")
    gate = models.CharField(max_length=50)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    # The scanner's own: a retried upload of the same scan finds it and writes nothing.
    nonce = models.CharField(max_length=64)
    scanned_at = models.DateTimeField()  # the device's time (an offline scan's is earlier)
    at = models.DateTimeField(auto_now_add=True)  # when the server learnt it
    forced = models.BooleanField(default=False)  # an offline upload: let in at the door already
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["nonce"], name="check_in_nonce_once")]
        indexes = [
            models.Index(fields=["event", "gate"], name="check_in_gate"),
            models.Index(fields=["ticket", "-id"], name="check_in_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} of ticket {self.ticket_id} at {self.gate}"


class GateCount(models.Model):
    """How many a gate let in and out, kept by each check-in's own transaction (door.py): the
    counts a console shows are read in one row a gate, never counted from CheckIn."""

    event = models.ForeignKey("reservations.Event", on_delete=models.CASCADE, related_name="+")
    gate = models.CharField(max_length=50)
    entered = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "gate"], name="gate_count_once")]

    def __str__(self) -> str:
        return f"{self.gate}: {self.entered} in, {self.left} out"

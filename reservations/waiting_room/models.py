"""The waiting room's tables (app label `reservations`, registered by reservations/models.py):
the room of an event and each account's place in it. Its rules: the rest of this package."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


def first_generation() -> int:
    """A new room's turn-token generation: random below 2**30, room to bump it for ever."""
    return secrets.randbelow(2**30) + 1


def new_draw_seed() -> str:
    """A waiting room's secret seed (reservations/waiting_room/draw.py): 32 random bytes."""
    return secrets.token_hex(32)


class WaitingRoom(models.Model):
    """An event's waiting room (API.md "Waiting room"): the organiser's settings, the draw's
    commitment and proof, and where admission stands. Its rules: reservations/waiting_room/."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled"
        PRE_QUEUE = "pre_queue"
        DRAW = "draw"
        ADMITTING = "admitting"
        PAUSED = "paused"
        HELD_OUT = "held_out"
        SOLD_OUT = "sold_out"

    event = models.OneToOneField(
        "reservations.Event",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="waiting_room",
    )
    opens_at = models.DateTimeField(help_text="When buyers may take a place (the pre-queue).")
    on_sale_at = models.DateTimeField(help_text="When the entrants are drawn and admission starts.")
    turn_seconds = models.PositiveIntegerField(
        default=600, validators=[MinValueValidator(60)], help_text="How long a claimed turn lasts."
    )
    claim_seconds = models.PositiveIntegerField(
        default=120,
        validators=[MinValueValidator(10)],
        help_text="How long a called buyer has to claim the turn before the next number goes.",
    )
    max_active = models.PositiveIntegerField(
        default=500, help_text="The most buyers shopping at once (called or in their turn)."
    )
    paused_by_organiser = models.BooleanField(default=False)
    challenge = models.BooleanField(
        default=False,
        help_text="Ask each new place for proof of work (about a second of the buyer's device):"
        " scripts that take places for many accounts pay for each.",
    )
    # Named before the pre-queue opens (e.g. "drand quicknet round 1234"); its value is set once
    # published, and the draw waits for it.
    randomness_source = models.CharField(max_length=200, blank=True)
    public_randomness = models.CharField(max_length=200, blank=True)
    # Secret until the draw; its sha256 (the commitment) is public from the start.
    seed = models.CharField(max_length=64, default=new_draw_seed, editable=False)
    entrants_digest = models.CharField(max_length=64, blank=True, editable=False)
    entrants = models.PositiveIntegerField(default=0, editable=False)
    drawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Numbers given so far (entrants and late arrivals): the next late arrival's is one more.
    numbered = models.PositiveIntegerField(default=0, editable=False)
    # Places taken, as of the last tick (the public state reads no count per request).
    joined = models.PositiveIntegerField(default=0, editable=False)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.SCHEDULED, editable=False
    )
    reason = models.CharField(max_length=12, blank=True, editable=False)
    serving = models.PositiveIntegerField(default=0, editable=False)  # highest number called
    first_called_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A bump revokes every turn token issued before it. A room starts at a random one, so a
    # room made again on the same event (after a delete) revives no token of the one before.
    generation = models.PositiveIntegerField(default=first_generation)
    reread = models.PositiveIntegerField(default=0, editable=False)
    ticked_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last tick's measurements, as the public state shows them.
    rate = models.FloatField(default=0, editable=False)
    show_share = models.FloatField(default=1, editable=False)
    seats_per_order = models.FloatField(default=0, editable=False)
    seats_left = models.PositiveIntegerField(default=0, editable=False)
    holds_end_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"waiting room of {self.event}"


class QueueEntry(models.Model):
    """One account's place in one event's waiting room."""

    room = models.ForeignKey(WaitingRoom, on_delete=models.CASCADE, related_name="places")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entry_id = models.CharField(max_length=32, unique=True)  # public: in the draw's proof
    joined_at = models.DateTimeField()
    number = models.PositiveIntegerField(null=True, blank=True)  # from the draw, or on joining late
    late = models.BooleanField(default=False)
    called_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    turn_expires_at = models.DateTimeField(null=True, blank=True)
    extended = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "queue entries"
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="queue_place_per_account"),
            models.UniqueConstraint(fields=["room", "number"], name="queue_number_once"),
        ]
        indexes = [
            # The tick's count of turns running.
            models.Index(
                fields=["room", "turn_expires_at"],
                name="queue_turns",
                condition=Q(claimed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} (No. {self.number})"

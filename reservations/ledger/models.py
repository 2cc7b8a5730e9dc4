"""The ledger's row (reservations/ledger/__init__.py). Defined here, imported by
reservations/models.py, so that the app's models stay one import."""

from django.conf import settings
from django.db import models


class Via(models.TextChoices):
    """Through what a seat changed (docs/LEDGER.md)."""

    ONLINE = "online"  # a buyer's own booking call, either path (the site, the app, a script)
    ADMIN = "admin"  # staff in Django's admin: `actor` is the staff member
    CONSOLE = "console"  # staff in the organiser's console (keep back, kill, reseat, refund)
    BOX_OFFICE = "box_office"  # a staff member's sale to a walk-in (the console's box office)
    SWEEPER = "sweeper"  # an ended hold written back to available, an unpaid order ended
    VENUE = "venue"  # an order paid at the venue or by invoice, settled by staff (`actor`)
    STRIPE = "stripe"  # an order paid through Stripe Checkout, as its webhook said
    COMMAND = "command"  # a manage.py command (seed_demo's categories)
    UNKNOWN = "unknown"  # nothing said how: raw SQL, a shell. Worth a look.
    # Where a seat's story starts when it did not start with the ledger: its state when the
    # ledger began (migration 0016).
    BASELINE = "baseline"


class AppendOnly(RuntimeError):
    """The ledger is written by the database's trigger and never changed."""


class SeatChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The ledger is never changed.")

    def delete(self):
        raise AppendOnly("The ledger is never changed: it goes with its event only.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnly("Only the seat table's trigger writes the ledger.")


def untied(to, **options) -> models.ForeignKey:
    """A reference without a foreign key constraint or an index of its own: a constraint would
    have every change lock its event's row FOR KEY SHARE, and the story outlives what it names."""
    return models.ForeignKey(to, db_constraint=False, db_index=False, related_name="+", **options)


class SeatChange(models.Model):
    """One change of one seat's state: written in the change's transaction by the trigger."""

    id = models.BigAutoField(primary_key=True)
    # The event's story goes with the event (retention by event, docs/LEDGER.md).
    event = untied("reservations.Event", on_delete=models.CASCADE)
    seat = untied("reservations.Seat", on_delete=models.DO_NOTHING)
    # The stored status: an ended hold the sweeper writes back is locked -> available.
    status_before = models.CharField(max_length=10)
    status_after = models.CharField(max_length=10)
    version = models.PositiveIntegerField()  # the seat's version after the change
    # Whom it concerns: the holder or the buyer, after the change, else before it.
    account = untied(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING)
    # The staff member who made it; null when the account's own call or the system did.
    actor = untied(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING)
    via = models.CharField(max_length=10, choices=Via.choices)
    reason = models.TextField(blank=True)  # where a person gave one (a block's)
    reservation = untied("reservations.Reservation", null=True, on_delete=models.DO_NOTHING)
    held_since = models.DateTimeField(null=True)  # when the hold's run began
    at = models.DateTimeField()  # the change's transaction's time

    objects = SeatChangeQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["event", "seat", "id"], name="seat_change_story")]

    def __str__(self) -> str:
        return f"seat {self.seat_id}: {self.status_before} -> {self.status_after} v{self.version}"

    def save(self, *args, **kwargs):
        raise AppendOnly("Only the seat table's trigger writes the ledger.")

    def delete(self, *args, **kwargs):
        raise AppendOnly("The ledger is never changed: it goes with its event only.")

"""Deleting an event: only while nobody holds one of its seats or has bought one.

Its seats, categories and waiting room go with it. A seat held or sold now would go from under
its buyer (a hold that vanishes, a booking whose seats are gone), so such an event is refused
with what keeps it: its holds end by themselves, its reservations are cancelled through the
booking service. Blocked seats are nobody's and go with it.

The check reads the seat rows locked in id order (locking.py; the categories' rows first, as a
repricing takes them): in the transaction that deletes, no hold can start between the check and
the delete. A cancelled reservation still names its event, as its buyer's record: the model
PROTECTs the event from it, and Django's collector refuses the delete with those.
"""

from collections.abc import Collection

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.template.defaultfilters import pluralize
from django.utils import timezone

from ..booking.locking import transaction_settings_sent
from ..models import Event, PriceCategory, Seat
from ..rules import effective_status

Status = Seat.Status
LABELS_SHOWN = 10


def _seats(seats: list[Seat]) -> str:
    return f"{len(seats)} seat{pluralize(len(seats))}"


def _labels(seats: list[Seat]) -> str:
    shown = ", ".join(s.label for s in seats[:LABELS_SHOWN])
    return shown + (f" and {len(seats) - LABELS_SHOWN} more" if len(seats) > LABELS_SHOWN else "")


def event_deletion_refusals(*, event_ids: Collection[int]) -> dict[int, str]:
    """Why each of these events cannot be deleted now (an event missing here can be), read under
    its seat rows' locks, which last until the caller's transaction ends."""
    with transaction.atomic():
        transaction_settings_sent()  # a lock waited for as long as a booking's, no longer
        list(
            PriceCategory.objects.select_for_update().filter(event_id__in=event_ids).order_by("id")
        )
        seats = Seat.objects.select_for_update().filter(event_id__in=event_ids).order_by("id")
        now = timezone.now()
        held: dict[int, list[Seat]] = {}
        sold: dict[int, list[Seat]] = {}
        for seat in seats.only("id", "event_id", "label", "status", "held_until", "blocked"):
            state = effective_status(seat.status, seat.held_until, now)
            if state == Status.LOCKED:
                held.setdefault(seat.event_id, []).append(seat)
            elif state == Status.RESERVED and not seat.blocked:
                sold.setdefault(seat.event_id, []).append(seat)
        names = dict(
            Event.objects.filter(pk__in=held.keys() | sold.keys()).values_list("pk", "name")
        )
        hold_minutes = -(-settings.SEAT_HOLD_MAX_SECONDS // 60)
        refusals = {}
        for event_id, name in names.items():
            parts = []
            if event_id in sold:
                parts.append(
                    f"{_seats(sold[event_id])} sold ({_labels(sold[event_id])}): cancel their"
                    " reservations first, which puts the seats back on sale"
                )
            if event_id in held:
                parts.append(
                    f"{_seats(held[event_id])} held by buyers now ({_labels(held[event_id])}):"
                    f" their holds end by themselves, in {hold_minutes} minutes at most"
                )
            refusals[event_id] = f"{name} cannot be deleted: {'; '.join(parts)}."
        return refusals


def events_delete(*, event_ids: Collection[int]) -> int:
    """Delete these events with their seats, all or none; ProtectedError, naming the held and
    sold seats, when any is held or sold. Returns how many events it deleted."""
    with transaction.atomic():
        if refusals := event_deletion_refusals(event_ids=event_ids):
            held_or_sold = Seat.objects.filter(event_id__in=refusals, blocked=False).exclude(
                status=Status.AVAILABLE
            )
            raise ProtectedError(" ".join(refusals.values()), set(held_or_sold))
        _, deleted = Event.objects.filter(pk__in=event_ids).delete()
        return deleted.get(Event._meta.label, 0)

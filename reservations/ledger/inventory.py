"""The inventory check (`manage.py check_inventory`): the ledger replayed against the seats,
and the seats against the reservations. Each disagreement is one readable line.

What must hold, per seat:
- the ledger's trigger is there and on, so nothing changes a seat unrecorded;
- it is in at most one live reservation (ReservedSeat.is_active), and a live one is confirmed
  or awaiting payment;
- booked (reserved, not blocked): in exactly one confirmed reservation, the buyer's; a seat in a
  confirmed reservation is booked, by that reservation's buyer; `paying` and in an order
  awaiting payment likewise;
- its story: from `available` at version 0 (or the baseline the ledger began with), each change
  starts where the one before ended, one version on, and the last ends where the seat is.

And per reservation, its money (money.py): it gave back no more than it took, and nothing
below zero; a buyer's own cancel gave back all it took; a confirmed booking holds seats, and its
total is what the seats it holds were sold at, seat by seat; a cancelled one holds none. An
order that awaited payment (`pay_by`) and is confirmed was paid (a Payment); one awaiting payment
or expired took nothing it kept.

And per gate of an event, the door's counts (tickets/door.py keeps them) are its check-ins'.

It reads in one snapshot (REPEATABLE READ on PostgreSQL; SQLite's transactions are serial), so
it can run beside live traffic.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..models import Reservation, ReservedSeat, Seat
from ..payments.models import Payment
from ..tickets.models import CheckIn, GateCount
from .models import SeatChange, Via

Status = Seat.Status
TRIGGER = "reservations_seat_change"
CONFIRMED = Reservation.Status.CONFIRMED
AWAITING = Reservation.Status.AWAITING_PAYMENT
# A live reservation's state, and its seats' in it.
SEAT_IN = {CONFIRMED: Status.RESERVED, AWAITING: Status.PAYING}
_WORDS = {
    Status.RESERVED: ("booked", "confirmed reservation"),
    Status.PAYING: ("paying", "order awaiting payment"),
}


def inventory_disagreements(*, event_id: int | None = None) -> list[str]:
    """Every disagreement found, in a readable line each; [] when the inventory is sound."""
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:  # else the caller's transaction reads (a test's)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        seats = Seat.objects.order_by("id")
        changes = SeatChange.objects.order_by("event_id", "seat_id", "id")
        live = ReservedSeat.objects.filter(is_active=True).order_by("id")
        if event_id is not None:
            seats, changes = seats.filter(event_id=event_id), changes.filter(event_id=event_id)
            live = live.filter(seat__event_id=event_id)
        seat_rows = {
            row[0]: row
            for row in seats.values_list(
                "id", "label", "status", "version", "reserved_by_id", "blocked"
            )
        }
        bookings = defaultdict(list)
        for seat_id, *booking in live.values_list(
            "seat_id", "reservation_id", "reservation__status", "reservation__user_id"
        ):
            bookings[seat_id].append(booking)
        reservations = Reservation.objects.order_by("id")
        if event_id is not None:
            reservations = reservations.filter(event_id=event_id)
        return [
            *_trigger_missing(),
            *_bookings_disagree(seat_rows, bookings),
            *_stories_disagree(seat_rows, changes.values_list(*_CHANGE_FIELDS).iterator(2000)),
            *_money_disagrees(reservations),
            *_door_disagrees(event_id),
        ]


def _door_disagrees(event_id: int | None) -> Iterator[str]:
    check_ins, counts = CheckIn.objects.all(), GateCount.objects.all()
    if event_id is not None:
        check_ins, counts = check_ins.filter(event_id=event_id), counts.filter(event_id=event_id)
    scanned = defaultdict(lambda: [0, 0])
    for event, gate, direction, n in check_ins.values_list(
        "event_id", "gate", "direction"
    ).annotate(n=Count("id")):
        scanned[event, gate][direction == CheckIn.Direction.EXIT] = n
    kept = {
        (e, g): [entered, left]
        for e, g, entered, left in counts.values_list("event_id", "gate", "entered", "left")
    }
    for event, gate in sorted(scanned.keys() | kept.keys()):
        if scanned.get((event, gate), [0, 0]) != kept.get((event, gate), [0, 0]):
            (entered, left), (saw_in, saw_out) = (
                kept.get((event, gate), [0, 0]),
                scanned[event, gate],
            )
            yield (
                f"Gate {gate} of event {event} counts {entered} in and {left} out, but its "
                f"check-ins are {saw_in} in and {saw_out} out."
            )


def _money_disagrees(reservations) -> Iterator[str]:
    live = Q(reserved_seats__is_active=True)
    paid = Payment.objects.filter(kind=Payment.Kind.PAYMENT, state=Payment.State.PAID, late=False)
    paid_ids = set(paid.values_list("reservation_id", flat=True))
    rows = reservations.annotate(
        held=Count("reserved_seats", filter=live),
        held_at=Coalesce(Sum("reserved_seats__price", filter=live), Decimal("0.00")),
        given_up=Count(
            "reserved_seats", filter=Q(reserved_seats__ended=ReservedSeat.Ended.CANCELLED)
        ),
    ).values_list(
        "id",
        "status",
        "total_price",
        "amount_taken",
        "refunded",
        "held",
        "held_at",
        "given_up",
        "pay_by",
    )
    for pk, status, total, taken, refunded, held, held_at, given_up, pay_by in rows.iterator(2000):
        name = f"reservation {pk}"
        if not Decimal("0.00") <= refunded <= taken:
            yield f"{name} gave back {refunded} of the {taken} it took."
        if given_up and refunded != taken:
            yield f"{name} was cancelled by its buyer but gave back {refunded} of {taken}."
        if status in SEAT_IN and (not held or total != held_at):
            yield f"{name} is {status} at {total}, but holds {held} seats sold at {held_at}."
        if status not in SEAT_IN and held:
            yield f"{name} is {status} but still holds {held} seats."
        if status == CONFIRMED and pay_by is not None and pk not in paid_ids:
            yield f"{name} awaited payment and is confirmed, but no payment of it is recorded."
        if status in (AWAITING, Reservation.Status.EXPIRED) and taken != refunded:
            yield f"{name} is {status} but kept {taken - refunded} it took."


def _trigger_missing() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgenabled <> 'D' FROM pg_trigger WHERE tgname = %s "
                "AND tgrelid = 'reservations_seat'::regclass",
                [TRIGGER],
            )
        else:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER]
            )
        row = cursor.fetchone()
    if row and row[0]:
        return []
    state = "disabled" if row else "missing"
    return [f"The ledger's trigger {TRIGGER} is {state}: seats change unrecorded."]


def _name(seat) -> str:
    return f"seat {seat[1]} (id {seat[0]})"


def _bookings_disagree(seats: dict, bookings: dict) -> Iterator[str]:
    for seat_id, seat in seats.items():
        _, _, status, _, buyer, blocked = seat
        held_in = bookings.get(seat_id, [])
        if len(held_in) > 1:
            ids = ", ".join(str(b[0]) for b in held_in)
            yield f"{_name(seat)} is in {len(held_in)} live reservations: {ids}."
        for reservation_id, state, _ in held_in:
            if state not in SEAT_IN:
                yield f"{_name(seat)} is still in reservation {reservation_id}, which is {state}."
        word = _WORDS.get(status)
        if word and not blocked and not any(SEAT_IN.get(b[1]) == status for b in held_in):
            yield f"{_name(seat)} is {word[0]} (by account {buyer}) but in no {word[1]}."
        for reservation_id, state, owner in held_in:
            if state not in SEAT_IN:
                continue
            if blocked or status != SEAT_IN[state]:
                now = "blocked" if blocked else status
                yield f"{_name(seat)} is in {state} reservation {reservation_id} but {now}."
            elif owner != buyer:
                yield (
                    f"{_name(seat)} is {_WORDS[status][0]} by account {buyer}, but its reservation "
                    f"{reservation_id} is account {owner}'s."
                )


_CHANGE_FIELDS = ("seat_id", "id", "status_before", "status_after", "version", "via")


def _stories_disagree(seats: dict, changes) -> Iterator[str]:
    """Each seat's story replayed: it starts available at version 0, each change goes on from
    the one before, and it ends where the seat is."""
    story_end: dict[int, tuple[str, int]] = {}
    for seat_id, change_id, before, after, version, via in changes:
        status, at = story_end.get(seat_id, (Status.AVAILABLE.value, 0))
        seat = seats.get(seat_id, (seat_id, "?"))
        if via != Via.BASELINE and (before, version) != (status, at + 1):
            yield (
                f"{_name(seat)}: the ledger's change {change_id} goes from {before} to version "
                f"{version}, but the change before it left the seat {status} at version {at}."
            )
        story_end[seat_id] = (after, version)
    for seat_id, seat in seats.items():
        status, at = story_end.get(seat_id, (Status.AVAILABLE.value, 0))
        if (seat[2], seat[3]) != (status, at):
            yield (
                f"{_name(seat)}: the ledger leaves it {status} at version {at}, but it is "
                f"{seat[2]} at version {seat[3]}."
            )

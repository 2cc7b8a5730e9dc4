"""A ticket scanned at a door (docs/API.md "Tickets"): its code checked, then, under the
ticket's row lock (two gates at one instant: one lets the holder in), whether it is still a
ticket (its seat in a confirmed order), and whether its holder is inside already. A scan that
lets someone in or out is one CheckIn; a refused one writes nothing. A scanner's nonce makes a
retried upload one scan."""

from dataclasses import dataclass
from datetime import datetime

import segno
from django.db import IntegrityError, connection, transaction

from ..models import Reservation, ReservedSeat
from ..signals import door_changed_on_commit
from .codes import CodeRefused, TicketFacts, code_of, event_named, facts_of
from .keys import public_keys, signing_key
from .models import CheckIn, GateCount

Direction = CheckIn.Direction


@dataclass(frozen=True)
class Scan:
    code: str
    gate: str
    direction: str
    scanned_at: datetime
    nonce: str
    force: bool = False  # an offline scanner's upload: it let the holder through already


@dataclass(frozen=True)
class ScanAnswer:
    result: str  # "ok", or why not: API.md "Tickets"
    ticket: ReservedSeat | None = None
    said: str = ""  # the refusal in a door person's words


def qr_of(code: str) -> segno.QRCode:
    """The code as a QR code: alphanumeric mode (base32 is), error correction M (a cracked
    phone screen still scans)."""
    return segno.make(code, error="m", micro=False)


def codes_of(order: Reservation) -> list[tuple[ReservedSeat, str]]:
    """Each seat of a confirmed order with its ticket's code, signed with the event's newest
    key."""
    key_id, key = signing_key(order.event_id)
    seats = order.reserved_seats.filter(is_active=True).select_related("seat")
    return [
        (r, code_of(TicketFacts(key_id, order.event_id, r.pk, r.seat.label), key)) for r in seats
    ]


def scanned(event_id: int, scan: Scan, *, actor_id: int | None) -> ScanAnswer:
    earlier = CheckIn.objects.filter(nonce=scan.nonce).select_related("ticket__seat").first()
    if earlier is not None:  # the same scan sent again: its answer, nothing written
        return ScanAnswer("ok", earlier.ticket)
    facts = _facts(event_id, scan.code)
    if isinstance(facts, ScanAnswer):
        return facts
    with transaction.atomic():
        ticket = (
            ReservedSeat.objects.select_for_update(of=("self",))
            .select_related("seat", "reservation__user")
            .filter(pk=facts.ticket_id, seat__event_id=event_id)
            .first()
        )
        refusal = _refusal(ticket, scan)
        if refusal:
            return refusal
        try:
            with transaction.atomic():
                CheckIn.objects.create(
                    ticket=ticket,
                    event_id=event_id,
                    gate=scan.gate,
                    direction=scan.direction,
                    nonce=scan.nonce,
                    scanned_at=scan.scanned_at,
                    forced=scan.force,
                    actor_id=actor_id,
                )
        except IntegrityError:  # the same nonce at the same instant: one scan
            return ScanAnswer("ok", ticket)
        gate = _gate_counted(event_id, scan.gate, scan.direction)
        door_changed_on_commit(event_id=event_id, gates={scan.gate: gate})
    return ScanAnswer("ok", ticket)


_GATE_COUNTED = f"""
    INSERT INTO {GateCount._meta.db_table} (event_id, gate, entered, "left")
    VALUES (%s, %s, %s, %s)
    ON CONFLICT (event_id, gate) DO UPDATE SET entered = {GateCount._meta.db_table}.entered
        + excluded.entered, "left" = {GateCount._meta.db_table}."left" + excluded."left"
    RETURNING entered, "left"
"""


def _gate_counted(event_id: int, gate: str, direction: str) -> dict[str, int]:
    """One more in or out at the gate, in the check-in's transaction: the gate's counts after
    it. Two gates count on rows of their own; one gate's scans take its row in turn."""
    entry = direction == Direction.ENTRY
    with connection.cursor() as cursor:
        cursor.execute(_GATE_COUNTED, [event_id, gate, int(entry), int(not entry)])
        entered, left = cursor.fetchone()
    return {"entered": entered, "left": left}


def _facts(event_id: int, code: str) -> TicketFacts | ScanAnswer:
    """The code checked with the keys of the event it names: a genuine ticket of another
    event is told apart from a forged one."""
    try:
        facts = facts_of(code, public_keys(event_named(code) or event_id))
    except CodeRefused as refused:
        return ScanAnswer("invalid", said=f"Not a ticket: {refused}.")
    if facts.event_id != event_id:
        return ScanAnswer("wrong_event", said="This ticket is for another event.")
    return facts


def _refusal(ticket: ReservedSeat | None, scan: Scan) -> ScanAnswer | None:
    if ticket is None:
        return ScanAnswer("invalid", said="No such ticket.")
    status = ticket.reservation.status
    if status == Reservation.Status.AWAITING_PAYMENT:
        return ScanAnswer("unpaid", ticket, "This order is not paid yet.")
    if not ticket.is_active or status != Reservation.Status.CONFIRMED:
        return ScanAnswer("revoked", ticket, "This ticket was cancelled, refunded or reseated.")
    if scan.force:
        return None
    inside = (
        CheckIn.objects.filter(ticket=ticket).order_by("-id").values_list("direction", flat=True)
    ).first() == Direction.ENTRY
    if scan.direction == Direction.ENTRY and inside:
        return ScanAnswer("already_inside", ticket, f"{ticket.seat.label} is inside already.")
    if scan.direction == Direction.EXIT and not inside:
        return ScanAnswer("not_inside", ticket, f"{ticket.seat.label} is not inside.")
    return None


def door_counts(event_id: int) -> dict:
    """Entered, left and inside, for the hall and each gate."""
    gates = {
        gate: {"entered": entered, "left": left}
        for gate, entered, left in GateCount.objects.filter(event_id=event_id)
        .order_by("gate")
        .values_list("gate", "entered", "left")
    }
    hall = {
        "entered": sum(g["entered"] for g in gates.values()),
        "left": sum(g["left"] for g in gates.values()),
    }
    return {
        "inside": hall["entered"] - hall["left"],
        **hall,
        "gates": {name: {**c, "inside": c["entered"] - c["left"]} for name, c in gates.items()},
    }

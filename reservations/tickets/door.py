"""A ticket scanned at a door (docs/API.md "Tickets"): its code checked, then, under the
ticket's row lock (two gates at one instant: one lets the holder in), whether it is still a
ticket (its seat in a confirmed order), and whether its holder is inside already. A scan that
lets someone in or out is one CheckIn; a refused one writes nothing. A scanner's nonce makes a
retried upload one scan.

Read, decide, write: the ticket and its last check-in are read under the lock in SQL, the rules
are Python over what was read (`_refusal`), and the check-in and its gate's count are written in
SQL: through the ORM, the same steps took half a scan's CPU (BENCHMARKS.md, the door)."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple

import segno
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from ..models import Reservation, ReservedSeat, Seat
from ..signals import door_changed_on_commit
from .codes import CodeRefused, TicketFacts, code_of, event_named, facts_of
from .keys import public_key, signing_key
from .models import CheckIn, GateCount

Direction = CheckIn.Direction
User = get_user_model()


@dataclass(frozen=True)
class Scan:
    code: str
    gate: str
    direction: str
    scanned_at: datetime
    nonce: str
    force: bool = False  # an offline scanner's upload: it let the holder through already


class Ticket(NamedTuple):
    """A ticket as the door shows it (API.md "Tickets"): the seat, and whose it is."""

    id: int
    seat: dict  # id, label, section, row
    name: str


def ticket_of(booked: ReservedSeat) -> Ticket:
    seat, order = booked.seat, booked.reservation
    buyer = order.user
    names = (buyer.first_name, buyer.last_name, buyer.username) if buyer else ("", "", "")
    seat_shown = _seat(seat.id, seat.label, seat.section, seat.row)
    return Ticket(booked.pk, seat_shown, _name(order.buyer_name, *names))


def _seat(seat_id: int, label: str, section: str, row: str) -> dict:
    return {"id": seat_id, "label": label, "section": section, "row": row}


def _name(buyer_name: str, first: str | None, last: str | None, username: str | None) -> str:
    """The order's buyer name, else its account's full name (as Django's), else its username."""
    return buyer_name or f"{first or ''} {last or ''}".strip() or username or ""


@dataclass(frozen=True)
class ScanAnswer:
    result: str  # "ok", or why not: API.md "Tickets"
    ticket: Ticket | None = None
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
    earlier = CheckIn.objects.filter(nonce=scan.nonce).values_list("ticket_id", flat=True).first()
    if earlier is not None:  # the same scan sent again: its answer, nothing written
        booked = ReservedSeat.objects.select_related("seat", "reservation__user").get(pk=earlier)
        return ScanAnswer("ok", ticket_of(booked))
    facts = _facts(event_id, scan.code)
    if isinstance(facts, ScanAnswer):
        return facts
    with transaction.atomic():
        locked = _locked(event_id, facts.ticket_id)
        if locked is None:
            return ScanAnswer("invalid", said="No such ticket.")
        refusal = _refusal(locked, scan)
        if refusal:
            return refusal
        gate = _checked_in(event_id, locked.ticket.id, scan, actor_id)
        if gate is not None:  # None: the same nonce at the same instant, one scan
            door_changed_on_commit(event_id=event_id, gates={scan.gate: gate})
    return ScanAnswer("ok", locked.ticket)


class Locked(NamedTuple):
    """A ticket as its row lock keeps it: whether it is still one, and whether its holder is
    inside."""

    ticket: Ticket
    is_active: bool
    status: str  # its order's
    last: str | None  # the direction of its last check-in


_TICKET = f"""
    SELECT s.id, s.label, s.section, s."row", r.buyer_name, u.first_name, u.last_name,
        u.username, t.is_active, r.status
    FROM {ReservedSeat._meta.db_table} t
    JOIN {Seat._meta.db_table} s ON s.id = t.seat_id
    JOIN {Reservation._meta.db_table} r ON r.id = t.reservation_id
    LEFT JOIN {User._meta.db_table} u ON u.id = r.user_id
    WHERE t.id = %s AND s.event_id = %s
"""
_LAST = f"""
    SELECT direction FROM {CheckIn._meta.db_table} WHERE ticket_id = %s ORDER BY id DESC LIMIT 1
"""


def _locked(event_id: int, ticket_id: int) -> Locked | None:
    """The ticket under its row lock (SQLite's write transaction serialises instead), then its
    last check-in, in a statement of its own: read in the locking one, it would be of the
    moment before the lock was had, and miss the check-in of the gate that had it."""
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_TICKET + lock, [ticket_id, event_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(_LAST, [ticket_id])
        last = cursor.fetchone()
    ticket = Ticket(ticket_id, _seat(*row[:4]), _name(*row[4:8]))
    return Locked(ticket, bool(row[8]), row[9], last and last[0])


_CHECK_IN, _GATE = CheckIn._meta.db_table, GateCount._meta.db_table
# Both statements on PostgreSQL and SQLite (make run's): no INSERT inside a WITH.
_CHECKED_IN = f"""
    INSERT INTO {_CHECK_IN} (ticket_id, event_id, gate, direction, nonce, scanned_at, at,
        forced, actor_id)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (nonce) DO NOTHING
    RETURNING id
"""
_GATE_COUNTED = f"""
    INSERT INTO {_GATE} (event_id, gate, entered, "left")
    VALUES (%s, %s, %s, %s)
    ON CONFLICT (event_id, gate) DO UPDATE SET entered = {_GATE}.entered + excluded.entered,
        "left" = {_GATE}."left" + excluded."left"
    RETURNING entered, "left"
"""


def _checked_in(
    event_id: int, ticket_id: int, scan: Scan, actor_id: int | None
) -> dict[str, int] | None:
    """The check-in, then one more in or out at its gate, in the ticket's transaction: the
    gate's counts after it. None: a check-in of this nonce came first (the same scan at the
    same instant), and nothing is written. Two gates count on rows of their own; one gate's
    scans take its row in turn."""
    entry, moment = scan.direction == Direction.ENTRY, connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _CHECKED_IN,
            [ticket_id, event_id, scan.gate, scan.direction, scan.nonce, moment(scan.scanned_at)]
            + [moment(timezone.now()), scan.force, actor_id],
        )
        if cursor.fetchone() is None:
            return None
        cursor.execute(_GATE_COUNTED, [event_id, scan.gate, int(entry), int(not entry)])
        entered, left = cursor.fetchone()
    return {"entered": entered, "left": left}


def _facts(event_id: int, code: str) -> TicketFacts | ScanAnswer:
    """The code checked with the keys of the event it names: a genuine ticket of another
    event is told apart from a forged one."""
    try:
        facts = facts_of(code, partial(public_key, event_named(code) or event_id))
    except CodeRefused as refused:
        return ScanAnswer("invalid", said=f"Not a ticket: {refused}.")
    if facts.event_id != event_id:
        return ScanAnswer("wrong_event", said="This ticket is for another event.")
    return facts


def _refusal(locked: Locked, scan: Scan) -> ScanAnswer | None:
    ticket, status = locked.ticket, locked.status
    if status == Reservation.Status.AWAITING_PAYMENT:
        return ScanAnswer("unpaid", ticket, "This order is not paid yet.")
    if not locked.is_active or status != Reservation.Status.CONFIRMED:
        return ScanAnswer("revoked", ticket, "This ticket was cancelled, refunded or reseated.")
    if scan.force:
        return None
    inside = locked.last == Direction.ENTRY
    label = ticket.seat["label"]
    if scan.direction == Direction.ENTRY and inside:
        return ScanAnswer("already_inside", ticket, f"{label} is inside already.")
    if scan.direction == Direction.EXIT and not inside:
        return ScanAnswer("not_inside", ticket, f"{label} is not inside.")
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

"""A ticket scanned at a door (docs/API.md "Tickets"): its code checked, then, under the
ticket's row lock (two gates at one instant: one lets the holder in), whether it is still a
ticket (its seat in a confirmed order), and whether its holder is inside already. A scan that
lets someone in or out is one CheckIn; a refused one writes nothing. A scanner's nonce makes a
retried upload one scan.

Read, decide, write, as booking steps (`scan_steps`) that either path runs (api/operations.py;
with a bearer token, the loop's): the ticket and its last check-in are read under the lock in
SQL, the rules are Python over what was read (`_refuse`), and the check-in and its gate's count
are written in SQL. Through the ORM and Django's request cycle a scan cost ~5 ms of CPU
(BENCHMARKS.md, the door)."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.contrib.auth import get_user_model
from django.utils import timezone

from .. import exceptions
from ..booking.sql import Rank, Statement, Steps
from ..models import Reservation, ReservedSeat, Seat
from ..roles import may_statement, refused_role
from .codes import CodeRefused, TicketFacts, code_of, facts_of, head_of
from .keys import signing_key
from .models import CheckIn, GateCount, TicketKey

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


@dataclass(frozen=True)
class Scanned:
    """A scan that let someone in or out, or one sent again (`gates` empty: nothing written),
    as the door's steps end (a refusal is raised: exceptions.py)."""

    event_id: int
    ticket: Ticket
    gates: dict[str, dict[str, int]]  # the gate's counts after it, for the door's watchers
    changed: tuple = ()  # no seat changes (the booking calls' announcement reads it)


def scan_steps(*, user_id: int, event_id: int, scan: Scan) -> Steps[Scanned]:
    """A scan, on either path (api/operations.py): the scanner's role, the nonce's look-back
    and the key the code names in one round trip; the code's signature; the ticket under its
    row lock (two gates at one instant: one lets the holder in), then its last check-in, in a
    statement of its own (read in the locking one, it would be of the moment before the lock
    was had, and miss the check-in of the gate that had it); the rules (`_refuse`); the
    check-in and its gate's count. Its row locks are PostgreSQL's; SQLite's write
    transactions are serial."""
    named = head_of(scan.code)
    [(allowed, earlier, public)] = yield _first(user_id, event_id, scan.nonce, named)
    refused_role((allowed,), ("scan_tickets",))
    facts = _facts(event_id, scan.code, public)
    if earlier is not None and earlier != facts.ticket_id:  # another scan's nonce: no replay
        raise exceptions.NonceTaken
    if earlier is not None:  # the same scan sent again: its answer, nothing written
        rows = yield Statement(_TICKET, {"ticket_id": earlier, "event_id": event_id})
        return Scanned(event_id, _ticket(earlier, rows[0]), {})
    rows = yield Statement(
        _TICKET,
        {"ticket_id": facts.ticket_id, "event_id": event_id},
        lock_rows=True,
        lock_of="t",
        lock=Rank.BOOKING,
    )
    if not rows:
        raise exceptions.InvalidTicket("No such ticket.")
    ticket = _ticket(facts.ticket_id, rows[0])
    is_active, status, first = rows[0][8:]
    last = yield Statement(_LAST, {"first": first})
    _refuse(ticket, bool(is_active), status, last and last[0][0], scan)
    entry = scan.direction == Direction.ENTRY
    checked_in = yield Statement(
        _CHECKED_IN,
        {"ticket_id": ticket.id, "event_id": event_id, "gate": scan.gate}
        | {"direction": scan.direction, "nonce": scan.nonce, "scanned_at": scan.scanned_at}
        | {"at": timezone.now(), "forced": scan.force, "actor_id": user_id},
        lock=Rank.GATE,  # the nonce's unique index: the same nonce at the same instant waits
    )
    if not checked_in:  # the same nonce at the same instant: one scan, counted by the other
        [(other,)] = yield Statement(_NONCE_TICKET, {"nonce": scan.nonce})
        if other != ticket.id:  # ... unless the other was another ticket's
            raise exceptions.NonceTaken
        return Scanned(event_id, ticket, {})
    [(entered, left)] = yield Statement(
        _GATE_COUNTED,
        {"event_id": event_id, "gate": scan.gate, "entered": int(entry), "left": int(not entry)},
        lock=Rank.GATE,
    )
    return Scanned(event_id, ticket, {scan.gate: {"entered": entered, "left": left}})


def _first(user_id: int, event_id: int, nonce: str, named: tuple[int, int] | None) -> Statement:
    may = may_statement(user_id=user_id, event_id=event_id, codenames=("scan_tickets",))
    named_event, key_id = named or (None, None)
    return Statement(
        f"SELECT ({may.sql}),"
        f" (SELECT ticket_id FROM {_CHECK_IN} WHERE nonce = %(nonce)s),"
        f" (SELECT public_key FROM {TicketKey._meta.db_table}"
        " WHERE event_id = %(named_event)s AND key_id = %(key_id)s)",
        may.params | {"nonce": nonce, "named_event": named_event, "key_id": key_id},
    )


_TICKET = f"""
    SELECT s.id, s.label, s.section, s."row", r.buyer_name, u.first_name, u.last_name,
        u.username, t.is_active, r.status, COALESCE(t.moved_from_id, t.id)
    FROM {ReservedSeat._meta.db_table} t
    JOIN {Seat._meta.db_table} s ON s.id = t.seat_id
    JOIN {Reservation._meta.db_table} r ON r.id = t.reservation_id
    LEFT JOIN {User._meta.db_table} u ON u.id = r.user_id
    WHERE t.id = %(ticket_id)s AND s.event_id = %(event_id)s
"""
_CHECK_IN, _GATE = CheckIn._meta.db_table, GateCount._meta.db_table
_NONCE_TICKET = f"SELECT ticket_id FROM {_CHECK_IN} WHERE nonce = %(nonce)s"
# The holder's last scan, with this ticket or one they had before a reseat (`moved_from`).
_LAST = f"""
    SELECT c.direction FROM {_CHECK_IN} c JOIN {ReservedSeat._meta.db_table} t
        ON t.id = c.ticket_id
    WHERE %(first)s IN (t.id, t.moved_from_id) ORDER BY c.id DESC LIMIT 1
"""
# Both statements on PostgreSQL and SQLite (make run's): no INSERT inside a WITH. Two gates
# count on rows of their own; one gate's scans take its row in turn.
_CHECKED_IN = f"""
    INSERT INTO {_CHECK_IN} (ticket_id, event_id, gate, direction, nonce, scanned_at, at,
        forced, actor_id)
    VALUES (%(ticket_id)s, %(event_id)s, %(gate)s, %(direction)s, %(nonce)s, %(scanned_at)s,
        %(at)s, %(forced)s, %(actor_id)s)
    ON CONFLICT (nonce) DO NOTHING
    RETURNING id
"""
_GATE_COUNTED = f"""
    INSERT INTO {_GATE} (event_id, gate, entered, "left")
    VALUES (%(event_id)s, %(gate)s, %(entered)s, %(left)s)
    ON CONFLICT (event_id, gate) DO UPDATE SET entered = {_GATE}.entered + excluded.entered,
        "left" = {_GATE}."left" + excluded."left"
    RETURNING entered, "left"
"""


def _ticket(ticket_id: int, row: tuple) -> Ticket:
    return Ticket(ticket_id, _seat(*row[:4]), _name(*row[4:8]))


def _facts(event_id: int, code: str, public: bytes | None) -> TicketFacts:
    """The code checked with the key it names of the event it names: a genuine ticket of
    another event is told apart from a forged one."""
    key = Ed25519PublicKey.from_public_bytes(bytes(public)) if public is not None else None
    try:
        facts = facts_of(code, lambda key_id: key)
    except CodeRefused as refused:
        raise exceptions.InvalidTicket(f"Not a ticket: {refused}.") from None
    if facts.event_id != event_id:
        raise exceptions.WrongEvent("This ticket is for another event.")
    return facts


def _refuse(ticket: Ticket, is_active: bool, status: str, last: str | None, scan: Scan) -> None:
    details = {"ticket": ticket.id, "seat": ticket.seat, "name": ticket.name}
    if status == Reservation.Status.AWAITING_PAYMENT:
        raise exceptions.TicketUnpaid("This order is not paid yet.", **details)
    if not is_active or status != Reservation.Status.CONFIRMED:
        said = "This ticket was cancelled, refunded or reseated."
        raise exceptions.TicketRevoked(said, **details)
    if scan.force:
        return
    inside, label = last == Direction.ENTRY, ticket.seat["label"]
    if scan.direction == Direction.ENTRY and inside:
        raise exceptions.AlreadyInside(f"{label} is inside already.", **details)
    if scan.direction == Direction.EXIT and not inside:
        raise exceptions.NotInside(f"{label} is not inside.", **details)


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

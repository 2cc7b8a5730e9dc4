"""One seat as the live map (live_map.py) keeps it: its last change as PROTOCOL.md sends it,
the hold's end, whose it is, and what a snapshot needs beside (label, category)."""

from dataclasses import dataclass
from datetime import datetime

LOCKED = "locked"
PAYING = "paying"  # in an order awaiting payment (API.md "Paying")
RESERVED = "reserved"
OWNED = (LOCKED, PAYING, RESERVED)  # a seat someone has: its owner is kept
IN_AN_ORDER = (PAYING, RESERVED)
AVAILABLE = "available"


@dataclass(slots=True)
class LiveSeat:
    change: dict  # as PROTOCOL.md sends it: id, status, version, locked_until
    deadline: float | None  # the hold's end, epoch seconds
    owner: int | None
    label: str
    category: int | None


def _deadline(change: dict) -> float | None:
    until = change.get("locked_until")
    return datetime.fromisoformat(until).timestamp() if until else None


def live_seat(change: dict, owner: int | None, label: str, category: int | None) -> LiveSeat:
    return LiveSeat(
        change, _deadline(change), owner if change["status"] in OWNED else None, label, category
    )


def changed_between(
    before: dict[int, LiveSeat], after: dict[int, LiveSeat], changed: set[int] | None
) -> set[int] | None:
    """`changed` with the seats a read found otherwise than the map had them (None: other
    seats, or it was None)."""
    if changed is None or before.keys() != after.keys():
        return None
    for seat_id, seat in after.items():
        held = before[seat_id]
        if held.change != seat.change or held.owner != seat.owner:
            changed.add(seat_id)
    return changed

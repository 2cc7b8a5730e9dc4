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


@dataclass(slots=True, frozen=True)
class SeatState:
    """A seat's last change as PROTOCOL.md sends it in a snapshot (orjson writes it as the object
    of these fields, in this order). Kept instead of the relayed dict: a third of its bytes, on
    every seat of every map a process holds."""

    id: int
    status: str
    version: int
    locked_until: str | None


@dataclass(slots=True)
class LiveSeat:
    state: SeatState
    deadline: float | None  # the hold's end, epoch seconds
    owner: int | None
    label: str
    category: int | None


def _deadline(change: dict) -> float | None:
    until = change.get("locked_until")
    return datetime.fromisoformat(until).timestamp() if until else None


def live_seat(change: dict, owner: int | None, label: str, category: int | None) -> LiveSeat:
    state = SeatState(change["id"], change["status"], change["version"], change["locked_until"])
    owned = owner if state.status in OWNED else None
    return LiveSeat(state, _deadline(change), owned, label, category)


def changed_between(
    before: dict[int, LiveSeat], after: dict[int, LiveSeat], changed: set[int] | None
) -> set[int] | None:
    """`changed` with the seats a read found otherwise than the map had them (None: other
    seats, or it was None)."""
    if changed is None or before.keys() != after.keys():
        return None
    for seat_id, seat in after.items():
        held = before[seat_id]
        if held.state != seat.state or held.owner != seat.owner:
            changed.add(seat_id)
    return changed

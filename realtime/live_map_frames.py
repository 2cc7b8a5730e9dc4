"""What a live map (live_map.py) is written as: the `snapshot` and `state` frames (PROTOCOL.md)
and `state/`'s body (API.md), each from the map as it stands at `now` (a hold that has ended
shows as available)."""

from typing import TYPE_CHECKING

import orjson

from reservations.rules import effective_status

from .frames import Encoded, encoded, encoded_text
from .live_map_seat import AVAILABLE, LOCKED, RESERVED, LiveSeat
from .protocol import snapshot_frame

if TYPE_CHECKING:
    from .live_map import LiveMap

_LETTER = {AVAILABLE: "a", LOCKED: "l", RESERVED: "r"}  # state/'s `status` (API.md)


def snapshot_frame_of(live: "LiveMap", now: float) -> Encoded:
    seats = [_public(seat, now) for seat in live.seats.values()]
    message = snapshot_frame(event_id=live.event_id, seq=live.seq, epoch=live.epoch, seats=seats)
    return encoded(message)


def state_frame_of(live: "LiveMap", now: float) -> Encoded:
    return encoded_text('{"type":"state",' + state_body_of(live, now).decode()[1:])


def state_body_of(live: "LiveMap", now: float) -> bytes:
    letters, versions, until = [], [], {}
    for seat_id, seat in live.seats.items():
        change = seat.change
        status = effective_status(change["status"], seat.deadline, now)
        if status == LOCKED:
            until[str(seat_id)] = change["locked_until"]
        letters.append(_LETTER[status])
        versions.append(change["version"])
    return orjson.dumps(
        {
            "event_id": live.event_id,
            "epoch": live.epoch,
            "seq": live.seq,
            "seats_total": len(versions),
            "status": "".join(letters),
            "version": versions,
            "locked_until": until,
        }
    )


def _public(seat: LiveSeat, now: float) -> dict:
    change = seat.change
    if effective_status(change["status"], seat.deadline, now) != change["status"]:  # ended
        return {**change, "status": AVAILABLE, "locked_until": None}
    return change

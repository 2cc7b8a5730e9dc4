"""The wire protocol of docs/PROTOCOL.md, in one place: every frame a socket carries and every
close code, each built here and nowhere else.

`protocol.schema.json` beside this module states the same frames as a JSON Schema; the tests
validate every frame a socket receives against it (realtime/tests/conftest.py), the React
client's frame types are generated from it (frontend/src/lib/protocol.ts) and the load tester
takes its close codes from here. It needs no Django: the load client imports it.
"""

import json
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from reservations.wire_values import iso

if TYPE_CHECKING:
    import jsonschema

# A seat's state as one letter in a `state` frame and `state/`'s `status` (API.md), and back.
STATE_LETTER = {"available": "a", "locked": "l", "paying": "p", "reserved": "r"}
STATE_OF_LETTER = {letter: state for state, letter in STATE_LETTER.items()}

SCHEMA_PATH = Path(__file__).with_name("protocol.schema.json")


class CloseCode(IntEnum):
    """Why the server closed a socket (PROTOCOL.md "Closing"). ASGI servers take only 1000 and
    3000-4999 from an application, so HTTP's statuses are written as 4xxx."""

    UNKNOWN_EVENT = 4404  # the event does not exist: stop
    TOO_SLOW = 4408  # the socket's outbox overflowed or did not drain: reconnect, resync
    TOO_MANY = 4429  # a flood of frames, or too many sockets from one address
    LAYER_DOWN = 4503  # the live feed broke or the seat map could not be read
    # Closes the server (not the application) makes:
    TOO_BIG = 1009  # a frame over MAX_CLIENT_FRAME_BYTES
    NO_PONG = 1011  # no answer to the keepalive ping


LOCKED = "locked"

# A client's frame over this many bytes is refused before it is read (the server closes 1009).
MAX_CLIENT_FRAME_BYTES = 4096


def seat_change(seat_id: int, status: str, version: int, until: datetime | None) -> dict:
    """One seat's state in a `snapshot` or a `seats` frame: what a transaction just wrote."""
    return {
        "id": seat_id,
        "status": status,
        "version": version,
        "locked_until": iso(until) if status == LOCKED else None,
    }


def snapshot_frame(*, event_id: int, seq: int, epoch: str, seats: list[dict]) -> dict:
    return {"type": "snapshot", "event_id": event_id, "seq": seq, "epoch": epoch, "seats": seats}


def seats_frame(
    *, event_id: int, seq: int, first_seq: int, epoch: str, ts: int, changes: list[dict]
) -> dict:
    return {
        "type": "seats",
        "event_id": event_id,
        "seq": seq,
        "first_seq": first_seq,
        "epoch": epoch,
        "ts": ts,
        "changes": changes,
    }


def resumed_frame(*, event_id: int, epoch: str, seq: int) -> dict:
    return {"type": "resumed", "event_id": event_id, "epoch": epoch, "seq": seq}


def own_frame(*, event_id: int, epoch: str, seq: int, seats: list[dict], booked: list[int]) -> dict:
    """The seats of the socket's account (PROTOCOL.md "Your own seats"): `holds/`'s answer, as
    the stream stands at `(epoch, seq)`."""
    return {
        "type": "own",
        "event_id": event_id,
        "epoch": epoch,
        "seq": seq,
        "seats": seats,
        "booked": booked,
    }


def presence_frame(*, event_id: int, watchers: int) -> dict:
    return {"type": "presence", "event_id": event_id, "watchers": watchers}


def queue_frame(state: dict) -> dict:
    """The waiting room's public state (PROTOCOL.md "Waiting room"): `GET .../queue/` without
    `place`, as reservations/waiting_room/public_state.py builds it."""
    return {"type": "queue", **state}


def place_frame(*, event_id: int, entry_id: str, number: int | None, late: bool) -> dict:
    return {
        "type": "place",
        "event_id": event_id,
        "entry_id": entry_id,
        "number": number,
        "late": late,
    }


PONG = {"type": "pong"}
# The account socket's one frame (PROTOCOL.md "Your bookings"): read your bookings again.
BOOKINGS = {"type": "bookings"}
INVALID = {"type": "error", "code": "invalid"}
NOT_AUTHENTICATED = {"type": "error", "code": "not_authenticated"}
QUEUE_TURN_REQUIRED = {"type": "error", "code": "queue_turn_required"}
QUEUE_TURN_EXPIRED = {"type": "error", "code": "queue_turn_expired"}

# An access token is a few hundred bytes; anything longer is not one.
MAX_TOKEN_CHARS = 2048


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validator(definition: str = "ServerFrame") -> "jsonschema.Draft202012Validator":
    """A validator of one definition of the schema (`ServerFrame`: any frame a socket gets),
    for the tests: jsonschema is not imported by the server, whose start it made 40 ms dearer."""
    import jsonschema

    return jsonschema.Draft202012Validator({**schema(), "$ref": f"#/$defs/{definition}"})

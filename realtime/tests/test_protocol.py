"""The wire protocol (realtime/protocol.py): each frame as PROTOCOL.md and its schema say."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from realtime import protocol
from realtime.protocol import CloseCode

ROOT = Path(__file__).resolve().parents[2]


HELD = protocol.seat_change(5, "locked", 3, datetime(2026, 12, 22, 10, 5, tzinfo=UTC))
FREED = protocol.seat_change(5, "available", 4, None)

FRAMES = [
    ("SnapshotFrame", protocol.snapshot_frame(event_id=1, seq=120, epoch="k3f9", seats=[HELD])),
    (
        "SeatsFrame",
        protocol.seats_frame(
            event_id=1, seq=124, first_seq=121, epoch="k3f9", ts=1, changes=[FREED]
        ),
    ),
    ("ResumedFrame", protocol.resumed_frame(event_id=1, epoch="k3f9", seq=120)),
    ("PresenceFrame", protocol.presence_frame(event_id=1, watchers=1843)),
    ("PongFrame", protocol.PONG),
    ("BookingsFrame", protocol.BOOKINGS),
    ("ErrorFrame", protocol.INVALID),
]


@pytest.mark.parametrize("definition, frame", FRAMES, ids=[d for d, _ in FRAMES])
def test_every_frame_the_server_builds_is_one_its_schema_allows(definition, frame):
    protocol.validator(definition).validate(frame)
    protocol.validator("ServerFrame").validate(frame)


def test_a_held_seat_tells_until_when_and_a_free_one_does_not():
    assert HELD["locked_until"] == "2026-12-22T10:05:00Z"
    assert FREED["locked_until"] is None


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "seats", "event_id": 1, "seq": 1, "epoch": "e", "changes": []},  # no change
        {"type": "snapshot", "event_id": 1, "seq": 1, "epoch": "e", "seats": [{"id": 1}]},
        {"type": "presence", "event_id": 1, "watchers": -1},
        {"type": "pong", "extra": True},
        {"type": "welcome"},
    ],
)
def test_the_schema_refuses_a_frame_the_protocol_does_not_have(frame):
    assert not protocol.validator("ServerFrame").is_valid(frame)


def test_the_close_codes_are_the_schemas_and_protocol_mds():
    names = protocol.schema()["$defs"]["CloseCode"]["x-names"]
    assert names == {code.name: code.value for code in CloseCode}
    table = (ROOT / "docs" / "PROTOCOL.md").read_text().split("## Closing", 1)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d{4}) \|", table, re.MULTILINE)}
    assert documented == set(CloseCode)


def test_the_seat_states_are_the_models_and_the_schemas():
    from reservations.models import Seat

    statuses = protocol.schema()["$defs"]["SeatStatus"]["enum"]
    assert set(Seat.Status.values) == set(statuses)
    assert Seat.Status.LOCKED == protocol.LOCKED


def test_the_client_frame_types_are_the_schemas():
    from realtime.watcher_session import Answer, WatcherSession

    client = protocol.schema()["$defs"]["ClientFrame"]["properties"]["type"]["enum"]
    session = WatcherSession(0.0, max_frame_bytes=4096)
    kinds = [*client, "pong", "hello"]
    answers = {k: session.frame_in(f'{{"type": "{k}", "token": "t"}}', 0.0) for k in kinds}
    assert [k for k, answer in answers.items() if answer is not Answer.INVALID] == client

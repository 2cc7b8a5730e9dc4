"""`python -m realtime.watch`'s lines: every frame of PROTOCOL.md in words, none as raw JSON
(issue 42: presence frames were printed raw)."""

from realtime.watch import line_of

NOW = 2_000_000_000_000_000_000


def test_presence_and_the_waiting_rooms_frames_read_as_words():
    assert line_of({"type": "presence", "event_id": 1, "watchers": 1843}, NOW) == (
        "presence: 1843 watching"
    )
    queue = {"type": "queue", "state": "admitting", "serving": 12, "entrants": 500}
    assert line_of(queue | {"seats_left": 88}, NOW) == (
        "queue: admitting, serving 12 of 500, 88 seats left"
    )
    own = {"type": "own", "seats": [{"id": 6, "locked_until": "x"}], "booked": [9, 10]}
    assert line_of(own, NOW) == "own: holding 1, booked 2"
    assert line_of({"type": "error", "code": "invalid"}, NOW) == "error: invalid"


def test_seats_say_their_changes_and_their_push_latency():
    frame = {
        "type": "seats",
        "seq": 124,
        "ts": NOW - 2_500_000,
        "changes": [{"id": 5, "status": "locked", "version": 3}],
    }
    assert line_of(frame, NOW) == "seats seq=124 +2.5 ms  5:locked@v3"
    compact = {"type": "state", "seq": 1, "epoch": "k3", "status": "aal", "version": [1, 1, 2]}
    assert line_of(compact, NOW) == "snapshot seq=1 epoch=k3 {'available': 2, 'locked': 1}"

"""The load tester's memory-light seat model keeps PROTOCOL.md's version rule, and its watchers
the `seq` rule, frames that cover a range of seqs included."""

import asyncio

import orjson

from loadtest.stats import Recorder
from loadtest.watchers import SeatModel, Watcher, frame_step


def test_a_change_applies_only_above_the_version_held():
    model = SeatModel()
    model.reset({1: ("available", 0)})
    assert model.apply(1, "locked", 1)
    assert not model.apply(1, "available", 0)
    assert model.as_dict() == {1: ("locked", 1)}


def test_a_snapshot_older_than_what_was_seen_does_not_turn_seats_back():
    model = SeatModel()
    model.reset({1: ("available", 0), 2: ("available", 0)})
    model.apply(1, "locked", 1)
    model.apply(2, "locked", 1)
    model.reset({1: ("available", 0), 2: ("reserved", 2)})  # read before seat 1's change
    assert model.as_dict() == {1: ("locked", 1), 2: ("reserved", 2)}


# --- the stream: seq, first_seq and epoch (PROTOCOL.md "Ordering and gaps") ------------------
# The server coalesces an event's changes into one `seats` frame covering the transactions
# `first_seq` to `seq`; a frame without `first_seq` is one transaction.


def test_a_merged_frame_that_starts_right_after_the_last_seq_is_next_not_a_gap():
    assert frame_step(120, "k3f9", seq=125, first_seq=121, epoch="k3f9") == "next"


def test_a_merged_frame_reaching_back_over_seqs_already_seen_is_next_not_a_gap():
    assert frame_step(123, "k3f9", seq=125, first_seq=121, epoch="k3f9") == "next"


def test_a_merged_frame_that_starts_beyond_the_next_seq_is_a_gap():
    assert frame_step(120, "k3f9", seq=125, first_seq=122, epoch="k3f9") == "gap"


def test_a_frame_ending_at_or_before_the_last_seq_is_a_duplicate():
    assert frame_step(125, "k3f9", seq=125, first_seq=121, epoch="k3f9") == "duplicate"
    assert frame_step(125, "k3f9", seq=124, first_seq=124, epoch="k3f9") == "duplicate"


def test_one_transaction_frames_keep_their_rule():
    assert frame_step(120, "k3f9", seq=121, first_seq=121, epoch="k3f9") == "next"
    assert frame_step(120, "k3f9", seq=122, first_seq=122, epoch="k3f9") == "gap"


def test_a_new_epoch_asks_for_a_snapshot_whatever_the_seq():
    assert frame_step(120, "k3f9", seq=121, first_seq=121, epoch="x7") == "epoch"


class _Socket:
    """What a watcher sends (a snapshot request on a gap)."""

    def __init__(self):
        self.sent: list[str] = []

    def send_text(self, text: str) -> None:
        self.sent.append(text)


def _frame(**fields) -> str:
    return orjson.dumps(
        {"type": "seats", "event_id": 1, "epoch": "k3f9", "ts": 1, **fields}
    ).decode()


def _change(seat_id: int, status: str, version: int) -> dict:
    return {"id": seat_id, "status": status, "version": version, "locked_until": None}


async def test_a_watcher_applies_merged_frames_drops_duplicates_by_seq_and_resyncs_on_a_gap():
    rec = Recorder()
    watcher = Watcher(0, "ws://unused/", "http://unused", rec, session=None, seat_ids=[1, 2, 3])
    watcher._ws = socket = _Socket()
    watcher.on_snapshot(
        120, "k3f9", {1: ("available", 0), 2: ("available", 0), 3: ("available", 0)}
    )

    # 121..125 in one frame, right after the snapshot: applied, the last seq is 125.
    watcher.on_frame(_frame(seq=125, first_seq=121, changes=[_change(1, "locked", 1)]))
    # An old-style frame (no first_seq) that follows: still one transaction.
    watcher.on_frame(_frame(seq=126, changes=[_change(2, "locked", 1)]))
    # 124..127 reaches back over what was seen: not a gap.
    watcher.on_frame(_frame(seq=127, first_seq=124, changes=[_change(1, "reserved", 2)]))
    assert watcher.seq == 127 and rec.resyncs == {} and rec.duplicates == 0

    # A duplicate by seq is dropped, but a change it carries that is newer is kept by version.
    watcher.on_frame(_frame(seq=126, first_seq=125, changes=[_change(3, "locked", 1)]))
    assert rec.duplicates == 1 and watcher.seq == 127
    assert watcher.model.as_dict()[3] == ("locked", 1)

    # 129..131 after 127: seq 128 is missing, so the watcher asks for a snapshot.
    watcher.on_frame(_frame(seq=131, first_seq=129, changes=[_change(2, "available", 2)]))
    await asyncio.sleep(0)
    assert rec.resyncs == {"gap": 1} and socket.sent == ['{"type":"snapshot"}']
    assert watcher.model.as_dict() == {1: ("reserved", 2), 2: ("available", 2), 3: ("locked", 1)}

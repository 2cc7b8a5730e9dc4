"""The client model: late, repeated, reordered and lost messages never show an older state."""

import itertools
import random

from realtime.tests.seat_model import SeatModel


def snapshot(seq=0, epoch="e1"):
    return {
        "type": "snapshot",
        "seq": seq,
        "epoch": epoch,
        "seats": [{"id": 1, "status": "available", "version": 0, "locked_until": None}],
    }


def change(seq, version, status, seat_id=1, epoch="e1"):
    return {
        "type": "seats",
        "seq": seq,
        "epoch": epoch,
        "changes": [{"id": seat_id, "status": status, "version": version, "locked_until": None}],
    }


HISTORY = [
    change(1, 1, "locked"),
    change(2, 2, "available"),
    change(3, 3, "locked"),
    change(4, 4, "reserved"),
]


def test_changes_in_order_end_in_the_last_state():
    model = SeatModel()
    model.apply(snapshot())
    assert all(model.apply(m) for m in HISTORY)
    assert model.as_dict() == {1: ("reserved", 4)} and model.seq == 4
    assert not model.needs_snapshot


def test_every_ordering_of_one_seats_changes_never_shows_an_older_state():
    for order in itertools.permutations(HISTORY):
        model = SeatModel()
        model.apply(snapshot())
        seen_versions = []
        for message in order:
            model.apply(message)
            seen_versions.append(model.seats[1].version)
        assert seen_versions == sorted(seen_versions), order
        assert model.as_dict() == {1: ("reserved", 4)}


def test_a_duplicate_is_dropped():
    model = SeatModel()
    model.apply(snapshot())
    model.apply(HISTORY[0])
    model.apply(HISTORY[1])
    assert model.apply(HISTORY[0]) is True
    assert model.as_dict() == {1: ("available", 2)} and model.seq == 2


def test_a_gap_asks_for_a_snapshot():
    model = SeatModel()
    model.apply(snapshot())
    model.apply(HISTORY[0])
    assert model.apply(HISTORY[2]) is False
    assert model.needs_snapshot
    model.apply({**snapshot(seq=4), "seats": [{"id": 1, "status": "reserved", "version": 4}]})
    assert not model.needs_snapshot and model.as_dict() == {1: ("reserved", 4)}


def test_a_new_epoch_asks_for_a_snapshot_whatever_the_seq():
    model = SeatModel()
    model.apply(snapshot(seq=10))
    assert model.apply(change(11, 1, "locked", epoch="e2")) is False
    assert model.needs_snapshot


def test_a_snapshot_older_than_the_model_does_not_turn_seats_back():
    model = SeatModel()
    model.apply(snapshot())
    for message in HISTORY:
        model.apply(message)
    model.apply(snapshot(seq=1))  # a slow snapshot, read before the last changes
    assert model.as_dict() == {1: ("reserved", 4)}


def test_random_delivery_with_loss_and_resync_converges():
    rng = random.Random(7)
    for _ in range(200):
        delivered = [m for m in HISTORY if rng.random() > 0.3]
        delivered += rng.sample(HISTORY, 2)
        rng.shuffle(delivered)
        model = SeatModel()
        model.apply(snapshot())
        last = 0
        for message in delivered:
            model.apply(message)
            assert model.seats[1].version >= last
            last = model.seats[1].version
        if model.needs_snapshot or model.seq < 4:
            model.apply(
                {**snapshot(seq=4), "seats": [{"id": 1, "status": "reserved", "version": 4}]}
            )
        assert model.as_dict() == {1: ("reserved", 4)}

"""The load tester's memory-light seat model keeps PROTOCOL.md's version rule."""

from loadtest.watchers import SeatModel


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

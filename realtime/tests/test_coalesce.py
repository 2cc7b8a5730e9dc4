"""Merging an event's frames (realtime/coalesce.py) is exact: a client that applies the merged
frames by PROTOCOL.md's rules ends where it would have ended frame by frame, sees every gap it
would have seen, and never a gap that is not there."""

from hypothesis import given, settings
from hypothesis import strategies as st

from realtime.coalesce import Coalescer
from realtime.tests.seat_model import SeatModel

SEATS = range(1, 6)


@st.composite
def transactions(draw):
    """Committed transactions 1..n, each changing some seats, each seat's version +1."""
    versions = dict.fromkeys(SEATS, 0)
    committed = []
    for seq in range(1, draw(st.integers(1, 30)) + 1):
        changed = draw(st.sets(st.sampled_from(list(SEATS)), min_size=1, max_size=3))
        changes = []
        for seat_id in sorted(changed):
            versions[seat_id] += 1
            status = draw(st.sampled_from(["available", "locked", "reserved"]))
            changes.append({"id": seat_id, "status": status, "version": versions[seat_id]})
        committed.append((seq, changes))
    return committed


def merged(frames, flush_after):
    """The frames through a Coalescer, its window ending after the marked ones."""
    coalescer, sent = Coalescer(), []
    for (seq, changes), flush in zip(frames, flush_after, strict=True):
        finished = coalescer.add(seq, "e1", seq * 10, changes)
        if finished is not None:
            sent.append(finished)
        if flush:
            sent.append(coalescer.take())
    if (last := coalescer.take()) is not None:
        sent.append(last)
    return [run.message(event_id=1) for run in sent]


def client_after(messages):
    model = SeatModel()
    model.apply_snapshot(
        {
            "epoch": "e1",
            "seq": 0,
            "seats": [{"id": s, "status": "available", "version": 0} for s in SEATS],
        }
    )
    for message in messages:
        model.apply_seats(message)
    return model


def truth(frames):
    state = {}
    for _, changes in frames:
        for change in changes:
            state[change["id"]] = (change["status"], change["version"])
    return state


@settings(max_examples=300, deadline=None)
@given(data=st.data(), committed=transactions())
def test_merged_frames_leave_the_client_where_single_frames_would(data, committed):
    flush_after = data.draw(
        st.lists(st.booleans(), min_size=len(committed), max_size=len(committed))
    )
    messages = merged(committed, flush_after)

    model = client_after(messages)

    assert not model.needs_snapshot
    assert model.seq == len(committed)
    assert {i: s for i, s in model.as_dict().items() if s[1]} == truth(committed)
    assert len(messages) <= sum(flush_after) + 1


@settings(max_examples=300, deadline=None)
@given(data=st.data(), committed=transactions())
def test_a_lost_frame_is_a_gap_the_client_sees(data, committed):
    lost = data.draw(st.sets(st.integers(1, len(committed))))
    delivered = [frame for frame in committed if frame[0] not in lost]
    flush_after = data.draw(
        st.lists(st.booleans(), min_size=len(delivered), max_size=len(delivered))
    )
    messages = merged(delivered, flush_after)

    for message in messages:  # a merged frame claims only seqs it was given
        claimed = set(range(message["first_seq"], message["seq"] + 1))
        assert not claimed & lost
    model = client_after(messages)

    last_delivered = max((seq for seq, _ in delivered), default=0)
    assert model.needs_snapshot == any(seq < last_delivered for seq in lost)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), committed=transactions())
def test_a_late_frame_merged_by_version_never_turns_a_seat_back(data, committed):
    """reorder.py gives up on a missing frame after 50 ms; when it comes after all, it is
    merged into whatever run is pending, and only its newer versions count."""
    late = data.draw(st.integers(1, len(committed)))
    arrival = [f for f in committed if f[0] != late]
    arrival.insert(data.draw(st.integers(late - 1, len(arrival))), committed[late - 1])
    flush_after = data.draw(st.lists(st.booleans(), min_size=len(arrival), max_size=len(arrival)))

    messages = merged(arrival, flush_after)
    model = client_after(messages)

    sent = {}
    for message in messages:
        for change in message["changes"]:
            sent[change["id"]] = max(sent.get(change["id"], 0), change["version"])
    assert sent == {seat_id: version for seat_id, (_, version) in truth(committed).items()}
    if not model.needs_snapshot:
        assert {i: s for i, s in model.as_dict().items() if s[1]} == truth(committed)


def test_a_seat_changed_twice_in_the_window_is_sent_once_at_its_last_version():
    coalescer = Coalescer()
    coalescer.add(5, "e1", 50, [{"id": 1, "status": "locked", "version": 3}])
    coalescer.add(6, "e1", 60, [{"id": 1, "status": "available", "version": 4}])
    coalescer.add(7, "e1", 70, [{"id": 2, "status": "locked", "version": 1}])

    message = coalescer.take().message(event_id=9)

    assert message == {
        "type": "seats",
        "event_id": 9,
        "seq": 7,
        "first_seq": 5,
        "epoch": "e1",
        "ts": 50,  # the oldest commit: push latency counts the window
        "changes": [
            {"id": 1, "status": "available", "version": 4},
            {"id": 2, "status": "locked", "version": 1},
        ],
    }


def test_a_new_epoch_sends_the_old_run_first_and_starts_a_new_one():
    coalescer = Coalescer()
    coalescer.add(5, "e1", 50, [{"id": 1, "status": "locked", "version": 3}])

    finished = coalescer.add(1, "e2", 60, [{"id": 1, "status": "available", "version": 4}])

    assert (finished.epoch, finished.first_seq, finished.seq) == ("e1", 5, 5)
    pending = coalescer.take()
    assert (pending.epoch, pending.first_seq, pending.seq) == ("e2", 1, 1)

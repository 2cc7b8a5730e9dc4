"""One socket's rules (realtime/watcher_session.py), without a socket: the clock is passed."""

import pytest

from realtime.watcher_session import (
    FLOOD_BURST,
    FLOOD_RATE,
    SNAPSHOT_INTERVAL,
    Answer,
    WatcherSession,
)


def session(now=0.0) -> WatcherSession[str]:
    return WatcherSession(now, max_frame_bytes=4096)


def connected(now=0.0) -> WatcherSession[str]:
    """A session whose first snapshot, at seq 10 of epoch "e", is sent."""
    watcher = session(now)
    watcher.snapshot_reading(now)
    watcher.snapshot_read("e", 10)
    return watcher


@pytest.mark.parametrize(
    "frame, answer",
    [
        ('{"type": "ping"}', Answer.PONG),
        (b'{"type": "ping"}', Answer.PONG),
        ('{"type": "snapshot"}', Answer.SNAPSHOT),
        ('{"type": "lock"}', Answer.INVALID),
        ("[1, 2]", Answer.INVALID),
        ("not json", Answer.INVALID),
        ('{"type": "ping", "pad": "' + "x" * 5000 + '"}', Answer.CLOSE_TOO_BIG),
    ],
)
def test_each_client_frame_gets_its_answer(frame, answer):
    assert connected().frame_in(frame, 0.0) == answer


def test_a_burst_passes_a_flood_closes_and_the_bucket_refills():
    watcher = connected()
    answers = [watcher.frame_in('{"type": "ping"}', 0.0) for _ in range(int(FLOOD_BURST) + 1)]
    assert answers[:-1] == [Answer.PONG] * int(FLOOD_BURST)
    assert answers[-1] == Answer.CLOSE_TOO_MANY

    later = connected()
    for _ in range(int(FLOOD_BURST)):
        later.frame_in('{"type": "ping"}', 0.0)
    one_second = [later.frame_in('{"type": "ping"}', 1.0) for _ in range(int(FLOOD_RATE))]
    assert one_second == [Answer.PONG] * int(FLOOD_RATE)


def test_snapshots_are_rationed_and_requests_in_the_window_share_one():
    watcher = connected(now=0.0)
    assert watcher.snapshot_wait(0.5) == pytest.approx(SNAPSHOT_INTERVAL - 0.5)
    assert watcher.snapshot_wait(0.6) is None  # the one due answers this request too
    watcher.snapshot_reading(SNAPSHOT_INTERVAL)
    assert watcher.snapshot_wait(SNAPSHOT_INTERVAL + 0.1) is None  # one is being read
    watcher.snapshot_read("e", 12)
    assert watcher.snapshot_wait(2 * SNAPSHOT_INTERVAL) == 0  # the ration allows it now


def test_frames_that_come_while_a_snapshot_is_read_wait_for_it():
    watcher = session()
    watcher.snapshot_reading(0.0)
    assert watcher.relayed("seats 11", 11, "e") is False
    assert watcher.presence_now() is False
    assert watcher.snapshot_read("e", 10) == [("seats 11", 11, "e")]
    assert watcher.presence_now() is True


def test_a_frame_the_snapshot_holds_already_is_not_sent_again():
    watcher = connected()
    assert [watcher.relayed(f"seats {seq}", seq, "e") for seq in (9, 10, 11)] == [
        False,
        False,
        True,
    ]
    assert watcher.relayed("seats 3", 3, "a new epoch") is True


def test_a_resumed_socket_goes_on_from_the_last_frame_sent_since():
    watcher = session()
    sent_since, pending = watcher.resumed("e", 10, [("seats 11", 11, "e"), ("seats 12", 12, "e")])
    assert (sent_since, pending) == (["seats 11", "seats 12"], [])
    assert watcher.relayed("seats 12", 12, "e") is False
    assert watcher.relayed("seats 13", 13, "e") is True

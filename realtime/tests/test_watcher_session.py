"""One socket's rules (realtime/watcher_session.py), without a socket: the clock is passed."""

import pytest

from realtime.watcher_session import (
    FLOOD_BURST,
    FLOOD_RATE,
    SNAPSHOT_INTERVAL,
    Answer,
    WatcherSession,
)


def connected(now=0.0) -> WatcherSession:
    """A session whose first snapshot is sent."""
    watcher = WatcherSession(now, max_frame_bytes=4096)
    watcher.snapshot_reading(now)
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
    assert watcher.snapshot_wait(0.5, reading=False) == pytest.approx(SNAPSHOT_INTERVAL - 0.5)
    assert watcher.snapshot_wait(0.6, reading=False) is None  # the one due answers this too
    watcher.snapshot_reading(SNAPSHOT_INTERVAL)
    assert watcher.snapshot_wait(SNAPSHOT_INTERVAL + 0.1, reading=True) is None  # being read
    assert watcher.snapshot_wait(2 * SNAPSHOT_INTERVAL, reading=False) == 0  # the ration allows

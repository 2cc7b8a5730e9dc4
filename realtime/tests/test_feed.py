"""An event's feed (realtime/feed.py): one encoding of a frame for every socket, frames in
order, and a fan-out to thousands that lets a click run between its slices."""

import asyncio

from harness.waiting import until
from realtime import feed as feed_module
from realtime.feed import EventFeed


class Socket:
    def __init__(self, log, keeps_up=True):
        self.log = log
        self.got = []
        self.keeps_up = keeps_up

    def deliver(self, frame, seq, epoch):
        self.got.append((frame, seq, epoch))
        self.log.append("delivery")
        return self.keeps_up


def a_feed(sockets, window=0.0):
    return EventFeed(7, lambda: sockets, lambda s: s.log.append("too slow"), lambda: window)


def change(seat_id, version, status="locked"):
    return {"id": seat_id, "status": status, "version": version, "locked_until": None}


def test_every_socket_gets_the_same_encoded_frame_bytes():
    async def scenario():
        sockets = [Socket([]) for _ in range(1000)]
        feed = a_feed(sockets)
        feed.add(1, "e1", 10, [change(5, 1)])
        await until(lambda: all(s.got for s in sockets))
        return sockets

    sockets = asyncio.run(scenario())

    frames = {id(frame) for s in sockets for frame, _, _ in s.got}
    assert len(frames) == 1  # one object, built once: its `wire` bytes go to every transport
    ((frame, seq, epoch),) = sockets[0].got
    assert (seq, epoch) == (1, "e1")
    assert frame.wire[:1] == b"\x81"  # FIN + text, unmasked: a server's frame (RFC 6455 5.2)
    assert frame.wire.endswith(frame.text.encode())


def test_a_socket_that_cannot_keep_up_is_handed_to_the_hub_and_the_others_still_get_the_frame():
    async def scenario():
        log = []
        sockets = [Socket(log), Socket(log, keeps_up=False), Socket(log)]
        feed = a_feed(sockets)
        feed.add(1, "e1", 10, [change(5, 1)])
        await until(lambda: len(log) == 4)
        return log

    assert asyncio.run(scenario()) == ["delivery", "delivery", "too slow", "delivery"]


def test_a_click_runs_between_the_slices_of_a_fan_out_to_thousands():
    """The fan-out of one frame to 20,000 sockets is ~80 slices; a click that becomes ready
    when it starts is answered after the first slice, not after the last delivery.

    Negative control: with FANOUT_SLICE above the number of sockets (one slice, no yield),
    the click runs only after all 20,000 deliveries (seen)."""

    async def scenario():
        log = []
        sockets = [Socket(log) for _ in range(20_000)]
        feed = a_feed(sockets)
        clicked = asyncio.Event()

        async def click():
            await clicked.wait()
            log.append("click answered")

        waiting = asyncio.ensure_future(click())
        await asyncio.sleep(0)
        feed.add(1, "e1", 10, [change(5, 1)])
        clicked.set()  # the click's answer is ready as the fan-out begins
        await until(lambda: log.count("delivery") == 20_000)
        await waiting
        return log

    log = asyncio.run(scenario())

    assert log.count("delivery") == 20_000
    assert log.index("click answered") <= 1_000  # after the first slice or so, of 20,000


def test_frames_of_one_event_reach_each_socket_in_order_while_fan_outs_overlap(monkeypatch):
    monkeypatch.setattr(feed_module, "FANOUT_SLICE", 7)

    async def scenario():
        sockets = [Socket([]) for _ in range(50)]
        feed = a_feed(sockets)
        for seq in range(1, 21):  # each flushed at once (window 0): fan-outs queue up
            feed.add(seq, "e1", seq, [change(seq, 1)])
        await until(lambda: all(len(s.got) == 20 for s in sockets))
        return sockets

    sockets = asyncio.run(scenario())

    assert all([seq for _, seq, _ in s.got] == list(range(1, 21)) for s in sockets)


def test_a_change_after_a_quiet_moment_goes_out_at_once_and_the_rest_at_the_windows_end():
    async def scenario():
        sockets = [Socket([])]
        feed = a_feed(sockets, window=0.05)
        feed.add(1, "e1", 10, [change(5, 1)])
        await asyncio.sleep(0.01)
        at_once = [seq for _, seq, _ in sockets[0].got]
        feed.add(2, "e1", 11, [change(5, 2, "available")])
        feed.add(3, "e1", 12, [change(6, 1)])
        await asyncio.sleep(0.01)
        within = [seq for _, seq, _ in sockets[0].got]
        await asyncio.sleep(0.1)
        return at_once, within, sockets[0].got

    at_once, within, got = asyncio.run(scenario())

    assert at_once == [1]  # no wait when nothing else is going on
    assert within == [1]  # the rest waits for the window
    (_, first, _), (merged, last, _) = got
    assert (first, last) == (1, 3)
    assert '"first_seq":2' in merged.text and '"seq":3' in merged.text


def test_a_socket_that_resumes_gets_what_was_sent_after_its_position():
    async def scenario():
        feed = a_feed([])
        for seq in (1, 2, 3):
            feed.add(seq, "e1", seq, [change(seq, 1)])
        await asyncio.sleep(0.01)
        return feed

    feed = asyncio.run(scenario())

    assert [seq for _, seq, _ in feed.since("e1", 1)] == [2, 3]
    assert feed.since("e1", 3) == []
    assert feed.since("e1", -1) is None  # from before the first frame it has
    assert feed.since("e2", 2) is None


def test_the_window_keeps_an_events_deliveries_within_the_budget(settings):
    from realtime.feed import coalescing_window

    settings.WS_COALESCE_SECONDS = 0.1
    settings.WS_FANOUT_DELIVERIES_PER_SECOND = 20_000

    assert coalescing_window(10) == 10 / 20_000  # a few watchers: every change at once
    assert coalescing_window(1_000) == 0.05  # 20 frames a second to 1,000 sockets
    assert coalescing_window(50_000) == 0.1  # never longer than WS_COALESCE_SECONDS
    settings.WS_FANOUT_DELIVERIES_PER_SECOND = 0
    assert coalescing_window(10) == 0.1

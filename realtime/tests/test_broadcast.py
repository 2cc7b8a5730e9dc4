"""The publisher (realtime/broadcast.py) on real Redis, fed through reservations' signal as a
commit feeds it: commits handed over while a send is on its way leave together, one `seq`
range and one layer message per event, and each committed transaction is still its own
`[seq, ts, changes, owners]` entry, in the order it committed (each process merges them for
its sockets: feed.py)."""

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

from channels.layers import get_channel_layer

from realtime.broadcast import event_group, publishes_sent
from reservations.signals import seats_changed_committed

EVENT, OTHER_EVENT = 910_001, 910_002  # not in any database: the publisher does not read one


def seat(seat_id, version, status="locked", holder=None, buyer=None):
    until = datetime(2026, 12, 22, 10, 5, tzinfo=UTC) if status == "locked" else None
    return SimpleNamespace(
        id=seat_id,
        status=status,
        version=version,
        held_until=until,
        held_by_id=holder,
        reserved_by_id=buyer,
    )


async def listening(*event_ids):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for event_id in event_ids:
        await layer.group_add(event_group(event_id), channel)
    return layer, channel


async def received(layer, channel, count, within=5.0):
    async with asyncio.timeout(within):
        return [await layer.receive(channel) for _ in range(count)]


def test_commits_in_one_go_leave_as_one_message_of_frames_with_consecutive_seqs():
    async def scenario():
        layer, channel = await listening(EVENT)
        for version in (1, 2, 3, 4, 5):  # five transactions commit before the publisher runs
            seats_changed_committed(event_id=EVENT, seats=[seat(7, version)])
        await publishes_sent()
        (message,) = await received(layer, channel, 1)
        return message

    message = asyncio.run(scenario())

    seqs = [seq for seq, _, _, _ in message["frames"]]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert [changes for _, _, changes, _ in message["frames"]] == [
        [{"id": 7, "status": "locked", "version": v, "locked_until": "2026-12-22T10:05:00Z"}]
        for v in (1, 2, 3, 4, 5)
    ]
    stamps = [ts for _, ts, _, _ in message["frames"]]
    assert stamps == sorted(stamps) and all(isinstance(ts, int) for ts in stamps)
    assert message["epoch"]


def test_each_event_gets_its_own_message_and_its_own_seq_range():
    async def scenario():
        layer, channel = await listening(EVENT, OTHER_EVENT)
        seats_changed_committed(event_id=EVENT, seats=[seat(1, 1)])
        seats_changed_committed(event_id=OTHER_EVENT, seats=[seat(2, 1)])
        seats_changed_committed(event_id=EVENT, seats=[seat(1, 2, status="available")])
        await publishes_sent()
        return await received(layer, channel, 2)

    messages = {m["event_id"]: m for m in asyncio.run(scenario())}

    assert [len(messages[EVENT]["frames"]), len(messages[OTHER_EVENT]["frames"])] == [2, 1]
    first, second = (seq for seq, *_ in messages[EVENT]["frames"])
    assert second == first + 1
    assert messages[OTHER_EVENT]["frames"][0][2][0]["id"] == 2


def test_what_commits_while_a_send_is_on_its_way_follows_in_order():
    async def scenario():
        layer, channel = await listening(EVENT)
        seats_changed_committed(event_id=EVENT, seats=[seat(3, 1)])
        await asyncio.sleep(0)  # the publisher starts sending the first one
        seats_changed_committed(event_id=EVENT, seats=[seat(3, 2)])
        await publishes_sent()
        messages = []
        async with asyncio.timeout(5):
            while sum(len(m["frames"]) for m in messages) < 2:
                messages.append(await layer.receive(channel))
        return messages

    messages = asyncio.run(scenario())

    versions = [changes[0]["version"] for m in messages for _, _, changes, _ in m["frames"]]
    assert versions == [1, 2]


def test_a_commit_in_a_thread_without_a_loop_goes_out_on_the_same_route():
    """A command or a request thread outside a server: the process's publisher thread sends."""

    async def scenario():
        layer, channel = await listening(EVENT)
        await asyncio.to_thread(
            seats_changed_committed,
            event_id=EVENT,
            seats=[
                seat(9, 1, holder=42),
                seat(10, 2, "reserved", buyer=43),
                seat(11, 3, "available"),
            ],
        )
        await publishes_sent()
        (message,) = await received(layer, channel, 1)
        return message

    message = asyncio.run(scenario())

    ((_, _, changes, owners),) = message["frames"]
    assert changes == [
        {"id": 9, "status": "locked", "version": 1, "locked_until": "2026-12-22T10:05:00Z"},
        {"id": 10, "status": "reserved", "version": 2, "locked_until": None},
        {"id": 11, "status": "available", "version": 3, "locked_until": None},
    ]
    # Whose each seat is, holder or buyer, for the processes' live maps, never in a socket's
    # frame.
    assert owners == [42, 43, None]

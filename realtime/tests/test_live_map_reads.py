"""When the live map (realtime/live_map.py) reads the database: once for a crowd, again after
a gap or a new epoch, and never losing a change that came while it read. The reader here is a
function standing for the database's answer, so each rule can be driven exactly; the map on
the real stack is test_live_map.py."""

import asyncio
import json
from dataclasses import asdict

from realtime.live_map import LiveMap


def change(seat_id, version, status="locked"):
    until = "2099-01-01T00:00:00Z" if status == "locked" else None
    return {"id": seat_id, "status": status, "version": version, "locked_until": until}


class Database:
    """What the map reads: (epoch, seq, [(change, owner, label, category)], map version),
    after a pause; every seat held or booked is user 9's."""

    def __init__(self, epoch="e1", seq=0):
        self.epoch, self.seq = epoch, seq
        self.seats = {i: change(i, 0, "available") for i in (1, 2, 3)}
        self.reads = 0
        self.pause = 0.05

    async def read(self, event_id):
        self.reads += 1
        epoch, seq, seats = self.epoch, self.seq, dict(self.seats)
        await asyncio.sleep(self.pause)
        rows = [
            (c, None if c["status"] == "available" else 9, f"A{i}", 1) for i, c in seats.items()
        ]
        return epoch, seq, rows, 1


def test_a_crowd_asking_at_once_costs_one_read():
    async def scenario():
        db = Database()
        live = LiveMap(1, db.read)
        await asyncio.gather(*(live.snapshot(None) for _ in range(500)))
        return db.reads

    assert asyncio.run(scenario()) == 1


def test_a_gap_makes_the_map_read_again_and_a_frame_in_order_does_not():
    async def scenario():
        db = Database(seq=4)
        live = LiveMap(1, db.read)
        await live.current()
        live.apply("e1", 5, [change(1, 1)], [9])
        reads_in_order = db.reads
        db.seq = 7
        live.apply("e1", 7, [change(2, 1)], [9])  # 6 never came
        assert not live.trusted
        await live.current()
        return reads_in_order, db.reads, live.seq

    assert asyncio.run(scenario()) == (1, 2, 7)


def test_a_new_epoch_makes_the_map_read_again():
    async def scenario():
        db = Database()
        live = LiveMap(1, db.read)
        await live.current()
        db.epoch, db.seq = "e2", 1
        live.apply("e2", 1, [change(1, 1)], [9])
        await live.current()
        return db.reads, live.epoch

    assert asyncio.run(scenario()) == (2, "e2")


def test_a_change_that_comes_while_the_map_reads_is_kept():
    """The read saw seat 1 at version 0; a frame with version 1 came meanwhile."""

    async def scenario():
        db = Database(seq=3)
        live = LiveMap(1, db.read)
        reading = asyncio.ensure_future(live.current())
        await asyncio.sleep(0.01)
        live.apply("e1", 4, [change(1, 1)], [9])
        await reading
        return live

    live = asyncio.run(scenario())

    assert live.trusted and live.seq == 4
    assert live.seats[1].state.version == 1
    assert live.taken_by_other(1, user_id=5, now=0) == "A1"
    assert live.taken_by_other(1, user_id=9, now=0) is None  # the holder's own


def test_a_late_frame_never_turns_a_seat_back():
    async def scenario():
        live = LiveMap(1, Database(seq=0).read)
        await live.current()
        live.apply("e1", 1, [change(1, 2)], [9])
        live.apply("e1", 1, [change(1, 1, "available")], [None])
        return live.seats[1].state

    assert asdict(asyncio.run(scenario())) == change(1, 2)


def test_the_categories_are_counted_with_ended_holds_as_available():
    async def scenario():
        db = Database()
        db.seats[1] = change(1, 1)  # held until 2099
        db.seats[2] = {**change(2, 1), "locked_until": "2001-01-01T00:00:00Z"}  # ended
        db.seats[3] = change(3, 1, "reserved")
        live = LiveMap(1, db.read)
        before = live.category_counts(0)
        await live.current()
        return before, live.category_counts(1e9)

    before, counts = asyncio.run(scenario())

    assert before is None  # not read yet: the caller counts in the database
    assert counts == {1: (3, 1)}


def test_the_map_knows_each_user_s_holds_and_bookings_as_they_change():
    async def scenario():
        db = Database()
        db.seats[3] = {**change(3, 1, "reserved"), "locked_until": None}
        live = LiveMap(1, db.read)
        await live.current()  # seat 3 read as booked (by 9, as Database reads it), 1 and 2 free
        read = live.booked_by(9), live.holds_of(9, now=0)
        live.apply("e1", 1, [change(1, 1), change(2, 1)], [9, 5])
        live.apply("e1", 2, [{**change(1, 2, "reserved"), "locked_until": None}], [9])
        live.apply("e1", 3, [change(3, 2, "available")], [None])  # cancelled
        return read, live.booked_by(9), live.holds_of(9, now=0), live.holds_of(5, now=0)

    read, booked, holds_of_9, holds_of_5 = asyncio.run(scenario())

    assert read == ([3], [])
    assert booked == [1]
    assert holds_of_9 == []
    assert holds_of_5 == [{"id": 2, "locked_until": "2099-01-01T00:00:00Z"}]


def test_a_snapshot_writes_each_seat_as_protocol_md_says_and_an_ended_hold_as_available():
    async def scenario():
        db = Database()
        db.seats[1] = {**change(1, 3), "locked_until": "2001-01-01T00:00:00Z"}  # ended
        db.seats[2] = change(2, 1)  # held until 2099
        live = LiveMap(1, db.read)
        _, _, frame = await live.snapshot(None)
        return json.loads(frame.text)["seats"]

    assert asyncio.run(scenario()) == [
        {"id": 1, "status": "available", "version": 3, "locked_until": None},
        {"id": 2, "status": "locked", "version": 1, "locked_until": "2099-01-01T00:00:00Z"},
        {"id": 3, "status": "available", "version": 0, "locked_until": None},
    ]

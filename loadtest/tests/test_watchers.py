"""Watchers against a small real WebSocket server (aiohttp.web on a local port), their sockets
plain and with permessage-deflate (which aiohttp.web agrees to and uses for every frame): the
close codes of PROTOCOL.md "Closing" send them back for a fresh snapshot, 4404 stops them, a gap
asks for a snapshot, and frames are read by their fields whatever the order of the keys."""

import asyncio

import orjson
import pytest
from aiohttp import web

from loadtest.browser import Browser
from loadtest.figures import closed_by_server
from loadtest.procs import ChildRecorder, merge_receipts
from loadtest.stats import Recorder
from loadtest.watchers import Watcher

SEAT_IDS = [1, 2]  # the map's `seats.id`
FIRST = {1: ("available", 0), 2: ("available", 0)}
SECOND = {1: ("locked", 1), 2: ("available", 0)}


def snapshot(seq: int, seats: dict, epoch: str = "e1") -> str:
    """The `state` frame of `seats` (in SEAT_IDS' order), as an anonymous socket gets it."""
    return orjson.dumps(
        {
            "type": "state",
            "event_id": 1,
            "seq": seq,
            "epoch": epoch,
            "seats_total": len(seats),
            "status": "".join(seats[i][0][0] for i in SEAT_IDS),
            "version": [seats[i][1] for i in SEAT_IDS],
            "locked_until": {},
        }
    ).decode()


class Server:
    """Serves one script per connection: each a list of frames to send, then a close code
    (None: stay open until the client goes, answering each frame it sends with `reply`)."""

    def __init__(self, *scripts, reply: str | None = None):
        self.scripts = list(scripts)
        self.connections = 0
        self.reply = reply
        self.received: list[str] = []

    async def handle(self, request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        frames, code = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        for frame in frames:
            await ws.send_str(frame)
        if code is None:
            async for message in ws:
                self.received.append(message.data)
                if self.reply is not None:
                    await ws.send_str(self.reply)
        else:
            await ws.close(code=code)
        return ws


@pytest.fixture
async def serve():
    runners = []

    async def start(server: Server) -> str:
        app = web.Application()
        app.router.add_get("/ws/events/1/", server.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture(params=["plain", "deflate"])
def watch(request):
    async def watch(base: str, rec: Recorder, until) -> Watcher:
        """Run one watcher until `until(watcher)` holds or its run ends (5 s at most); stop
        it."""
        url = f"{base.replace('http', 'ws', 1)}/ws/events/1/"
        browser = Browser(base, deflate=request.param == "deflate")
        watcher = Watcher(0, url, base, rec, session=browser, seat_ids=SEAT_IDS)
        task = asyncio.ensure_future(watcher.run())
        try:
            for _ in range(250):
                if until(watcher) or task.done():
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the watcher got stuck")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            browser.close()
        return watcher

    watch.deflate = request.param == "deflate"
    return watch


# The codes are written out, not taken from the watchers module: this is the protocol's list.
RECONNECT = [4408, 4429, 4503, 1009, 1011]


@pytest.mark.parametrize("code", RECONNECT)
async def test_a_socket_closed_after_its_snapshot_reconnects_and_takes_a_fresh_one(
    serve, watch, code
):
    server = Server(([snapshot(3, FIRST)], code), ([snapshot(7, SECOND)], None))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: w.snapshots == 2)
    assert server.connections == 2
    assert watcher.failed is None and rec.refused == 0
    assert watcher.seq == 7
    assert watcher.model.as_dict() == SECOND
    assert rec.closed_by_server == {code: 1}
    assert rec.dropped == 1
    assert closed_by_server(rec) == {str(code): 1}


@pytest.mark.parametrize("code", RECONNECT)
async def test_a_socket_closed_before_its_snapshot_reconnects_and_is_not_refused(
    serve, watch, code
):
    server = Server(([], code), ([snapshot(7, SECOND)], None))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: w.snapshots == 1)
    assert server.connections == 2
    assert watcher.ready.is_set() and watcher.failed is None
    assert rec.refused == 0
    assert watcher.model.as_dict() == SECOND
    assert rec.closed_by_server == {code: 1}


async def test_an_unknown_event_4404_is_final(serve, watch):
    server = Server(([], 4404))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: False)
    assert server.connections == 1
    assert watcher.failed == "ws_closed_by_server: code 4404"
    assert rec.refused == 1
    assert rec.closed_by_server == {4404: 1}


async def test_4404_after_a_snapshot_is_final_too(serve, watch):
    server = Server(([snapshot(3, FIRST)], 4404), ([snapshot(7, SECOND)], None))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: False)
    assert server.connections == 1
    assert watcher.snapshots == 1 and watcher.model.as_dict() == FIRST
    assert rec.closed_by_server == {4404: 1}


async def test_frames_are_read_by_their_fields_whatever_the_key_order(serve, watch):
    reordered_snapshot = orjson.dumps(
        {
            "locked_until": {},
            "version": [0, 0],
            "status": "aa",
            "seats_total": 2,
            "epoch": "e1",
            "seq": 3,
            "event_id": 1,
            "type": "state",
        }
    ).decode()
    change = {"locked_until": None, "version": 1, "status": "locked", "id": 1}
    reordered_seats = orjson.dumps(
        {"changes": [change], "ts": 1, "epoch": "e1", "seq": 4, "event_id": 1, "type": "seats"}
    ).decode()
    presence = orjson.dumps({"watchers": 3, "event_id": 1, "type": "presence"}).decode()
    # The same snapshot twice (as a resync can bring): the second is known by its text.
    frames = [reordered_snapshot, reordered_snapshot, reordered_seats, presence]
    server = Server((frames, None))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: rec.presence == 1)
    # Offered permessage-deflate, the server agreed, and its compressed frames were read.
    assert bool(watcher._ws.protocol.extensions) is watch.deflate
    assert watcher.snapshots == 2
    assert watcher.seq == 4
    assert watcher.model.as_dict() == SECOND
    assert rec.push_latency_ns and rec.duplicates == 0 and rec.resyncs == {}


async def test_a_gap_asks_for_a_snapshot_and_goes_on_from_it(serve, watch):
    gap = orjson.dumps(
        {"type": "seats", "event_id": 1, "seq": 5, "epoch": "e1", "changes": []}
    ).decode()
    server = Server(([snapshot(3, FIRST), gap], None), reply=snapshot(7, SECOND))
    rec = Recorder()
    watcher = await watch(await serve(server), rec, lambda w: w.snapshots == 2)
    assert server.received == ['{"type":"snapshot"}']
    assert rec.resyncs == {"gap": 1}
    assert watcher.seq == 7 and watcher.model.as_dict() == SECOND


def test_a_childs_closes_are_counted_in_the_main_process():
    child = ChildRecorder()
    child.closed(4408)
    child.closed(4408)
    child.closed(4503)
    payload = orjson.loads(
        orjson.dumps(
            {
                "messages": [],
                "latency_ns": [],
                "errors": {},
                "resyncs": {},
                "closed_by_server": list(child.closed_by_server.items()),
                "duplicates": 0,
                "dropped": 0,
                "presence": 0,
            }
        )
    )
    main = Recorder()
    main.closed(4408)
    merge_receipts(main, payload)
    assert closed_by_server(main) == {"4408": 3, "4503": 1}

"""The fan-out bench's one client, the same for every server: N WebSocket watchers opened in a
storm, then frames triggered one at a time, each timed from its trigger to the last watcher.

A watcher is a bare asyncio protocol on uvloop (websockets' sans-I/O protocol: ../browser.py's
`Socket`): it counts the text messages whose `type` is `seats` and answers pings, and nothing
else. That was ~10 µs of client CPU a frame here with frames read by hand (websockets' parser
adds about 3 µs), against ~29 µs for the load tester's watchers, which keep the seat map
(BENCHMARKS.md), so that the times below are mostly the server's; the client's own CPU per
delivery is measured beside the server's.
"""

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import NamedTuple
from urllib.parse import urlsplit

import redis

from ..browser import Socket
from ..stats import proc_sample, quantiles, raise_nofile

# Where `"seats"` stands in `{"type":"seats",` and in `{"type": "seats", ` (json.dumps).
SEATS = b'"seats"'
# Triggers before any is measured: the servers' first requests load code and open connections.
WARM_UP = 4


class Target(NamedTuple):
    """A server as the client reaches it: its socket URL, the `Origin` it accepts, one trigger
    (an HTTP call that makes it send one `seats` frame to every watcher) and its pids."""

    ws_url: str
    origin: str
    trigger: Callable[[], Awaitable[None]]
    pids: list[int]


class Board:
    """When each watcher got its k-th `seats` frame: how many have it, and the last arrival."""

    def __init__(self):
        self.watchers = 0
        self.arrivals: Counter = Counter()
        self.last_ns: dict[int, int] = {}
        self.payload_bytes = 0
        self.waiting: dict[int, asyncio.Future] = {}

    def arrived(self, k: int, now: int, size: int) -> None:
        self.arrivals[k] += 1
        self.last_ns[k] = now
        self.payload_bytes += size
        self._check(k)

    def lost(self) -> None:
        """An open watcher closed: frames from now on are complete without it."""
        self.watchers -= 1
        for k in self.waiting:
            self._check(k)

    def _check(self, k: int) -> None:
        future = self.waiting.get(k)
        if future is not None and self.arrivals[k] >= self.watchers and not future.done():
            future.set_result(None)

    async def all_have(self, k: int, patience: float) -> bool:
        if self.arrivals[k] >= self.watchers:
            return True
        self.waiting[k] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(self.waiting[k], patience)
            return True
        except TimeoutError:
            return False


class Watcher(Socket):
    def __init__(self, board: Board, target: Target):
        super().__init__(target.ws_url, target.origin)
        self.board = board
        self.seats_frames = 0
        self.received_ns = 0

    def connection_lost(self, exc) -> None:
        opened = self.opened.done()
        super().connection_lost(exc)
        if opened and not self.opened.cancelled() and self.opened.exception() is None:
            self.board.lost()  # an open socket lost (one given up while opening is not)

    def data_received(self, data: bytes) -> None:
        self.received_ns = time.perf_counter_ns()
        super().data_received(data)

    def message(self, data: bytes) -> None:
        if SEATS in data[8:17]:  # no parse: the type is all it reads
            self.seats_frames += 1
            self.board.arrived(self.seats_frames, self.received_ns, len(data))


async def storm(target: Target, n: int, within: float, patience: float, board: Board):
    """Open `n` watchers spread evenly over `within` seconds; wait for each handshake, up to
    `patience` seconds more. The open watchers, the failures by kind, the seconds it took."""
    loop = asyncio.get_running_loop()
    parts = urlsplit(target.ws_url)
    started = time.monotonic()

    async def open_one(i: int) -> Watcher:
        await asyncio.sleep(within * i / n)
        transport, watcher = await loop.create_connection(
            lambda: Watcher(board, target),
            parts.hostname,
            parts.port,
        )
        try:
            await watcher.opened
        except BaseException:  # refused, or still not open when the storm's time is up
            transport.abort()
            raise
        return watcher

    tasks = [asyncio.ensure_future(open_one(i)) for i in range(n)]
    done, pending = await asyncio.wait(tasks, timeout=within + patience)
    for task in pending:
        task.cancel()
    failures = Counter("timeout" for _ in pending)
    watchers = []
    for task in done:
        if task.exception() is None:
            watchers.append(task.result())
        else:
            failures[f"{type(task.exception()).__name__}: {task.exception()}"[:80]] += 1
    return watchers, failures, time.monotonic() - started


def cpu_s(pids: list[int]) -> float:
    """CPU seconds of these processes' threads, to the nanosecond (/proc/PID/task/*/schedstat;
    /proc/PID/stat counts in 10 ms ticks, too coarse for a window of a few hundred ms). A
    thread that ends within the window takes its time with it: the servers keep theirs."""
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in os.listdir(f"/proc/{pid}/task"):
                with (
                    contextlib.suppress(FileNotFoundError, ProcessLookupError),
                    open(f"/proc/{pid}/task/{task}/schedstat") as f,
                ):
                    total += int(f.read().split()[0])
    return total / 1e9


async def settled(pids: list[int], least: float) -> None:
    """After `least` seconds, until the server is quiet (under 5% of a core for 0.5 s: the
    storm's snapshots written), at most a minute more."""
    await asyncio.sleep(least)
    for _ in range(120):
        used = cpu_s(pids)
        await asyncio.sleep(0.5)
        if cpu_s(pids) - used < 0.025:
            return


def redis_cpu_s(url: str) -> float:
    """Redis's own CPU seconds (INFO): the channel layers' share of the work."""
    info = redis.Redis.from_url(url).info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


async def measure(target: Target, n: int, options, redis_url: str) -> dict:
    """One server at `n` watchers: the figures of docs/BENCHMARK-FANOUT.md."""
    raise_nofile()
    frames, client = options.frames, [os.getpid()]
    for _ in range(WARM_UP):
        await target.trigger()
    alone = cpu_s(target.pids)  # the triggers with no watcher: what a trigger costs
    for _ in range(frames):
        await target.trigger()
    trigger_cpu_s = cpu_s(target.pids) - alone

    board = Board()
    before = proc_sample(target.pids)
    watchers, failures, connect_s = await storm(
        target, n, options.storm, options.connect_timeout, board
    )
    await settled(target.pids, options.settle)
    after = proc_sample(target.pids)
    board.watchers = sum(not watcher.lost for watcher in watchers)

    completion_ns, incomplete = [], 0
    start = (time.monotonic(), cpu_s(target.pids), redis_cpu_s(redis_url), cpu_s(client))
    for k in range(1, frames + 1):
        if k > 1:
            await asyncio.sleep(options.gap)
        triggered = time.perf_counter_ns()
        await target.trigger()
        if await board.all_have(k, options.frame_timeout):
            completion_ns.append(board.last_ns[k] - triggered)
        else:
            incomplete += 1
    end = (time.monotonic(), cpu_s(target.pids), redis_cpu_s(redis_url), cpu_s(client))
    for watcher in watchers:
        watcher.transport.abort()

    deliveries = frames * len(watchers)
    per_delivery = 1e6 / deliveries if deliveries else None
    return {
        "watchers": n,
        "connected": len(watchers),
        "storm_s": round(connect_s, 2),
        "refused": sum(failures.values()),
        "refusals": dict(failures),
        "frames": frames,
        "frame_bytes": round(board.payload_bytes / max(1, sum(board.arrivals.values()))),
        "delivered": sum(min(w.seats_frames, frames) for w in watchers),
        "expected": frames * n,
        "dropped_sockets": sum(w.lost for w in watchers),
        "incomplete_frames": incomplete,
        "completion_ms": quantiles(completion_ns, 1e-6),
        "window_s": round(end[0] - start[0], 3),
        "cpu_us_per_delivery": per_delivery and round((end[1] - start[1]) * per_delivery, 2),
        "trigger_us_per_delivery": per_delivery and round(trigger_cpu_s * per_delivery, 2),
        "redis_us_per_delivery": per_delivery and round((end[2] - start[2]) * per_delivery, 2),
        "client_us_per_delivery": per_delivery and round((end[3] - start[3]) * per_delivery, 2),
        "rss_bytes_per_socket": round((after["rss_bytes"] - before["rss_bytes"]) / len(watchers))
        if watchers
        else None,
    }

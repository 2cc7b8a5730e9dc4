"""The on-sale's arrivals (profiles/onsale.py, phase 1): a buyer opening the event's page in
a browser of its own, as the shipped client does (`client_arrival`), and what the arrivals
measured: time to a usable map, bytes off the wire, every answer.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections import Counter

import brotli
import orjson

from .api import ws_url
from .browser import Browser
from .stats import Recorder, quantiles
from .watchers import SeatModel, Watcher, state_seats

# A failed read is tried again as the client's query cache does (app/queryClient.ts: twice,
# for a network error or a 5xx, never a 4xx), after React Query's delays of 1 s and 2 s.
RETRY_DELAYS = (1.0, 2.0)


# --- one arrival -----------------------------------------------------------------------------


class Arrival:
    """One buyer opening the event's page: its browser (browser.py), its answers, the watcher
    its page keeps.

    `headers`: its credentials (the page of a logged-in buyer sends its bearer token on every
    call); `cached_tag`: the tag of the static map in its browser's cache (a return visit), or
    None; `seat_ids`: the map's `seats.id`, which the page decodes its state by (the same for
    every arrival: decoded once here).
    """

    def __init__(
        self,
        index: int,
        base: str,
        event_id: int,
        rec: Recorder,
        *,
        headers: dict[str, str],
        cached_tag: str | None,
        seat_ids: list[int],
    ):
        self.index, self.base, self.event_id, self.rec = index, base, event_id, rec
        self.headers, self.cached_tag = headers, cached_tag
        self.seat_ids = seat_ids
        self.browser = Browser(base)
        self.watcher = Watcher(
            index, ws_url(base, event_id), base, rec, session=self.browser, seat_ids=seat_ids
        )
        self.watch_task: asyncio.Future | None = None
        self.answers: list[tuple[str, int, int, float]] = []  # op, status, body bytes, seconds
        self.started_ns = 0
        self.usable_ns = 0  # when its map was usable: every answer in, the snapshot applied
        self.bytes_to_map = 0

    @property
    def model(self) -> SeatModel:
        return self.watcher.model

    async def get(
        self, op: str, path: str, *, revalidate: bool = False
    ) -> tuple[int, bytes, str | None]:
        """GET `path` as the page does: its status (0: no answer), body as sent and coding,
        tried again on a 5xx or a lost connection as the client's query cache does.
        `revalidate`: send the cached tag."""
        headers = {"Accept": "application/json", **self.headers}
        if revalidate and self.cached_tag:
            headers["If-None-Match"] = self.cached_tag
        for delay in (*RETRY_DELAYS, None):
            started = time.perf_counter()
            try:
                status, body, coding = await self.browser.get(path, headers)
            except OSError as exc:
                status, body, coding = 0, b"", None
                self.rec.errors[f"arrival:{op}:{type(exc).__name__}"] += 1
            self.answers.append((op, status, len(body), time.perf_counter() - started))
            if (status and status < 500) or delay is None:
                return status, body, coding
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def watch(self) -> None:
        """Open the page's socket and wait for its first snapshot (or its refusal)."""
        self.watch_task = asyncio.ensure_future(self.watcher.run())
        await self.watcher.ready.wait()

    async def arrive(self) -> None:
        self.started_ns = time.time_ns()
        await client_arrival(self)
        if self.watcher.failed is None and self.watcher.ready.is_set():
            self.usable_ns = time.time_ns()
            self.bytes_to_map = self.browser.bytes


async def client_arrival(page: Arrival) -> None:
    """What the shipped client asks for when a buyer opens an event's page: the one place to
    change when it asks for other things.

    frontend/src/features/seat-map/api/seatMap.ts, hooks/useSeatMap.ts: the event, the static
    map (kept by the browser, revalidated with `If-None-Match`), the state and, logged in, the
    caller's holds and booked seats (`holds/`), all at once; then the socket, resumed from the
    state's `(epoch, seq)`.
    (The buyer came from the event list, logged in: `GET /api/me/` is in the app's cache.)
    """
    event = f"/api/events/{page.event_id}/"

    async def map_and_state_then_socket():
        _, (status, body, coding) = await asyncio.gather(
            page.get("map", f"{event}map/", revalidate=True),
            page.get("state", f"{event}state/"),
        )
        if status == 200:
            page.watcher.resume = shared_state_position(body, coding, page.seat_ids)
            await page.watch()

    reads = [page.get("event", event), map_and_state_then_socket()]
    if "Authorization" in page.headers:
        reads.append(page.get("holds", f"{event}holds/"))
    await asyncio.gather(*reads)


# The arrivals of one moment read the same bytes of `state/`: decoded once for all of them (a
# model is only read, and changed in its own dict: watchers.SeatModel). Decoding the arena's
# state for each was ~15 ms of the load client's CPU, which made a thousand arrivals wait for
# the client, not the server.
_positions: dict[tuple[bytes, str | None, int], tuple[str, int, dict]] = {}


def shared_state_position(body: bytes, coding: str | None, seat_ids: list[int]):
    key = (body, coding, id(seat_ids))
    position = _positions.get(key)
    if position is None:
        if len(_positions) >= 64:
            _positions.clear()
        unzip = {"br": brotli.decompress, "gzip": gzip.decompress}.get(coding, lambda raw: raw)
        state = orjson.loads(unzip(body))  # as the watcher's model: (epoch, seq, seats by id)
        position = _positions[key] = (state["epoch"], state["seq"], state_seats(state, seat_ids))
    return position


async def open_arrivals(arrivals: list[Arrival], within: float, patience: float) -> int:
    """Start arrival i at i * `within` / N seconds, and wait until every map is usable, or
    `patience` seconds after the last one started. Returns when the last one started (ns)."""
    loop = asyncio.get_running_loop()
    first = loop.time()
    step = within / len(arrivals) if arrivals else 0.0
    tasks = []
    try:
        for i, arrival in enumerate(arrivals):
            delay = first + i * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(arrival.arrive()))
        last_started = time.time_ns()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=patience)
            for task in pending:
                task.cancel()
            if pending:
                arrivals[0].rec.errors["arrival_not_ready_in_time"] += len(pending)
            await asyncio.gather(*tasks, return_exceptions=True)
    except asyncio.CancelledError:  # the run stopped (Ctrl-C): the arrivals under way too
        for task in tasks:
            task.cancel()
        raise
    return last_started


def buyer_positions(arrivals: int, buyers: int) -> list[int]:
    """Which arrivals buy: `buyers` of them spread evenly over the arrival order."""
    return [j * arrivals // buyers for j in range(buyers)] if buyers else []


def arrival_figures(arrivals: list[Arrival], server_cpu_s: float | None) -> dict:
    """Phase 1: time to a usable map, bytes and the server's CPU per arrival, every answer."""
    usable = [a for a in arrivals if a.usable_ns]
    statuses: dict[str, Counter] = {}
    body_bytes: Counter = Counter()
    latency: dict[str, list[float]] = {}
    for a in arrivals:
        for op, status, size, seconds in a.answers:
            statuses.setdefault(op, Counter())[str(status)] += 1
            body_bytes[op] += size
            latency.setdefault(op, []).append(seconds)
    n = len(arrivals)
    return {
        "arrivals": n,
        "maps_usable": len(usable),
        "time_to_map_ms": quantiles([a.usable_ns - a.started_ns for a in usable], 1e-6),
        "wire_bytes_per_arrival": quantiles([a.bytes_to_map for a in usable]),
        # A first visit downloads the static map; a return visit has it (304).
        "wire_bytes_first_visit": quantiles([a.bytes_to_map for a in usable if not a.cached_tag]),
        "wire_bytes_return_visit": quantiles([a.bytes_to_map for a in usable if a.cached_tag]),
        "server_cpu_s": round(server_cpu_s, 3) if server_cpu_s is not None else None,
        "server_cpu_ms_per_arrival": (
            round(server_cpu_s / n * 1e3, 2) if server_cpu_s is not None and n else None
        ),
        "requests": {
            op: {
                "statuses": dict(statuses[op]),
                "body_bytes_per_answer": round(body_bytes[op] / max(1, len(latency[op]))),
                "latency_ms": quantiles(latency[op], 1e3),
            }
            for op in statuses
        },
        "answers_503": sum(c.get("503", 0) for c in statuses.values()),
        # Sockets whose first answer was `resumed` (from the state read): no snapshot sent.
        "sockets_resumed": sum(1 for a in arrivals if a.watcher.resumed),
    }

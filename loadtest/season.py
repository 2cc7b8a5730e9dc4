"""The `season` soak: a server that runs for a season must not grow with the events it served.

Events go through their life one after the other, compressed: each is watched by a crowd of
sockets that come and go, a buyer holds and books seats while they watch, its state is read,
and then everyone leaves. The server's own figures (its `/api/metrics/`, docs/METRICS.md) are
read while nothing happens, at the start, halfway and at the end:

- `seatmap_live_events`: the events the process keeps (a live map and its channel-layer group);
- `seatmap_live_map_seat_rows_read_total` over a quiet window: the seat rows it reads from the
  database while nobody watches anything, per minute;
- `process_cpu_seconds_total` over the same window: its CPU at rest;
- `process_resident_memory_bytes`: its RSS.

The verdict fails when any of them grows with the number of events served: more events kept at
the end than at the start, more than twice the start's seat rows per quiet minute or its CPU at
rest (plus 0.01 of a core), or RSS that grows by more than 50 KiB per event over the second
half of the season, judged from ten events a half (the first half warms the allocator and the
bounded caches: a freed map's memory is reused, not returned). A season that served no event,
opened no socket or booked nothing fails too.

The server must let go of an event soon after its last socket (`LIVE_EVENT_IDLE_SECONDS`, 60 s
by default; `--settle` waits that long and a little more before each reading). Events are made
with the documented command, `python manage.py create_event`, run in this checkout with this
environment (`--create N`, and `--arena` adds the arena's layout, first), or named (`--events`).
The metrics are the operator's: run it from an address in METRICS_ALLOWED_NETWORKS or pass
`--metrics-token`.

    python -m loadtest season --url http://127.0.0.1:8000 --users users.json --create 40 --arena
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from .api import http_session, ws_url

ARENA_LAYOUT = Path(__file__).resolve().parents[1] / "reservations/venues/examples/arena.json"
RSS_PER_EVENT_LIMIT = 50 * 1024  # bytes, over the second half
# Fewer events than this in a half and RSS is the allocator's and the caches' warm-up, not a
# trend: reported, not judged.
RSS_JUDGED_FROM = 10
CPU_AT_REST_SLACK = 0.01  # of a core, the machine's noise at rest
FIGURES = {
    "live_events": "seatmap_live_events",
    "seat_rows_read": "seatmap_live_map_seat_rows_read_total",
    "cpu_seconds": "process_cpu_seconds_total",
    "rss_bytes": "process_resident_memory_bytes",
}


@dataclass
class Reading:
    """The server at rest: what it keeps, and what it does over a quiet window."""

    live_events: float
    rss_bytes: float
    seat_rows_per_quiet_minute: float
    cpu_cores_at_rest: float


@dataclass
class Season:
    events: int = 0
    sockets: int = 0
    bookings: int = 0
    errors: list[str] = field(default_factory=list)
    readings: dict[str, Reading] = field(default_factory=dict)

    def verdict(self) -> list[str]:
        """Why the season fails; empty when it passes."""
        if not self.events or not self.sockets or not self.bookings:
            return [
                f"nothing ran: {self.events} events, {self.sockets} sockets, "
                f"{self.bookings} bookings"
            ] + self.errors
        start, half, end = (self.readings[k] for k in ("start", "half", "end"))
        why = list(self.errors)
        if end.live_events > start.live_events:
            why.append(f"events kept grew: {start.live_events:.0f} -> {end.live_events:.0f}")
        if end.seat_rows_per_quiet_minute > 2 * start.seat_rows_per_quiet_minute:
            why.append(
                f"seat rows read per quiet minute grew: {start.seat_rows_per_quiet_minute:.0f}"
                f" -> {end.seat_rows_per_quiet_minute:.0f}"
            )
        if end.cpu_cores_at_rest > 2 * start.cpu_cores_at_rest + CPU_AT_REST_SLACK:
            why.append(
                f"CPU at rest grew: {start.cpu_cores_at_rest:.4f} -> "
                f"{end.cpu_cores_at_rest:.4f} cores"
            )
        second_half = self.events - self.events // 2
        per_event = (end.rss_bytes - half.rss_bytes) / max(1, second_half)
        if second_half >= RSS_JUDGED_FROM and per_event > RSS_PER_EVENT_LIMIT:
            why.append(f"RSS grew {per_event / 1024:.0f} KiB per event in the second half")
        return why

    def rss_note(self) -> str:
        half, end = self.readings["half"], self.readings["end"]
        second_half = self.events - self.events // 2
        per_event = (end.rss_bytes - half.rss_bytes) / max(1, second_half) / 1024
        judged = "" if second_half >= RSS_JUDGED_FROM else f" (not judged: < {RSS_JUDGED_FROM})"
        return f"RSS {per_event:+.0f} KiB per event over the second half's {second_half}{judged}"


async def scrape(http: aiohttp.ClientSession, base: str, token: str | None) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(f"{base}/api/metrics/", headers=headers) as answer:
        if answer.status != 200:
            raise RuntimeError(f"/api/metrics/ answered {answer.status}: see --metrics-token")
        text = await answer.text()
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    missing = [name for name in FIGURES.values() if name not in samples]
    if missing:  # e.g. PROMETHEUS_MULTIPROC_DIR: no process metrics
        raise RuntimeError(f"the server's metrics lack {', '.join(missing)}")
    return {key: samples[name] for key, name in FIGURES.items()}


async def reading(http, base: str, token: str | None, quiet: float) -> Reading:
    before = await scrape(http, base, token)
    await asyncio.sleep(quiet)
    after = await scrape(http, base, token)
    return Reading(
        live_events=after["live_events"],
        rss_bytes=after["rss_bytes"],
        seat_rows_per_quiet_minute=(after["seat_rows_read"] - before["seat_rows_read"])
        * 60
        / quiet,
        cpu_cores_at_rest=(after["cpu_seconds"] - before["cpu_seconds"]) / quiet,
    )


async def watched_and_sold(http, base: str, event_id: int, token: str, sockets: int, s: Season):
    """A crowd watches the event while a buyer holds two seats and books them; then it leaves."""
    crowd = await asyncio.gather(
        *(http.ws_connect(ws_url(base, event_id), max_msg_size=0) for _ in range(sockets)),
        return_exceptions=True,
    )
    opened = [ws for ws in crowd if not isinstance(ws, BaseException)]
    s.sockets += len(opened)
    if len(opened) < sockets:
        s.errors.append(f"event {event_id}: {sockets - len(opened)} sockets refused")
    try:
        await asyncio.gather(*(ws.receive(timeout=30) for ws in opened))  # their snapshots
        buyer = {"Authorization": f"Bearer {token}"}
        async with http.get(f"{base}/api/events/{event_id}/state/") as answer:
            state = await answer.json()
        free = [i for i, letter in enumerate(state["status"]) if letter == "a"][:2]
        async with http.get(f"{base}/api/events/{event_id}/map/") as answer:
            ids = [(await answer.json())["seats"]["id"][i] for i in free]
        lock = f"{base}/api/events/{event_id}/lock/"
        async with http.post(lock, json={"seat_ids": ids}, headers=buyer) as answer:
            if answer.status != 200:
                s.errors.append(f"event {event_id}: lock answered {answer.status}")
                return
        reserve = f"{base}/api/events/{event_id}/reserve/"
        async with http.post(reserve, json={"seat_ids": ids}, headers=buyer) as answer:
            if answer.status == 201:
                s.bookings += 1
            else:
                s.errors.append(f"event {event_id}: reserve answered {answer.status}")
        await asyncio.gather(*(ws.receive(timeout=10) for ws in opened))  # the booking's frame
    finally:
        await asyncio.gather(*(ws.close() for ws in opened))
    s.events += 1


def created_events(count: int, arena: bool) -> list[int]:
    """Events made with `python manage.py create_event` (its id on its last line)."""

    def create(*args: str) -> int:
        out = subprocess.run(
            [sys.executable, "manage.py", "create_event", *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.split()[-1])

    grid = ("--rows", "20", "--seats-per-row", "30", "--price", "20")
    events = [create("--name", f"Season {n + 1}", *grid) for n in range(count)]
    if arena:
        # First: the largest map's memory is the allocator's to reuse, in the half that warms
        # up, not a trend of the second half's events.
        events.insert(0, create("--name", "Season arena", "--layout", str(ARENA_LAYOUT)))
    return events


async def season(args, users: list[dict], events: list[int]) -> Season:
    s = Season()
    async with http_session(total_timeout=120) as http:
        s.readings["start"] = await reading(http, args.url, args.metrics_token, args.quiet)
        for n, event_id in enumerate(events):
            token = users[n % len(users)]["access"]
            try:
                await watched_and_sold(http, args.url, event_id, token, args.sockets, s)
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
                s.errors.append(f"event {event_id}: {type(exc).__name__}: {exc}")
            if n + 1 == len(events) // 2:
                await asyncio.sleep(args.settle)
                s.readings["half"] = await reading(http, args.url, args.metrics_token, args.quiet)
            print(f"season: {n + 1}/{len(events)} events, {s.sockets} sockets", file=sys.stderr)
        await asyncio.sleep(args.settle)
        s.readings["end"] = await reading(http, args.url, args.metrics_token, args.quiet)
    return s


def report(s: Season) -> str:
    lines = [f"season: {s.events} events, {s.sockets} sockets, {s.bookings} bookings"]
    lines.append("| reading | events kept | RSS (MiB) | seat rows / quiet min | CPU at rest |")
    lines.append("| --- | --- | --- | --- | --- |")
    for name, r in s.readings.items():
        lines.append(
            f"| {name} | {r.live_events:.0f} | {r.rss_bytes / 2**20:.1f} "
            f"| {r.seat_rows_per_quiet_minute:,.0f} | {r.cpu_cores_at_rest:.4f} |"
        )
    if "end" in s.readings:
        lines.append(s.rss_note())
    why = s.verdict()
    lines.append("verdict PASS" if not why else "verdict FAIL: " + "; ".join(why))
    return "\n".join(lines)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    p.add_argument("--users", required=True, help="JSON [{access}] (manage.py create_load_users)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--create", type=int, help="make this many events of 600 seats")
    which.add_argument("--events", type=lambda v: [int(x) for x in v.split(",")], help="ids")
    p.add_argument("--arena", action="store_true", help="with --create: the arena among them")
    p.add_argument("--sockets", type=int, default=50, help="sockets watching each event")
    p.add_argument("--settle", type=float, default=75, help="seconds before each reading")
    p.add_argument("--quiet", type=float, default=60, help="seconds of each quiet window")
    p.add_argument("--metrics-token", help="METRICS_TOKEN, from outside its networks")
    p.add_argument("--json", type=Path, help="write the season's figures here too")


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    users = json.loads(Path(args.users).read_text())
    events = args.events or created_events(args.create, args.arena)
    s = asyncio.run(season(args, users, events))
    print(report(s))
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({**asdict(s), "verdict": s.verdict()}, indent=1))
    return 1 if s.verdict() else 0

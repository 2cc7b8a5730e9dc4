"""The season soak (`--profile season`): a server that runs for a season must not grow with the
events it served. A run of its own, on events it makes or is given, not on one --event."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import orjson
from prometheus_client.parser import text_string_to_metric_families

from ..api import http_session, ws_url
from ..commands import UsageError
from ..verdict import verdict_line
from . import Profile, register

ARENA_LAYOUT = Path(__file__).resolve().parents[2] / "reservations/venues/examples/arena.json"
RSS_PER_EVENT_LIMIT = 50 * 1024  # bytes, over the second half
# Fewer events than this in a half and RSS is the allocator's and the caches' warm-up, not a
# trend: reported, not judged.
RSS_JUDGED_FROM = 10
CPU_AT_REST_SLACK = 0.01  # of a core, the machine's noise at rest
# The kernel charges CPU a clock tick at a time (USER_HZ): a reading, two samples of it, may be
# two ticks off, which a short --quiet-window turns into a share of a core (3 s: 0.0067).
CPU_TICK_SECONDS = 0.01
FIGURES = {
    "live_events": "seatmap_live_events",
    "seat_rows_read": "seatmap_live_map_seat_rows_read_total",
    "cpu_seconds": "process_cpu_seconds_total",
    "rss_bytes": "process_resident_memory_bytes",
}


@register
class Season(Profile):
    """the soak of a server that runs for a season: events one after the other, each watched
    by --sockets that come and go while a buyer (the --users file's access tokens: --auth
    bearer) holds and books two seats, then left. The server's own figures (/api/metrics/,
    docs/METRICS.md) are read at rest at the start, halfway and at the end: the events the
    process keeps (seatmap_live_events), the seat rows it reads per quiet minute
    (seatmap_live_map_seat_rows_read_total over --quiet-window), its CPU at rest
    (process_cpu_seconds_total, same window) and its RSS (process_resident_memory_bytes).

    The verdict fails when any grows with the events served: more events kept at the end than
    at the start, more than twice the start's seat rows per quiet minute or its CPU at rest
    (plus 0.01 of a core, and two clock ticks over the window), or RSS that grows by more than
    50 KiB per event over the second half, judged from ten events a half (the first half warms
    the allocator and the bounded caches: a freed map's memory is reused, not returned). A
    season that served no event, opened no socket or booked nothing fails too.

    The server must let go of an event soon after its last socket (LIVE_EVENT_IDLE_SECONDS, 60
    s by default): --settle (75 s here) waits that long and a little more before each reading.
    Its events (no --event) are named (--events) or made by `python manage.py create_event` in
    this checkout with this environment (--create N; --arena adds the arena's, first). The
    metrics are the operator's: run it from METRICS_ALLOWED_NETWORKS or pass --metrics-token."""

    name = "season"
    takes_event = False
    settle = 75.0  # LIVE_EVENT_IDLE_SECONDS (60 s) and a margin

    @staticmethod
    def arguments(group):
        group.add_argument("--create", type=int, help="make this many events of 600 seats")
        group.add_argument("--events", type=lambda v: [int(x) for x in v.split(",")], help="1,2,3")
        group.add_argument("--arena", action="store_true", help="with --create: the arena first")
        group.add_argument("--sockets", type=int, default=50, help="sockets watching each event")
        group.add_argument("--quiet-window", type=float, default=60, help="seconds of each reading")

    @staticmethod
    def prepare(options):
        if options.event is not None or (options.create is None) == (options.events is None):
            raise UsageError("--profile season needs --create N or --events IDS (no --event)")
        if not options.users or options.auth != "bearer" or len(options.url) != 1:
            raise UsageError("--profile season needs one --url, --users and --auth bearer")

    @staticmethod
    async def execute(options):
        started = time.monotonic()
        users = await asyncio.to_thread(lambda: orjson.loads(Path(options.users).read_bytes()))
        events = options.events or await asyncio.to_thread(
            created_events, options.create, options.arena
        )
        s = await season(options, users, events)
        why, notes = judged(s, options.quiet_window)
        return {
            **s,
            "verdict": {"passed": not why, "failures": why, "notes": notes},
            "seconds": round(time.monotonic() - started),
            "config": dict(vars(options)),
        }

    @staticmethod
    def table(result):
        lines = [
            f"season: {result['events']} events, {result['sockets']} sockets, "
            f"{result['bookings']} bookings",
            "| reading | events kept | RSS (MiB) | seat rows / quiet min | CPU at rest |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, r in result["readings"].items():
            lines.append(
                f"| {name} | {r['live_events']:.0f} | {r['rss_bytes'] / 2**20:.1f} "
                f"| {r['seat_rows_per_quiet_minute']:,.0f} | {r['cpu_cores_at_rest']:.4f} |"
            )
        verdict = verdict_line(result["verdict"])
        return "\n".join([*lines, f"verdict {verdict}", f"({result['seconds']} s)"])


def judged(s: dict, quiet_window: float) -> tuple[list[str], list[str]]:
    """Why the season fails (none when it passes), and its notes; `quiet_window`: the seconds
    of each reading."""
    if not s["events"] or not s["sockets"] or not s["bookings"]:
        ran = f"{s['events']} events, {s['sockets']} sockets, {s['bookings']} bookings"
        return [f"nothing ran: {ran}", *s["errors"]], []
    start, half, end = (s["readings"][k] for k in ("start", "half", "end"))
    why = list(s["errors"])
    if end["live_events"] > start["live_events"]:
        why.append(f"events kept grew: {start['live_events']:.0f} -> {end['live_events']:.0f}")
    rows = start["seat_rows_per_quiet_minute"], end["seat_rows_per_quiet_minute"]
    if rows[1] > 2 * rows[0]:
        why.append(f"seat rows read per quiet minute grew: {rows[0]:.0f} -> {rows[1]:.0f}")
    cpu = start["cpu_cores_at_rest"], end["cpu_cores_at_rest"]
    if cpu[1] > 2 * cpu[0] + CPU_AT_REST_SLACK + 2 * CPU_TICK_SECONDS / quiet_window:
        why.append(f"CPU at rest grew: {cpu[0]:.4f} -> {cpu[1]:.4f} cores")
    second_half = s["events"] - s["events"] // 2
    per_event = (end["rss_bytes"] - half["rss_bytes"]) / max(1, second_half)
    if second_half >= RSS_JUDGED_FROM and per_event > RSS_PER_EVENT_LIMIT:
        why.append(f"RSS grew {per_event / 1024:.0f} KiB per event in the second half")
    not_judged = "" if second_half >= RSS_JUDGED_FROM else f" (not judged: < {RSS_JUDGED_FROM})"
    note = f"RSS {per_event / 1024:+.0f} KiB per event over the second half's {second_half}"
    return why, [note + not_judged]


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


async def reading(http, base: str, token: str | None, quiet: float) -> dict[str, float]:
    """The server at rest: what it keeps, and what it does over a quiet window."""
    before = await scrape(http, base, token)
    await asyncio.sleep(quiet)
    after = await scrape(http, base, token)
    return {
        "live_events": after["live_events"],
        "rss_bytes": after["rss_bytes"],
        "seat_rows_per_quiet_minute": (after["seat_rows_read"] - before["seat_rows_read"])
        * 60
        / quiet,
        "cpu_cores_at_rest": (after["cpu_seconds"] - before["cpu_seconds"]) / quiet,
    }


async def watched_and_sold(http, base: str, event_id: int, token: str, sockets: int, s: dict):
    """A crowd watches the event while a buyer holds two seats and books them; then it leaves."""
    crowd = await asyncio.gather(
        *(http.ws_connect(ws_url(base, event_id), max_msg_size=0) for _ in range(sockets)),
        return_exceptions=True,
    )
    opened = [ws for ws in crowd if not isinstance(ws, BaseException)]
    s["sockets"] += len(opened)
    if len(opened) < sockets:
        s["errors"].append(f"event {event_id}: {sockets - len(opened)} sockets refused")
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
                s["errors"].append(f"event {event_id}: lock answered {answer.status}")
                return
        reserve = f"{base}/api/events/{event_id}/reserve/"
        async with http.post(reserve, json={"seat_ids": ids}, headers=buyer) as answer:
            if answer.status == 201:
                s["bookings"] += 1
            else:
                s["errors"].append(f"event {event_id}: reserve answered {answer.status}")
        await asyncio.gather(*(ws.receive(timeout=10) for ws in opened))  # the booking's frame
    finally:
        await asyncio.gather(*(ws.close() for ws in opened))
    s["events"] += 1


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


async def season(options, users: list[dict], events: list[int]) -> dict:
    s = {"events": 0, "sockets": 0, "bookings": 0, "errors": [], "readings": {}}
    base, token = options.url[0], options.metrics_token
    async with http_session(total_timeout=120) as http:
        s["readings"]["start"] = await reading(http, base, token, options.quiet_window)
        for n, event_id in enumerate(events):
            access = users[n % len(users)]["access"]
            try:
                await watched_and_sold(http, base, event_id, access, options.sockets, s)
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
                s["errors"].append(f"event {event_id}: {type(exc).__name__}: {exc}")
            if n + 1 == max(1, len(events) // 2):  # one event: its half is its end
                await asyncio.sleep(options.settle)
                s["readings"]["half"] = await reading(http, base, token, options.quiet_window)
            if not options.quiet:
                print(
                    f"season: {n + 1}/{len(events)} events, {s['sockets']} sockets", file=sys.stderr
                )
        await asyncio.sleep(options.settle)
        s["readings"]["end"] = await reading(http, base, token, options.quiet_window)
    return s

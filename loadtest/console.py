"""An organiser's console on the wire, beside an on-sale: how long its live counts trail a buyer's
change, and what it costs the buyers (issue 39's target).

The shipped console (frontend/src/features/console/) watches the buyers' socket with a staff
token (`?console=1`: each transaction's frame at once besides the merged ones, PROTOCOL.md),
keeps every seat's state from those frames by PROTOCOL.md's rules (a frame whose `seq` it has
reached is a duplicate; a change applies only above the seat's `version`) and counts them in
the browser (no request per change), and reads the sale's figures
(`GET /api/staff/events/{id}/sale/`) once on opening and again after a frame that booked or
freed seats, at most once a second. This does the same over HTTP and WebSocket only, and times
each frame it applies from its commit (`ts`, PROTOCOL.md) to the counts updated from it.

    python -m loadtest console --url http://127.0.0.1:8000 --event 4 \\
        --username organiser --password seats-demo-1 --seconds 60
"""

import argparse
import asyncio
import json
import time
from collections import Counter

import aiohttp
import orjson

from .api import access_token, fetch_map_ids, ws_url
from .commands import base_url
from .stats import quantiles
from .watchers import state_seats

FIGURES_EVERY = 1.0  # seconds: the shipped console's re-read after a booking frame


async def watch(
    base: str, event_id: int, username: str, password: str, seconds: float, quiet: float
) -> dict:
    """Run a console for `seconds`, or until no frame came for `quiet` seconds after the first
    one; its frames' lag and its figures' reads."""
    lags: list[float] = []
    figures_ms: list[float] = []
    status: dict[int, tuple[str, int]] = {}  # seat -> (status, version)
    stream = ("", -1)  # (epoch, seq) of the last frame applied
    counts: Counter[str] = Counter()
    closes: Counter[str] = Counter()  # close code -> sockets the server closed
    last_read, quiet_for = 0.0, 0.0
    async with aiohttp.ClientSession() as session:
        token = await access_token(session, base, username, password)
        headers = {"Authorization": f"Bearer {token}"}
        sale_url = f"{base}/api/staff/events/{event_id}/sale/"
        seat_ids = await fetch_map_ids(session, base, event_id)

        async def read_figures() -> None:
            started = time.perf_counter()
            async with session.get(sale_url, headers=headers) as answer:
                answer.raise_for_status()
                await answer.read()
            figures_ms.append((time.perf_counter() - started) * 1000)

        await read_figures()
        ends = time.monotonic() + seconds
        while ends - time.monotonic() > 0 and not (lags and quiet_for > quiet):
            # A socket the server closes is opened again, as the shipped console's is (a
            # snapshot on reconnecting: every seat's state again).
            url = ws_url(base, event_id) + "?console=1"
            async with session.ws_connect(url, max_msg_size=0) as socket:
                await socket.send_str(json.dumps({"type": "auth", "token": token}))
                heard = time.monotonic()
                while (left := ends - time.monotonic()) > 0:
                    try:
                        message = await socket.receive(timeout=min(left, quiet) if lags else left)
                    except TimeoutError:
                        break
                    if message.type != aiohttp.WSMsgType.TEXT:
                        closes[str(socket.close_code)] += 1
                        break
                    heard = time.monotonic()
                    frame = orjson.loads(message.data)
                    if frame["type"] == "state":
                        status = state_seats(frame, seat_ids)
                        counts = Counter(state for state, _ in status.values())
                        stream = (frame["epoch"], frame["seq"])
                    elif frame["type"] == "seats":
                        if frame["epoch"] == stream[0] and frame["seq"] <= stream[1]:
                            continue  # a duplicate: the merged frame of what came at once
                        stream = (frame["epoch"], frame["seq"])
                        booked = False
                        for seat in frame["changes"]:
                            before, version = status.get(seat["id"], (None, -1))
                            if seat["version"] <= version:
                                continue
                            if before is not None:
                                counts[before] -= 1
                            status[seat["id"]] = (seat["status"], seat["version"])
                            counts[seat["status"]] += 1
                            booked |= "reserved" in (before, seat["status"])
                        lags.append(time.time() * 1000 - frame["ts"] / 1e6)
                        if booked and time.monotonic() - last_read >= FIGURES_EVERY:
                            last_read = time.monotonic()
                            await read_figures()
                quiet_for = time.monotonic() - heard
    return {
        "frames": len(lags),
        "counts_lag_ms": quantiles(lags),
        "figures_ms": quantiles(figures_ms),
        "counts": dict(counts),
        "closed_by_server": dict(closes),
    }


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", type=base_url, required=True, help="the server")
    p.add_argument("--event", type=int, required=True, help="the event on sale")
    p.add_argument("--username", required=True, help="staff with the console's view")
    p.add_argument("--password", required=True, help="its password")
    p.add_argument("--seconds", type=float, default=60.0, help="at most this long")
    p.add_argument(
        "--quiet", type=float, default=5.0, help="stop when no frame came this long after one"
    )
    p.add_argument("--json", help="write the figures here too")


def main(args: argparse.Namespace) -> int:
    figures = asyncio.run(
        watch(args.url, args.event, args.username, args.password, args.seconds, args.quiet)
    )
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as out:
            out.write(text)
    if not figures["frames"]:
        print("console: no seats frame came: nothing was measured")
        return 1
    return 0

"""Measure push latency: from the HTTP answer of a lock to the watcher's receipt of its change.

    python -m loadtest latency --url http://127.0.0.1:8000 --event 1 --user alice

One watcher socket; one client locks and unlocks seats one at a time (N rounds). For each
change it records (a) HTTP response received -> `seats` message received, and (b) commit stamp
(`ts`) -> received. Prints p50/p95/p99/max of both, in milliseconds.
"""

import argparse
import asyncio
import json
import time

import websockets

from .api import access_token, get_json, http_session, ws_url
from .commands import base_url
from .figures import spread
from .stats import quantiles


async def measure(url: str, event_id: int, user: str, password: str, rounds: int) -> None:
    async with http_session() as http:
        auth = {"Authorization": f"Bearer {await access_token(http, url, user, password)}"}
        seats = (await get_json(http, f"{url}/api/events/{event_id}/seats/"))["seats"]
        free = [s["id"] for s in seats if s["status"] == "available"][:5]
        after_response, after_commit = [], []
        async with websockets.connect(ws_url(url, event_id), compression=None) as socket:
            await socket.recv()  # the snapshot
            for i in range(rounds):
                seat_id = free[i % len(free)]
                for action in ("lock", "unlock"):
                    path = f"{url}/api/events/{event_id}/seats/{seat_id}/{action}/"
                    async with http.post(path, json={}, headers=auth) as response:
                        answered = time.time_ns()
                        response.raise_for_status()
                        await response.read()
                    while True:
                        message = json.loads(await asyncio.wait_for(socket.recv(), 5))
                        if message["type"] == "seats":
                            break
                    received = time.time_ns()
                    after_response.append(max(0, received - answered) / 1e6)
                    after_commit.append((received - message["ts"]) / 1e6)
    for said, values in (("HTTP answer", after_response), ("commit     ", after_commit)):
        print(f"{said} -> watcher: {spread(quantiles(values), 'ms', ('p50', 'p95', 'p99', 'max'))}")


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", type=base_url, default="http://127.0.0.1:8000", help="the server")
    p.add_argument("--event", type=int, required=True, help="an event with free seats")
    p.add_argument("--user", default="alice", help="who holds and lets go (seed_demo's)")
    p.add_argument("--password", default="seats-demo-1", help="its password")
    p.add_argument("--rounds", type=int, default=200, help="holds and releases, each timed")


def main(args: argparse.Namespace) -> int:
    asyncio.run(measure(args.url.rstrip("/"), args.event, args.user, args.password, args.rounds))
    return 0

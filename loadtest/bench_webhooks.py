"""Webhooks and the inventory check, measured (docs/LEDGER.md "Measured"):

    BENCH_DB=seatmap_bench_webhooks python -m loadtest webhooks --bookings 1000

1. From commit to receiver: one server process and the webhook worker (`deliver_webhooks`)
   of the checkout measured, an endpoint registered for every booking, and a receiver of this
   process's own on 127.0.0.1; `--buyers` buyers book `--bookings` one-seat bookings through
   the fast path (lock, then reserve). Each delivery's latency is its arrival here less its
   body's `timestamp`, the booking's commit (the outbox trigger's clock at commit, the same
   machine's clock). Every signature is verified and every reservation heard of exactly once.
2. `check_inventory` on the arena (reservations/venues/examples/arena.json, 19,671 seats)
   after `--arena-rounds` rounds of 1,000 buyers (100 at a time) each holding 8 seats, booking
   4 and letting 4 go (16 ledger rows a buyer a round): the command's wall time and the
   route's own `seconds`.

It drops and makes its database (BENCH_DB, with BENCH_REDIS_URL: bench_servers.py).
"""

import argparse
import asyncio
import base64
import json
import random
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import orjson
from standardwebhooks import Webhook

from .api import fetch_seats, http_session
from .bench_databases import ARENA, new_event, setup
from .bench_servers import PY, SERVER_ROOT, create_event, free_port, manage, server_env, servers
from .stats import quantiles

REGISTER = (
    "from reservations.models import WebhookEndpoint\n"
    "print(WebhookEndpoint.objects.create(url={url!r}, event_id={event}, event_types=["
    "'reservation.confirmed', 'reservation.cancelled']).secret)"
)


# The integrator's end, a process of its own (so that the load client's loop does not delay
# what it notes): each POST as a JSON line of its arrival time, headers and body.
RECEIVER = """
import base64, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
out = open(sys.argv[2], "a", buffering=1)
class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        at = time.time()
        out.write(json.dumps([at, dict(self.headers), base64.b64encode(body).decode()]) + "\\n")
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
"""


def arrivals_in(path: Path) -> list[tuple[float, dict, bytes]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [(at, headers, base64.b64decode(body)) for at, headers, body in map(json.loads, lines)]


async def _post(client, url: str, token: str, body: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    async with client.post(url, json=body or {}, headers=headers) as response:
        answer = orjson.loads(await response.read())
        if response.status >= 300:
            raise RuntimeError(f"{url}: {response.status} {answer}")
        return answer


async def book_one_seat_each(client, base: str, event: int, users: list, seats: list) -> None:
    """Each user books its seats one at a time (lock, reserve); the users all at once."""
    share = len(seats) // len(users)

    async def buyer(n: int, user: dict) -> None:
        for seat in seats[n * share : (n + 1) * share]:
            await _post(client, f"{base}/api/events/{event}/seats/{seat}/lock/", user["access"])
            body = {"seat_ids": [seat]}
            await _post(client, f"{base}/api/events/{event}/reserve/", user["access"], body)

    await asyncio.gather(*(buyer(n, user) for n, user in enumerate(users)))


async def hold_book_release(client, base: str, event: int, users: list, free: list) -> int:
    """Each user holds 8 free seats at once, books 4 and lets 4 go, 100 users at a time; the
    seats booked."""
    at, gate = f"{base}/api/events/{event}", asyncio.Semaphore(100)

    async def buyer(user: dict, seats: list[int]) -> None:
        async with gate:
            await _post(client, f"{at}/lock/", user["access"], {"seat_ids": seats})
            await _post(client, f"{at}/reserve/", user["access"], {"seat_ids": seats[:4]})
            for seat in seats[4:]:
                await _post(client, f"{at}/seats/{seat}/unlock/", user["access"])

    chosen = random.Random(1).sample(free, min(len(free), 8 * len(users)))
    tasks = [buyer(u, chosen[8 * n : 8 * n + 8]) for n, u in enumerate(users[: len(chosen) // 8])]
    await asyncio.gather(*tasks)
    return 4 * len(tasks)


def verified_latencies(arrivals, secret: str, expected: int) -> dict:
    """Latency of each reservation.confirmed (ms); every signature checked, every id once."""
    hook, ids, latencies, reservations = Webhook(secret), set(), [], set()
    for at, headers, body in arrivals:
        message = hook.verify(body, headers)
        ids.add(headers["webhook-id"])
        if message["type"] == "reservation.confirmed":
            reservations.add(message["data"]["id"])
            committed = datetime.fromisoformat(message["timestamp"])
            latencies.append((at - committed.timestamp()) * 1000)
    if len(reservations) != expected or len(ids) != len(arrivals):
        raise RuntimeError(f"{len(reservations)} reservations heard of, {expected} booked")
    return quantiles(latencies)


async def bookings_made(base: str, event: int, users: list, count: int) -> float:
    """Book `count` seats one at a time per user (the users all at once); bookings a second."""
    async with http_session(connections=200) as client:
        seats = [s["id"] for s in await fetch_seats(client, base, event)][:count]
        started = time.monotonic()
        await book_one_seat_each(client, base, event, users, seats)
        return round(count / (time.monotonic() - started), 1)


async def arena_sold(base: str, event: int, users: list, rounds: int) -> int:
    async with http_session(connections=200) as client:
        booked = 0
        for _ in range(rounds):
            seats = await fetch_seats(client, base, event)
            # Companion seats are sold only with a wheelchair space: left out, as are those.
            free = [
                s["id"]
                for s in seats
                if s["status"] == "available" and not (s["companion"] or s["accessible"])
            ]
            booked += await hold_book_release(client, base, event, users, free)
        return booked


async def inventory_route(base: str, event: int) -> dict:
    async with http_session() as client, client.get(f"{base}/api/events/{event}/inventory/") as r:
        return orjson.loads(await r.read())


def measure(options) -> dict:
    everyone = json.loads(
        setup(Path(tempfile.mkdtemp(prefix="bench-webhooks-")))["users"].read_text()
    )
    users, port = everyone[: options.buyers], free_port()
    event = new_event("Webhooks", rows=25)
    hook = f"http://127.0.0.1:{port}/hook"
    secret = manage("shell", "-c", REGISTER.format(url=hook, event=event)).split()[-1]
    arena = create_event("--name", "Arena", "--layout", str(ARENA))
    heard = Path(tempfile.mkdtemp(prefix="bench-webhooks-")) / "arrivals.jsonl"
    receiver = subprocess.Popen([PY, "-c", RECEIVER, str(port), str(heard)])
    worker = subprocess.Popen(
        [PY, "manage.py", "deliver_webhooks"],
        cwd=SERVER_ROOT,
        env=server_env(WEBHOOK_ALLOWED_HOSTS="127.0.0.1"),  # its receiver is this machine's
    )
    try:
        with servers() as (urls, _):
            per_s = asyncio.run(bookings_made(urls[0], event, users, options.bookings))
            deadline = time.monotonic() + 60
            while len(arrivals_in(heard)) < options.bookings and time.monotonic() < deadline:
                time.sleep(0.2)
            latency = verified_latencies(arrivals_in(heard), secret, options.bookings)
            booked = asyncio.run(arena_sold(urls[0], arena, everyone, options.arena_rounds))
            started = time.monotonic()
            manage("check_inventory", "--event", str(arena))
            command_s = time.monotonic() - started
            route = asyncio.run(inventory_route(urls[0], arena))
    finally:
        for process in (worker, receiver):
            process.terminate()
            process.wait(10)
    changes = manage("shell", "-c", CHANGES.format(event=arena)).split()[-1]
    return {
        "bookings": options.bookings,
        "buyers": len(users),
        "bookings_per_s": per_s,
        "commit_to_receiver_ms": latency,
        "arena": {"seats": 19671, "booked": booked, "ledger_changes": int(changes)},
        "check_inventory_command_s": round(command_s, 2),
        "inventory_route": route,
    }


CHANGES = (
    "from reservations.ledger.models import SeatChange\n"
    "print(SeatChange.objects.filter(event_id={event}).count())"
)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bookings", type=int, default=1000, help="one-seat bookings, each timed")
    p.add_argument("--buyers", type=int, default=50, help="buyers booking at once")
    p.add_argument("--arena-rounds", type=int, default=2, help="rounds before check_inventory")


def main(options: argparse.Namespace) -> int:
    result = measure(options)
    print(json.dumps(result, indent=1))
    return 0 if result["inventory_route"]["agrees"] else 1

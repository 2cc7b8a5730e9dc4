"""`python -m loadtest seat-list-cost [--root DIR] [--readers 1000]`: what the seat list of the
arena (reservations/venues/examples/arena.json, 19,671 seats) costs one server process, against
what a one-seat hold costs it (issue 36's target: a logged-in read at most three holds' worth of
CPU and at most 400 KB on the wire; 1,000 such readers at once all answered).

On the bench's database (BENCH_DB, created and migrated if need be) and Redis (BENCH_REDIS_URL),
with the server of `--root` (this checkout, or a `git worktree` of another head for an A/B),
`DEBUG=0`, its limits set out of reach: creates a fresh arena and `--readers` users, has 100 of
them hold one seat each (the hold's CPU), then reads the list 100 times as those holders (each
has a seat of their own: `mine`) and 100 times anonymously, with a browser's
`Accept-Encoding: gzip, deflate, br` (and once per coding for its size); and last, every
reader's list at once. Prints server CPU (user+system from /proc) per request, bytes on the
wire, and the crowd's statuses and latencies. Run it on a quiet machine.
"""

import argparse
import asyncio
import json
import time
from pathlib import Path

import orjson

from .api import fetch_map_ids, http_session, read_response
from .bench_databases import ARENA
from .bench_servers import ROOT, create_event, manage, servers
from .stats import proc_sample, quantiles

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=ROOT, help="checkout whose server is measured")
    p.add_argument("--readers", type=int, default=1000, help="readers at once, at the end")
    p.add_argument("--port", type=int, default=18932, help="the server's")


def main(args: argparse.Namespace) -> int:
    manage("createdb")
    manage("migrate", "-v", "0")
    event = create_event("--name", "Seat list cost", "--layout", str(ARENA))
    users = json.loads(manage("create_load_users", "--count", str(args.readers), "--prefix", "sl"))
    base = f"http://127.0.0.1:{args.port}"
    limits = {"SEAT_LIST_USER_RATE": "100000000/min"}
    with servers(root=args.root, port=args.port, **limits) as (_, (pid,)):
        asyncio.run(_measure(base, event, pid, users))
        asyncio.run(_crowd(f"{base}/api/events/{event}/seats/", pid, users))
    return 0


def _bearer(user: dict) -> dict:
    return {"Authorization": f"Bearer {user['access']}"}


async def _cpu_per_request(pid: int, requests) -> tuple[float, tuple]:
    before = proc_sample([pid])["cpu_s"]
    answers = [await read_response(request()) for request in requests]
    return (proc_sample([pid])["cpu_s"] - before) / len(answers), answers[-1]


async def _measure(base: str, event: int, pid: int, users: list[dict]) -> None:
    seats_url = f"{base}/api/events/{event}/seats/"
    async with http_session() as http:
        holders = users[:100]
        plan = await fetch_map_ids(http, base, event)
        seats = plan[:: len(plan) // len(holders)][: len(holders)]
        # The list's static part read, its chunks encoded.
        await read_response(http.get(seats_url, headers=BROWSER))
        hold, (answer, body) = await _cpu_per_request(
            pid,
            [
                lambda user=user, seat=seat: http.post(
                    f"{seats_url}{seat}/lock/", json={}, headers=_bearer(user)
                )
                for user, seat in zip(holders, seats, strict=True)
            ],
        )
        assert answer.status == 200, body
        print(f"{'one-seat hold':28s} {hold * 1e3:7.2f} ms")
        for name, readers in (
            ("seat list, logged in", [_bearer(holder) for holder in holders]),
            ("seat list, anonymous", [{}] * 100),
        ):
            spent, (answer, body) = await _cpu_per_request(
                pid,
                [lambda r=r: http.get(seats_url, headers={**BROWSER, **r}) for r in readers],
            )
            mine = sum(seat["mine"] for seat in orjson.loads(body)["seats"])
            print(
                f"{name:28s} {spent * 1e3:7.2f} ms  {spent / hold:5.2f} holds"
                f"  {answer.headers.get('content-encoding', 'identity')}"
                f" {int(answer.headers['content-length']):>9} B on the wire, mine {mine}"
            )
        for coding in ("deflate", "gzip", "br", "identity"):
            headers = {**_bearer(holders[0]), "Accept-Encoding": coding}
            answer, _ = await read_response(http.get(seats_url, headers=headers))
            print(f"{'  as ' + coding:28s} {int(answer.headers['content-length']):>9} B")


async def _crowd(url: str, pid: int, users: list[dict]) -> None:
    """Every reader's list at once, each with its own account; bodies counted, not decoded."""
    async with http_session(len(users), total_timeout=300, auto_decompress=False) as http:

        async def read(user: dict) -> tuple[int, float, int]:
            started = time.monotonic()
            answer, body = await read_response(http.get(url, headers={**BROWSER, **_bearer(user)}))
            return answer.status, time.monotonic() - started, len(body)

        before = proc_sample([pid])["cpu_s"]
        results = await asyncio.gather(*(read(user) for user in users), return_exceptions=True)
        spent = proc_sample([pid])["cpu_s"] - before
    answered = [r for r in results if not isinstance(r, BaseException) and r[0] == 200]
    times = quantiles([r[1] for r in answered], points=(0.5, 0.99))  # None each if none
    print(
        f"{len(users)} readers at once: {len(answered)} answered 200"
        f" ({len(results) - len(answered)} not), server CPU {spent / len(users) * 1e3:.2f} ms each,"
        f" p50 {times['p50']} s p99 {times['p99']} s max {times['max']} s,"
        f" {sum(r[2] for r in answered) / max(1, len(answered)) / 1e3:.0f} KB each"
    )

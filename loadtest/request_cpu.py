"""`python -m loadtest request-cpu [--root DIR] [--event ID]`: a server process's CPU per request
of each kind an arriving buyer makes, on the bench's database (`seatmap_bench`: run an on-sale
scenario of `python -m loadtest bench` first, which leaves the arena as event 1).

Starts one server from `--root` (this checkout, or a `git worktree` of another head for an A/B
comparison), asks each kind 100 times (the seat list 10) with a bearer token and
`Accept-Encoding: gzip, br`, and prints the server's user+system CPU per request (from /proc)
and the decoded size; then the CPU of a socket opened where the state left off (as the shipped
client opens it), answered and closed. Kinds the server does not have (an older head) are
skipped.
"""

import argparse
import asyncio
from pathlib import Path

import orjson
import websockets

from .api import http_session, read_response, ws_url
from .bench_servers import ROOT, manage, servers
from .stats import proc_sample


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=ROOT, help="checkout whose server is measured")
    p.add_argument("--event", type=int, default=1, help="the event read")
    p.add_argument("--port", type=int, default=18931, help="the server's")


def main(args: argparse.Namespace) -> int:
    with servers(root=args.root, port=args.port) as (_, (pid,)):
        token = manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "from rest_framework_simplejwt.tokens import RefreshToken;"
            "print(RefreshToken.for_user(get_user_model().objects.order_by('id').first())"
            ".access_token)",
        ).split()[-1]
        asyncio.run(_measure(f"http://127.0.0.1:{args.port}", args.event, pid, token))
    return 0


async def _measure(base: str, event_id: int, pid: int, token: str) -> None:
    event, bearer = f"{base}/api/events/{event_id}", {"Authorization": f"Bearer {token}"}
    async with http_session(headers={"Accept-Encoding": "gzip, br"}) as http:
        kinds = [("event", f"{event}/", {}), ("event, bearer", f"{event}/", bearer)]
        for name in ("map", "layout"):
            first, _ = await read_response(http.get(f"{event}/{name}/"))
            if first.status == 200:
                again = bearer | {"If-None-Match": first.headers["etag"]}
                kinds += [
                    (name, f"{event}/{name}/", bearer),
                    (f"{name} 304", f"{event}/{name}/", again),
                ]
        state, _ = await read_response(http.get(f"{event}/state/"))
        if state.status == 200:
            kinds += [("state", f"{event}/state/", {}), ("holds", f"{event}/holds/", bearer)]
        kinds.append(("seats, bearer", f"{event}/seats/", bearer))
        for name, url, headers in kinds:
            times = 10 if name.startswith("seats") else 100
            await read_response(http.get(url, headers=headers))
            before = proc_sample([pid])["cpu_s"]
            for _ in range(times):
                answer, body = await read_response(http.get(url, headers=headers))
            spent = (proc_sample([pid])["cpu_s"] - before) / times
            print(f"{name:14s} {answer.status} {spent * 1e3:7.2f} ms {len(body):>9} B")
        state, body = await read_response(http.get(f"{event}/state/"))
    if state.status == 200:
        at = orjson.loads(body)
        url = f"{ws_url(base, event_id)}?epoch={at['epoch']}&seq={at['seq']}"
        spent, first = await _sockets(url, pid, 100)
        print(f"{'socket':14s} {first:>3} {spent * 1e3:7.2f} ms  (opened, resumed, closed)")


async def _sockets(url: str, pid: int, times: int) -> tuple[float, str]:
    """Server CPU per socket opened with the state's position, answered, and closed; and the
    type of the first frame (`resumed`: no snapshot was sent)."""
    first = ""
    before = proc_sample([pid])["cpu_s"]
    for _ in range(times):
        async with websockets.connect(url) as socket:
            first = orjson.loads(await socket.recv())["type"]
    return (proc_sample([pid])["cpu_s"] - before) / times, first

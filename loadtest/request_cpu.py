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

import httpx
import orjson
import websockets

from .bench_servers import ROOT, manage, servers
from .stats import proc_sample


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=ROOT, help="checkout whose server is measured")
    p.add_argument("--event", type=int, default=1, help="the event read")
    p.add_argument("--port", type=int, default=18931, help="the server's")


def main(args: argparse.Namespace) -> int:
    base, event = f"http://127.0.0.1:{args.port}", f"/api/events/{args.event}"
    with servers(root=args.root, port=args.port) as (_, (pid,)):
        token = manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "from rest_framework_simplejwt.tokens import RefreshToken;"
            "print(RefreshToken.for_user(get_user_model().objects.order_by('id').first())"
            ".access_token)",
        ).split()[-1]
        bearer = {"Authorization": f"Bearer {token}"}
        http = httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip, br"}, timeout=60)
        kinds = [("event", f"{event}/", {}), ("event, bearer", f"{event}/", bearer)]
        for name in ("map", "layout"):
            first = http.get(f"{event}/{name}/")
            if first.status_code == 200:
                again = bearer | {"If-None-Match": first.headers["etag"]}
                kinds += [
                    (name, f"{event}/{name}/", bearer),
                    (f"{name} 304", f"{event}/{name}/", again),
                ]
        if http.get(f"{event}/state/").status_code == 200:
            kinds += [("state", f"{event}/state/", {}), ("holds", f"{event}/holds/", bearer)]
        kinds.append(("seats, bearer", f"{event}/seats/", bearer))
        for name, path, headers in kinds:
            times = 10 if name.startswith("seats") else 100
            http.get(path, headers=headers)
            before = proc_sample([pid])["cpu_s"]
            for _ in range(times):
                answer = http.get(path, headers=headers)
            spent = (proc_sample([pid])["cpu_s"] - before) / times
            print(
                f"{name:14s} {answer.status_code} {spent * 1e3:7.2f} ms {len(answer.content):>9} B"
            )
        state = http.get(f"{event}/state/")
        if state.status_code == 200:
            at = state.json()
            url = f"ws://127.0.0.1:{args.port}/ws/events/{args.event}/"
            url += f"?epoch={at['epoch']}&seq={at['seq']}"
            spent, first = asyncio.run(_sockets(url, pid, 100))
            print(f"{'socket':14s} {first:>3} {spent * 1e3:7.2f} ms  (opened, resumed, closed)")
    return 0


async def _sockets(url: str, pid: int, times: int) -> tuple[float, str]:
    """Server CPU per socket opened with the state's position, answered, and closed; and the
    type of the first frame (`resumed`: no snapshot was sent)."""
    first = ""
    before = proc_sample([pid])["cpu_s"]
    for _ in range(times):
        async with websockets.connect(url) as socket:
            first = orjson.loads(await socket.recv())["type"]
    return (proc_sample([pid])["cpu_s"] - before) / times, first

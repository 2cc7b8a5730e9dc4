"""The fan-out benchmark (docs/BENCHMARK-FANOUT.md): the same watchers, in the same run, on

  floor            a bare asyncio loop writing one pre-built frame to every socket (floor.py)
  uvicorn, daphne  this project (python -m config.server, or daphne), as `make bench` serves it
  tutorial-core    the Channels design of the tutorials (tutorial/app.py) on uvicorn, with
  tutorial-pubsub  channels_redis's RedisChannelLayer, or its RedisPubSubChannelLayer

at each number of watchers: server CPU per delivery, time from a trigger to the last watcher
(p50/p99), server memory per socket, and refusals when all of them connect within --storm
seconds. Writes the results as JSON, the plots as PNG, and the Results of the doc.

The project's servers use the bench's database (BENCH_DB, made afresh) and Redis db
(BENCH_REDIS_URL), as `python -m loadtest bench` does; the tutorial app uses that Redis db.

    python -m loadtest fanout                                 # the published run
    python -m loadtest fanout --sizes 50 --frames 5           # a smoke run
    python -m loadtest fanout --render loadtest-results/bench/fanout.json   # draw again
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import uvloop

from ..api import get_json, http_session, ws_url
from ..bench_databases import new_event, setup
from ..bench_machine import machine, wait_quiet
from ..bench_servers import PY, REDIS_URL, RESULTS, ROOT, free_port, servers, stop
from ..commands import UsageError
from .render import render
from .watch import Target, measure

# The size of the project's `seats` frame for one seat locked or unlocked (measured: ~190 and
# ~170 bytes); the floor's and the tutorial app's frames are made this long.
FRAME_BYTES = 180
LAYERS = {
    "tutorial-core": "channels_redis.core.RedisChannelLayer",
    "tutorial-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
SERVERS = ("floor", "uvicorn", "daphne", *LAYERS)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sizes", default="1000,5000,10000", help="numbers of watchers")
    p.add_argument("--servers", default=",".join(SERVERS), help="which, in this order")
    p.add_argument("--frames", type=int, default=50, help="frames triggered per server and size")
    p.add_argument("--gap", type=float, default=0.2, help="seconds between two frames")
    p.add_argument("--storm", type=float, default=2.0, help="all watchers connect within this")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after the storm, at least")
    p.add_argument(
        "--connect-timeout", type=float, default=120.0, help="seconds after --storm: refused"
    )
    p.add_argument(
        "--frame-timeout", type=float, default=30.0, help="seconds a frame may take to reach all"
    )
    p.add_argument(
        "--frame-bytes", type=int, default=FRAME_BYTES, help="the floor's and tutorial's frame"
    )
    p.add_argument(
        "--quiet-patience",
        type=float,
        default=60,
        help="wait up to this for an idle machine (0: not at all)",
    )
    p.add_argument("--json", type=Path, default=RESULTS / "fanout.json", help="the results")
    p.add_argument("--plots", type=Path, default=ROOT / "docs" / "fanout", help="the PNGs' folder")
    p.add_argument(
        "--doc",
        type=Path,
        default=ROOT / "docs" / "BENCHMARK-FANOUT.md",
        help="whose machine and results sections are written",
    )
    p.add_argument("--render", type=Path, help="draw saved results (JSON) again; run nothing")


def prepare(args: argparse.Namespace) -> None:
    try:
        args.sizes = [int(size) for size in args.sizes.split(",")]
    except ValueError:
        raise UsageError(f"--sizes: numbers, comma-separated: {args.sizes!r}") from None
    args.servers = args.servers.split(",")
    unknown = set(args.servers) - set(SERVERS)
    if unknown:
        raise UsageError(f"unknown server(s) {sorted(unknown)}: one of {', '.join(SERVERS)}")
    if not args.doc.is_file():  # said now, not after the run
        raise UsageError(f"--doc {args.doc}: no such file (a copy of docs/BENCHMARK-FANOUT.md)")


@contextlib.contextmanager
def process(command: list[str], port: int, env: dict | None = None):
    """A server process, yielded (its pid) once its port accepts; stopped afterwards."""
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{command[1:3]} did not start: {log.read()[-2000:]!r}")
                time.sleep(0.1)
            yield server.pid
        finally:
            stop(server)


def posts(*urls: str, headers: dict | None = None):
    """A trigger: POST to each of `urls` in turn (a lock, then its unlock, ...)."""
    turn = itertools.cycle(urls)

    async def trigger(session) -> None:
        url = next(turn)
        async with session.post(url, json={}, headers=headers) as answer:
            if answer.status >= 300:
                raise RuntimeError(f"trigger {url}: {answer.status} {await answer.text()}")

    return trigger


@contextlib.contextmanager
def floor(args, users: Path | None, n: int):
    port = free_port()
    command = [PY, str(Path(__file__).with_name("floor.py")), "--port", str(port)]
    with process([*command, "--frame-bytes", str(args.frame_bytes)], port) as pid:
        base = f"http://127.0.0.1:{port}"
        yield Target(f"ws://127.0.0.1:{port}/", base, posts(f"{base}/trigger"), [pid])


def project(kind: str):
    @contextlib.contextmanager
    def start(args, users: Path, n: int):
        event = new_event(f"fanout {n} {kind}")  # the fanout-N scenarios' event: 1,000 seats
        with servers(kind) as (urls, pids):
            base = urls[0]
            seat = f"{base}/api/events/{event}/seats/{asyncio.run(_first_seat(base, event))}"
            bearer = {"Authorization": f"Bearer {json.loads(users.read_text())[0]['access']}"}
            trigger = posts(f"{seat}/lock/", f"{seat}/unlock/", headers=bearer)
            yield Target(ws_url(base, event), base, trigger, pids)

    return start


def tutorial(layer: str):
    @contextlib.contextmanager
    def start(args, users: Path | None, n: int):
        stale = redis.Redis.from_url(REDIS_URL)  # the last run's group (the layers' keys)
        for key in stale.scan_iter("fanout.*"):
            stale.delete(key)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "loadtest.fanout.tutorial.settings",
            "FANOUT_LAYER": layer,
            "FANOUT_FRAME_BYTES": str(args.frame_bytes),
            "REDIS_URL": REDIS_URL,
        }
        app = "loadtest.fanout.tutorial.app:application"
        command = [PY, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning"]
        with process(command, port, env) as pid:
            base = f"http://127.0.0.1:{port}"
            yield Target(f"ws://127.0.0.1:{port}/ws/", base, posts(f"{base}/trigger"), [pid])

    return start


async def _first_seat(base: str, event: int) -> int:
    async with http_session() as http:
        return (await get_json(http, f"{base}/api/events/{event}/seats/"))["seats"][0]["id"]


STARTS = {"floor": floor, "uvicorn": project("uvicorn"), "daphne": project("daphne")}
STARTS |= {name: tutorial(layer) for name, layer in LAYERS.items()}


async def measured(target: Target, n: int, args) -> dict:
    async with http_session() as session:
        trigger = target.trigger
        target = target._replace(trigger=lambda: trigger(session))
        return await measure(target, n, args, REDIS_URL)


def described_machine() -> dict:
    """bench_machine's, with the processor's name (/proc/cpuinfo) and `nproc`."""
    with open("/proc/cpuinfo") as cpuinfo:
        names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {"cpu_model": names[0] if names else "unknown", "nproc": int(nproc), **machine()}


def run(args) -> dict:
    results = {
        "command": "python -m loadtest fanout " + " ".join(args.argv),
        "machine": described_machine(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        users = None
        if {"uvicorn", "daphne"} & set(args.servers):
            users = setup(Path(tmp), count=1)["users"]
        for n, name in itertools.product(args.sizes, args.servers):
            idle = wait_quiet(patience=args.quiet_patience) if args.quiet_patience else None
            try:
                with (
                    STARTS[name](args, users, n) as target,
                    asyncio.Runner(loop_factory=uvloop.new_event_loop) as client,
                ):
                    figures = client.run(measured(target, n, args))
            except Exception as exc:  # one server that fails must not lose the others
                figures = {"watchers": n, "failed": f"{type(exc).__name__}: {exc}"[:500]}
            results["runs"].append({"server": name, "machine_idle_before": idle, **figures})
            print(f"{name} {n}: {json.dumps(figures)}", flush=True)
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1))
    return results


def main(args: argparse.Namespace) -> int:
    results = json.loads(args.render.read_text()) if args.render else run(args)
    print(render(results, args.plots, args.doc))
    return 1 if any("failed" in r for r in results["runs"]) else 0

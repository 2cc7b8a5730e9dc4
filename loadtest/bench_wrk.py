"""The bench's capacity scenarios: wrk (a load client in C that costs little CPU) runs the
hold or the checkout as fast as the server answers, each connection a user with seats of
its own."""

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import orjson

from harness.pgbouncer import pgbouncer_in_front_of
from harness.servers import FLOOR

from .api import http_session, read_response
from .bench_databases import new_event, seat_ids
from .bench_machine import wait_quiet
from .bench_servers import ROOT, SERVER_ROOT, role_token, server_env, servers
from .stats import proc_sample
from .wrk_scripts import CHECKOUT_SCRIPT, PAY_CHECKOUT_SCRIPT, WRK_COMMON, WRK_SCRIPT


def wrk_loop(
    connections: int,
    script_text: str,
    seats_of,
    *,
    queued: bool = False,
    pooler: str = "",
    one_network: bool = False,
    floor: bool = False,
    paid: bool = False,
):
    """Each of `connections` users runs `script_text` (wrk's Lua) on seats of its own
    (`seats_of(seat_ids, i)` is user i's, as Lua text) for 10 s, as fast as answered: the
    server's capacity with a load client (wrk, in C) that costs little CPU. `queued`: the
    event's sale is behind a waiting room, and each user claims its turn first and holds with
    its token (API.md "Waiting room"): what the turn check costs. `pooler`: "pgbouncer", the
    server reaches PostgreSQL through PgBouncer 1.24 in transaction mode, which keeps prepared
    statements (as compose runs it): what the pooler costs, in the server, in PgBouncer and in
    PostgreSQL; "pgbouncer-1.18", through Debian 12's, which keeps none; "unprepared", straight
    to PostgreSQL with no prepared statements: the share of that cost that is statements
    parsed and planned on every run. Each user holds from a network of its own (wrk_scripts.py
    `network`, believed by the bench's servers), but with `one_network`: all from this host's,
    on an event whose organiser turned the rules of holds per network on, so that every hold
    of the run waits for the one network's lock (rules.py "Holds per address"): its worst
    case. `floor`: the bare hold of hold_floor.py instead of the project,
    in the same minutes (what a correct hold costs at least). `paid`: the event is paid at the
    venue (API.md "Paying"), and the script has a box-office member's token (`staff`)."""

    def run(ctx):
        if not shutil.which("wrk"):
            return {"name": ctx["name"], "failed": "wrk not installed (apt-get install wrk)"}
        room = ("--queue-opens", "now+0", "--on-sale", "now+0", "--max-active", "1000")
        extra = (*(room if queued else ()), *(NETWORK_RULES if one_network else ()))
        extra += ("--paid-with", "venue") if paid else ()
        event = new_event(f"wrk {connections}", rows=40, per_row=250, extra=extra)
        users = json.loads(Path(ctx["users"]).read_text())[:connections]
        networks = {"NUM_PROXIES": "0"} if one_network else {}  # X-Forwarded-For not believed
        with (
            _database(pooler) as (database_env, bouncer_pids),
            servers(
                FLOOR if floor else "uvicorn",
                root=ROOT if floor else SERVER_ROOT,
                **networks,
                **database_env,
            ) as (urls, pids),
        ):
            turns = asyncio.run(_turns(urls[0], event, users)) if queued else []
            staff = role_token("bench-box-office", "Box office") if paid else ""
            ids, path = seat_ids(event), ctx["workdir"] / f"{ctx['name']}.lua"
            seats = [seats_of(ids, i) for i in range(len(users))]
            script = wrk_script(
                path, script_text, users, seats, event=event, staff=staff, turns=turns
            )
            cmd = ["wrk", f"-t{connections}", f"-c{connections}", "-d10s", "--latency"]
            cmd += ["-s", str(script), urls[0]]
            wait_quiet()
            before = proc_sample(pids)
            bouncer_before, database_before = proc_sample(bouncer_pids), postgres_cpu()
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
            after = proc_sample(pids)
            others_cpu = {"database": since(database_before, postgres_cpu())}
            if bouncer_pids:
                others_cpu["pgbouncer"] = proc_sample(bouncer_pids)["cpu_s"]
                others_cpu["pgbouncer"] -= bouncer_before["cpu_s"]
        print(f"\n=== {ctx['name']}\n{out}", flush=True)
        rps, bookings, not_as_expected = wrk_figures(out)
        latency = {
            q: _wrk_ms(re.search(rf"\s{q}%\s+([\d.]+\w+)", out)[1]) for q in ("50", "90", "99")
        }
        cpu = after["cpu_s"] - before["cpu_s"]
        figures = {
            "name": ctx["name"],
            "command": " ".join(cmd),
            "connections": connections,
            "requests_per_s": rps,
            "latency_ms": {f"p{q}": v for q, v in latency.items()},
            "not_as_expected": not_as_expected,
            "server_cores": round(cpu / 10, 3),
            "server_cpu_ms_per_request": round(cpu / (rps * 10) * 1e3, 3),
            # PgBouncer's, and every PostgreSQL process's of the machine (measure on a quiet one).
            **{
                f"{k}_cpu_ms_per_request": round(v / (rps * 10) * 1e3, 3)
                for k, v in others_cpu.items()
            },
        }
        if bookings:
            figures["bookings_per_s"] = round(bookings / 10, 1)
            figures["server_cpu_ms_per_booking"] = round(cpu / bookings * 1e3, 3)
        return figures

    return run


# The organiser's switch of the rules of holds per network (off unless turned on: API.md).
NETWORK_RULES = ("--holds-limited-per-network",)


def wrk_script(path: Path, script_text: str, users, seats: list[str], tag="wrk", **values):
    """`script_text` (wrk_scripts.py's) for `users` (their tokens) and their `seats` (Lua
    text each), its Idempotency-Keys tagged `tag`; `values`: `event`, `staff`, `turns`."""
    values["turns"] = ",".join(f'"{turn}"' for turn in values.get("turns", ()))
    tokens = ",".join(f'"{u["access"]}"' for u in users)
    text = (WRK_COMMON + script_text).replace('"wrk-"', f'"{tag}-"')
    path.write_text(text % {"tokens": tokens, "seats": ",".join(seats), **values})
    return path


def wrk_figures(out: str) -> tuple[float, int, int]:
    """wrk's requests a second, and the script's bookings and answers not as expected."""
    found = [re.search(rf"{k}:\s+([\d.]+)", out)[1] for k in WRK_FIGURES]
    return float(found[0]), int(found[1]), int(found[2])


WRK_FIGURES = ("Requests/sec", "bookings", "not as expected")


def one_seat(seat_ids: list[int], i: int) -> str:
    return str(seat_ids[i * 7])


def wrk_holds(connections: int, **options):
    """Each user locks and unlocks a seat of its own (`options`: wrk_loop's)."""
    return wrk_loop(connections, WRK_SCRIPT, one_seat, **options)


async def _turns(base: str, event: int, users: list[dict]) -> list[str]:
    """Each user's turn token: take a place, wait to be called (the first tick calls them all:
    ten thousand free seats), claim."""
    queue = f"{base}/api/events/{event}/queue/"
    bearers = [{"Authorization": f"Bearer {user['access']}"} for user in users]
    turns = []
    async with http_session(total_timeout=30) as http:
        for bearer in bearers:
            joined, _ = await read_response(http.post(f"{queue}join/", json={}, headers=bearer))
            joined.raise_for_status()
        deadline = time.monotonic() + 30
        for bearer in bearers:
            while True:
                claim, body = await read_response(
                    http.post(f"{queue}claim/", json={}, headers=bearer)
                )
                if claim.status == 200:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"never called: {body.decode()}")
                await asyncio.sleep(0.2)
            turns.append(orjson.loads(body)["turn"]["token"])
    return turns


def pair(seat_ids: list[int], i: int) -> str:
    return f"'[{seat_ids[i * 7]},{seat_ids[i * 7 + 1]}]'"


def wrk_checkout(connections: int):
    """Each user locks two seats of its own (lock several), reserves them with an
    Idempotency-Key and cancels the booking, again and again (issue 11's checkout)."""
    return wrk_loop(connections, CHECKOUT_SCRIPT, pair)


def wrk_pay_checkout(connections: int):
    """The same on an event paid at the venue: lock, reserve (an order awaiting payment), the
    box office settles it, cancel (issue 58's checkout)."""
    return wrk_loop(connections, PAY_CHECKOUT_SCRIPT, pair, paid=True)


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit], 2)


# As many server connections as the fast path's pool has of PostgreSQL without PgBouncer.
BENCH_POOL_SIZE = 10


@contextlib.contextmanager
def _database(pooler: str):
    """The servers' way to PostgreSQL: straight, or through PgBouncer in transaction mode
    (harness/pgbouncer.py: `pgbouncer` 1.24, `pgbouncer-1.18`), or straight with no prepared
    statements (`unprepared`); the environment that says so, and PgBouncer's pid."""
    if not pooler:
        yield {}, []
        return
    if pooler == "unprepared":
        yield {"DATABASE_POOLER": "transaction"}, []
        return
    upstream = server_env()["DATABASE_URL"]
    kind = "transaction" if pooler == "pgbouncer-1.18" else "transaction-prepared"
    with pgbouncer_in_front_of(upstream, pooler=kind, pool_size=BENCH_POOL_SIZE) as bouncer:
        yield {"DATABASE_URL": bouncer.url, "DATABASE_POOLER": bouncer.pooler}, [bouncer.pid]


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL process of the machine (its server and backends), by
    pid."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/comm") as comm:
                if comm.read().strip() == "postgres":
                    pids.append(int(entry))
    return {pid: proc_sample([pid])["cpu_s"] for pid in pids}


def since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between the samples, backends started meanwhile included (the pools
    open connections as the load grows)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())

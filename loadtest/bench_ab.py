"""`python -m loadtest ab`: checkouts side by side, interleaved in the same minutes: each side's
server and PostgreSQL CPU a hold or a checkout, and each side against the first. This machine's
speed drifts from one hour to the next; a ratio of runs taken turn about does not.

    git worktree add /tmp/start 1cfba54
    python -m loadtest ab --side start=/tmp/start:checkout --side free=.:checkout \\
        --side paid=.:pay --rounds 10

A side is NAME=ROOT:SCRIPT. The checkout at ROOT serves on a database of its own (BENCH_DB_abN,
made by its own migrations, with 50 load users) and a Redis db of its own, and wrk runs SCRIPT
against it as the bench does (bench_wrk.py): `hold` (50 users lock and unlock a seat each,
holds-wrk-50), `checkout` (lock two, reserve, cancel: checkout-wrk-50), `pay` (the same on an
event paid at the venue, settled by the box office: pay-checkout-wrk-50), `floor` (the bare hold
of hold_floor.py, from this checkout). Every round runs each side once for --seconds, the order
turned by one each round, on seats no run has touched. CPU is the server's and every PostgreSQL
process's of the machine (run it on a quiet one): a hold's per request, a checkout's per
booking. Each round's ratio is against the first side's in the same round; the summary gives
their median and the ratio of the sums. Any answer wrk did not expect fails the run: a figure of
refusals is not a figure of holds.
"""

import argparse
import contextlib
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import orjson
import redis

from harness.servers import FLOOR

from .bench_databases import seat_ids, setup
from .bench_servers import DB, PG, REDIS_URL, ROOT, create_event, role_token, servers
from .bench_wrk import one_seat, pair, postgres_cpu, since, wrk_figures, wrk_script
from .commands import UsageError
from .stats import proc_sample
from .wrk_scripts import CHECKOUT_SCRIPT, PAY_CHECKOUT_SCRIPT, WRK_SCRIPT

SCRIPTS = {"hold": WRK_SCRIPT, "floor": WRK_SCRIPT, "checkout": CHECKOUT_SCRIPT}
SCRIPTS["pay"] = PAY_CHECKOUT_SCRIPT
USERS = 50
# Each round's seats are new: a user's holds and bookings of earlier rounds stay under these.
LIMITS = {"SEAT_HOLD_LIMIT": "1000", "SEAT_PURCHASE_LIMIT": "1000"}


class Side(NamedTuple):
    name: str
    root: Path
    script: str


def side(text: str) -> Side:
    name, _, rest = text.partition("=")
    root, _, script = rest.rpartition(":")
    if not name or not root or script not in SCRIPTS:
        scripts = "|".join(SCRIPTS)
        raise argparse.ArgumentTypeError(f"{text!r}: NAME=ROOT:SCRIPT, SCRIPT {scripts}")
    return Side(name, ROOT if script == "floor" else Path(root).resolve(), script)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--side", type=side, action="append", required=True, help="NAME=ROOT:SCRIPT")
    p.add_argument("--rounds", type=int, default=10, help="each side runs once a round")
    p.add_argument("--seconds", type=int, default=4, help="of each run")


def prepare(args: argparse.Namespace) -> None:
    names = [s.name for s in args.side]
    if len(names) < 2 or len(set(names)) != len(names):
        raise UsageError("--side: two or more, each named once")


def ratios(costs: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Each side's (median of its rounds' ratios, ratio of the sums) against the first side."""
    first = next(iter(costs.values()))
    return {
        name: (
            statistics.median(c / f for c, f in zip(cost, first, strict=True)),
            sum(cost) / sum(first),
        )
        for name, cost in costs.items()
    }


def _event(root: Path, db: str, script: str) -> tuple[int, list[int], str]:
    """An event of 50,000 seats for `script`: its id, its seat ids, the settling staff's token."""
    where = {"root": root, "DATABASE_URL": f"{PG}/{db}"}
    paid = ("--paid-with", "venue") if script == "pay" else ()
    grid = ("--rows", "200", "--seats-per-row", "250", "--price", "25", *paid)
    event = create_event("--name", "ab", *grid, **where)
    staff = role_token("bench-box-office", "Box office", **where) if paid else ""
    return event, seat_ids(event, where["DATABASE_URL"]), staff


class Running(NamedTuple):
    side: Side
    users: list[dict]
    event: int
    seats: list[int]
    staff: str  # the box office's token (pay)
    url: str
    pids: list[int]


def run_once(running: Running, fresh: list[int], tag: str, seconds: int, workdir: Path):
    """One wrk run of the side on seats `fresh`: (CPU seconds, holds or bookings, answers not as
    expected)."""
    s = running.side
    checkout = s.script in ("checkout", "pay")
    seats = [(pair if checkout else one_seat)(fresh, u) for u in range(USERS)]
    values = {"event": running.event, "staff": running.staff}
    path = wrk_script(
        workdir / f"{s.name}.lua", SCRIPTS[s.script], running.users, seats, tag, **values
    )
    cpu, database = proc_sample(running.pids)["cpu_s"], postgres_cpu()
    wrk = ["wrk", f"-t{USERS}", f"-c{USERS}", f"-d{seconds}s", "-s", str(path), running.url]
    out = subprocess.run(wrk, capture_output=True, text=True).stdout
    cpu = proc_sample(running.pids)["cpu_s"] - cpu + since(database, postgres_cpu())
    per_s, bookings, not_as_expected = wrk_figures(out)
    return cpu, bookings if checkout else round(per_s * seconds), not_as_expected


def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="ab-"))
    databases, prepared = {}, []
    for i, s in enumerate(args.side):
        if s.root not in databases:
            db = f"{DB}_ab{len(databases)}"
            users = setup(workdir, USERS, db, s.root)["users"]
            databases[s.root] = db, orjson.loads(users.read_bytes())[:USERS]
        db, users = databases[s.root]
        redis_url = REDIS_URL.rsplit("/", 1)[0] + f"/{10 + i}"
        redis.Redis.from_url(redis_url).flushdb()
        env = {"DATABASE_URL": f"{PG}/{db}", "REDIS_URL": redis_url, **LIMITS}
        prepared.append((s, env, users, *_event(s.root, db, s.script)))
    costs = {s.name: [] for s in args.side}
    with contextlib.ExitStack() as stack:
        running = []
        for s, env, users, event, seats, staff in prepared:
            kind = FLOOR if s.script == "floor" else "uvicorn"
            urls, pids = stack.enter_context(servers(kind, root=s.root, **env))
            running.append(Running(s, users, event, seats, staff, urls[0], pids))
        for r in range(args.rounds):
            for i in [(r + k) % len(running) for k in range(len(running))]:
                fresh = running[i].seats[(r * len(running) + i) * 7 * USERS :]
                name = running[i].side.name
                cpu, done, bad = run_once(running[i], fresh, f"ab{r}{name}", args.seconds, workdir)
                print(f"round {r + 1} {name}: {cpu / max(1, done) * 1e3:.3f} ms, {done} done")
                if bad or not done:
                    print(f"ab: {name} answered {bad} times not as expected: no figure")
                    return 1
                costs[name].append(cpu / done * 1e3)
    first = args.side[0].name
    for name, (median, summed) in ratios(costs).items():
        ms = statistics.median(costs[name])
        print(f"{name}: {ms:.3f} ms, x{median:.3f} of {first} (median), x{summed:.3f} (sums)")
    return 0

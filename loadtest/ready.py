"""Is this deployment ready for the on-sale an organiser expects (--arrivals-per-s, --watchers,
--clicks-per-s, --seats)? Three steps, then one line:

1. The capacity model (capacity.py, the unit costs of capacity_inputs.json) says what the whole
   load needs (server processes, the Redis primary's share, PostgreSQL cores), set against
   what this deployment has (--processes, one Redis primary, --postgres-cores).
2. The on-sale profile (`run --profile onsale`) runs against the deployment, scaled to what one
   load host drives. The rates stay the organiser's: the arrivals come at --arrivals-per-s (at
   most --host-arrivals-per-s) for --duration seconds, and enough buyers buy at once to make
   about --clicks-per-s booking calls (4 each: holds, a booking, sometimes a cancel; one
   account of --users each). What one host cannot open is the watchers: every arrival stays
   and watches, at most --host-watchers, a share of --watchers. So every process behind the
   URL meets the arrival storm and the click burst it will meet, and the sockets it lacks are
   the model's: a socket's and a delivery's costs are linear (`capacity --check`: 1,000 to
   10,000 sockets, 1 to 4 processes, within 15 %). With --server-pid the server's CPU per
   arrival measured on this event's map takes the place of the model's.
3. READY (every figure within its limit and the model's needs within the deployment, with the
   margin left), NOT READY (each figure that failed, and what to add per the model), or
   UNKNOWN (the run could not measure: set-up failed, no socket opened, no hold answered, an
   event smaller than --seats; or it would not say: a probe shorter than the sockets this host
   opens, an embedded server, SQLite or the in-memory layer, whose figures say nothing of a
   full stack's). Never READY on nothing. Exit status 0, 1 and 3. With --json FILE, its report
   FILE.html beside it (or --report): the answer in large type, then the run's.

    python -m loadtest ready --url http://127.0.0.1:8000 --event 2 --users users.json \\
        --arrivals-per-s 20 --watchers 200 --clicks-per-s 20 --seats 1000 --json ready.json
"""

import argparse
import dataclasses
import json
import math
from pathlib import Path

import aiohttp
import uvloop

from . import capacity, figures
from .api import http_session
from .auth import AUTH_MODES
from .commands import UsageError, base_url, parse, read_json, write_result
from .run import main_async
from .stats import HOLD_OPS

CALLS_PER_BUYER = 4  # a buyer's journey: 1-4 holds, a booking, a cancel one time in ten
BUY_WITHIN = 60.0  # seconds the buyers have to finish (the run's --duration)
EXIT = {"READY": 0, "NOT READY": 1, "UNKNOWN": 3}


def arguments(p: argparse.ArgumentParser) -> None:
    p.usage = (
        "%(prog)s --url URL --event ID --users FILE --arrivals-per-s A --watchers W "
        "--clicks-per-s C [--seats S] [--duration SECONDS] [--server-pid PID] [...]"
    )
    g = p.add_argument_group("the on-sale expected")
    g.add_argument("--arrivals-per-s", type=float, required=True, help="buyers opening the map")
    g.add_argument("--watchers", type=int, required=True, help="sockets open at once")
    g.add_argument("--clicks-per-s", type=float, required=True, help="booking calls a second")
    g.add_argument("--seats", type=int, help="the event's seats: the run's event has as many")
    g.add_argument("--frames-per-s", type=float, default=10.0, help="seat frames per socket")
    g = p.add_argument_group("the deployment")
    g.add_argument(
        "--url", type=base_url, action="append", default=[], help="base URL (as run's --url)"
    )
    g.add_argument("--event", type=int, required=True, help="an event of its own for the run")
    g.add_argument("--users", required=True, help="users file (as run's): one per buyer")
    g.add_argument("--auth", choices=AUTH_MODES, default="client", help="as run's --auth")
    g.add_argument(
        "--server-pid", type=int, action="append", default=[], help="each server process's"
    )
    g.add_argument("--metrics-token", help="as run's: for the verdict's inventory check")
    g.add_argument("--processes", type=int, help="behind --url [default: one a --server-pid, or 1]")
    g.add_argument("--postgres-cores", type=int, default=1, help="PostgreSQL cores it has")
    g = p.add_argument_group("the load host and the limits")
    g.add_argument("--duration", type=float, default=10.0, help="seconds of arrivals")
    g.add_argument("--host-watchers", type=int, default=1000, help="sockets this host opens")
    g.add_argument("--host-arrivals-per-s", type=float, default=500.0, help="arrivals it starts")
    g.add_argument("--hold-p99-ms", type=float, default=500.0, help="limit: p99 of the holds")
    g.add_argument("--push-p99-ms", type=float, default=1000.0, help="limit: push latency p99")
    g.add_argument("--map-p99-ms", type=float, default=2000.0, help="limit: time to a usable map")
    g.add_argument("--max-errors", type=int, default=0, help="limit: 5xx and calls unanswered")
    g.add_argument("--unit-costs", type=Path, default=capacity.INPUTS, help="the model's costs")
    g.add_argument("--json", metavar="FILE", help="the run's figures and the readiness as JSON")
    g.add_argument(
        "--report",
        metavar="FILE",
        help="the answer and the run's figures as one HTML page [default: beside --json, "
        "FILE.html, if --json is given]",
    )
    g.add_argument("--quiet", action="store_true", help="no progress line")
    g.add_argument("--seed", type=int, help="random seed")


def prepare(args: argparse.Namespace) -> None:
    rates = (args.arrivals_per_s, args.clicks_per_s, args.duration, args.host_arrivals_per_s)
    if min(args.watchers, args.host_watchers) < 1 or min(rates) <= 0:
        raise UsageError("the figures, --duration and the host's: more than 0")
    args.processes = args.processes or len(args.server_pid) or 1
    args.url = [u.rstrip("/") for u in args.url or ["http://127.0.0.1:8000"]]


@dataclasses.dataclass(frozen=True)
class Scale:
    """The on-sale one load host runs: the expected rates, a share of the watchers."""

    arrivals: int
    arrivals_per_s: float
    buyers: int
    watcher_share: float
    click_share: float  # of the clicks a second expected, the buyers' calls at once

    @classmethod
    def of(cls, args: argparse.Namespace, accounts: int) -> "Scale":
        rate = min(args.arrivals_per_s, args.host_arrivals_per_s)
        arrivals = max(1, min(args.watchers, args.host_watchers, round(rate * args.duration)))
        buyers = min(math.ceil(args.clicks_per_s / CALLS_PER_BUYER), accounts, arrivals)
        share = min(1.0, buyers * CALLS_PER_BUYER / args.clicks_per_s)
        return cls(arrivals, rate, buyers, arrivals / args.watchers, share)

    def run_argv(self, args: argparse.Namespace) -> list[str]:
        argv = [f"--url={u}" for u in args.url] + [f"--server-pid={p}" for p in args.server_pid]
        argv += ["--event", str(args.event), "--users", args.users, "--auth", args.auth]
        argv += ["--profile", "onsale", "--arrivals", str(self.arrivals)]
        argv += ["--arrive-within", str(self.arrivals / self.arrivals_per_s)]
        argv += ["--click-share", str(self.buyers / self.arrivals), "--duration", str(BUY_WITHIN)]
        argv += ["--metrics-token", args.metrics_token] if args.metrics_token else []
        argv += ["--quiet"] if args.quiet else []
        return argv + (["--seed", str(args.seed)] if args.seed is not None else [])

    def line(self) -> str:
        return (
            f"the run: {self.arrivals:,} arrivals at {self.arrivals_per_s:g}/s who stay and watch"
            f" ({self.watcher_share * 100:.3g}% of the watchers); buyers: {self.buyers} at once"
            f" (~{self.buyers * CALLS_PER_BUYER} calls, {self.click_share * 100:.3g}% of the"
            " clicks a second)"
        )


@dataclasses.dataclass(frozen=True)
class Check:
    """A figure and its limit: the run's (at its scale) or the model's (the whole load against
    what the deployment has)."""

    name: str
    value: float
    limit: float
    unit: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.limit

    def __str__(self) -> str:
        value, limit = (
            f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}" for x in (self.value, self.limit)
        )
        return f"{self.name} {value}{self.unit} {'of' if self.ok else 'over'} {limit}{self.unit}"


def unknown_why(result: dict, args: argparse.Namespace) -> str | None:
    """Why the run measured nothing to judge by, or None."""
    stopped = [f for f in result["verdict"]["failures"] if f.startswith("stopped early")]
    ops = result["clicks"]["by_op"]
    if stopped:
        return stopped[0]
    if not result["connect"]["ready"]:
        return f"no socket opened ({result['connect']['refusal_reasons'] or 'none refused'})"
    if not sum(ops.get(op, {}).get("ok", 0) for op in HOLD_OPS):
        return f"no hold answered 2xx (errors: {result['clicks']['errors_by_code'] or 'none'})"
    if args.seats and result["seats"] < args.seats:
        return (
            f"event {args.event} has {result['seats']:,} seats, the sale {args.seats:,}: an "
            "arrival's cost grows with the map; run on an event of that size"
        )
    if result["push"]["latency_ms"]["p99"] is None:
        return "no push was timed"
    return None


async def engines_of(args: argparse.Namespace) -> dict[str, str | None]:
    """What each --url says it serves with: the X-Seatmap-Engines of its GET /api/health/
    (None where that refused the load tester: give --metrics-token)."""
    headers = {"Authorization": f"Bearer {args.metrics_token}"} if args.metrics_token else None
    said = {}
    async with http_session() as client:
        for base in args.url:
            async with client.get(f"{base}/api/health/", headers=headers) as answer:
                said[base] = answer.headers.get("X-Seatmap-Engines")
    return said


def embedded_why(engines: dict[str, str | None]) -> str | None:
    """Why the servers' figures cannot say READY for an on-sale, or None: one of them is
    embedded (SQLite, or the in-memory layer, which reaches no other process)."""
    for base, said in engines.items():
        if said and ("database=sqlite" in said or "InMemoryChannelLayer" in said):
            return (
                f"{base} is an embedded server ({said}): its figures say nothing of the full "
                "stack an on-sale needs; ask one (config/run-full-stack.sh, compose, "
                "python -m harness.stack)"
            )
    return None


def short_why(result: dict, args: argparse.Namespace) -> str | None:
    """A probe that ended before this host opened the sockets it can (--duration too short for
    the arrivals a second): the model would carry almost all of the watchers on a handful."""
    opened = result["config"]["arrivals"]
    could = min(args.watchers, args.host_watchers)
    if opened >= could:
        return None
    rate = min(args.arrivals_per_s, args.host_arrivals_per_s)
    return (
        f"the probe opened {opened:,} sockets ({rate:g} arrivals/s for --duration "
        f"{args.duration:g}) of the {could:,} this host opens for {args.watchers:,} watchers: "
        f"too few to say READY; give --duration {math.ceil(could / rate)}"
    )


def measured_checks(result: dict, args: argparse.Namespace) -> list[Check]:
    ops, arrivals, clicks = result["clicks"]["by_op"], result["arrivals"], result["clicks"]
    answers = [(s, n) for r in arrivals["requests"].values() for s, n in r["statuses"].items()]
    errors = sum(n for s, n in answers if s == "0" or int(s) >= 500)
    hold_p99 = max(ops[op]["latency_ms"]["p99"] for op in HOLD_OPS if op in ops)
    return [
        Check("hold p99", hold_p99, args.hold_p99_ms, " ms"),
        Check("push p99", result["push"]["latency_ms"]["p99"], args.push_p99_ms, " ms"),
        Check("map p99", arrivals["time_to_map_ms"]["p99"] or math.inf, args.map_p99_ms, " ms"),
        Check(
            "errors (5xx, unanswered)",
            errors + clicks["server_errors"] + clicks["unanswered"],
            args.max_errors,
        ),
        Check("arrivals without a map", arrivals["arrivals"] - arrivals["maps_usable"], 0),
    ]


def model_checks(plan: capacity.Plan, costs: capacity.UnitCosts, args) -> list[Check]:
    """What the whole load needs of each engine (the plan's share before rounding up)."""
    usable = costs.usable_core_share
    tps = plan.postgres_transactions_per_s / (costs.postgres_transactions_per_s_per_core * usable)
    return [
        Check("server processes", plan.processes_needed, args.processes),
        Check("Redis primary", plan.redis_primary_share, 1),
        Check("PostgreSQL cores", tps, args.postgres_cores),
    ]


def to_add(plan: capacity.Plan, args: argparse.Namespace) -> list[str]:
    """What the model says this deployment lacks for the whole load."""
    wanted = [
        (plan.processes - args.processes, "server process", "server processes"),
        (plan.postgres_cores - args.postgres_cores, "PostgreSQL core", "PostgreSQL cores"),
    ]
    adds = [f"add {n} {one if n == 1 else many}" for n, one, many in wanted if n > 0]
    return adds + (["Redis is past its one primary"] if plan.redis_primary_share > 1 else [])


def judge(result: dict | None, why: str | None, args: argparse.Namespace) -> dict:
    """The readiness of the run's `result` (None if it did not run, and `why`): its status,
    its line, the checks and the model's plan it stands on."""
    costs = capacity.UnitCosts.of(json.loads(args.unit_costs.read_text())["inputs"])
    arrival_ms = ((result or {}).get("arrivals") or {}).get("server_cpu_ms_per_arrival")
    if arrival_ms:  # this event's map on this deployment, measured (--server-pid)
        costs = dataclasses.replace(costs, cpu_s_per_arrival=arrival_ms / 1e3)
    load = capacity.Load(args.watchers, args.arrivals_per_s, args.clicks_per_s, args.frames_per_s)
    plan = capacity.plan(load, costs)
    why = why or unknown_why(result, args)
    checks = [] if why else measured_checks(result, args) + model_checks(plan, costs, args)
    failed = [str(c) for c in checks if not c.ok]
    if why:
        status, said = "UNKNOWN", why
    elif failed or not result["verdict"]["passed"]:
        failed += [f"the verdict failed: {f}" for f in result["verdict"]["failures"]]
        adds = to_add(plan, args) or [
            "the model finds enough here, so its unit costs are below this deployment's "
            + ("(look at what the server waits on)" if arrival_ms else "(give --server-pid)")
        ]
        status, said = "NOT READY", f"{'; '.join(failed)}; {', '.join(adds)}"
    elif short := short_why(result, args):
        status, said = "UNKNOWN", short
    else:  # the margin: the share of a limit left where the least is left
        tightest = max((c for c in checks if c.limit), key=lambda c: c.value / c.limit)
        margin = 1 - tightest.value / tightest.limit
        load_said = f"{args.arrivals_per_s:g} arrivals/s, {args.watchers:,} watchers"
        status = "READY"
        said = (
            f"carries {load_said} and {args.clicks_per_s:g} clicks/s, no seat sold twice; "
            f"margin {margin:.0%} (tightest: {tightest})"
        )
    return {
        "status": status,
        "line": f"{status}: {said}",
        "argv": getattr(args, "argv", []),  # as given to `ready`, for the report
        "checks": [{**dataclasses.asdict(c), "ok": c.ok, "text": str(c)} for c in checks],
        "load": dataclasses.asdict(load),
        "plan": dataclasses.asdict(plan),
        "cpu_s_per_arrival_measured": bool(arrival_ms),  # in the model, for the unit cost's
        "deployment": {k: getattr(args, k) for k in ("processes", "postgres_cores")},
    }


def main(args: argparse.Namespace) -> int:
    result = None
    accounts = len(read_json(args.users, "a users file"))
    why = embedded_why(uvloop.run(engines_of(args)))
    if why is None:
        try:
            if not accounts:
                raise SystemExit(f"{args.users} has no account: each buyer needs one")
            scale = Scale.of(args, accounts)
            print(scale.line())
            result = uvloop.run(main_async(parse("run", scale.run_argv(args))))
            print(figures.table(result))
        except (SystemExit, OSError, ValueError, aiohttp.ClientError) as exc:
            why = f"set-up failed: {exc}"
    readiness = judge(result, why, args)
    if readiness["checks"]:  # the model's needs, beside what the run measured against them
        plan = capacity.Plan(**readiness["plan"])
        print(capacity.plan_table(capacity.Load(**readiness["load"]), plan))
    for check in readiness["checks"]:
        print(f"  {'ok  ' if check['ok'] else 'FAIL'}  {check['text']}")
    found = {**(result or {}), "readiness": readiness}
    write_result(found, args.json, args.report)
    print(readiness["line"])  # the answer, last
    return EXIT[readiness["status"]]

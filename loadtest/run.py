"""One load run: connect watchers in bursts, click, settle, check the verdict, report."""

import argparse
import asyncio
import math
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
import orjson

from .clickers import PROFILES, TRANSPORT_ERRORS, Clicker, run_clicker
from .procs import Child, child_main, merge_receipts
from .stats import Recorder, proc_sample, quantiles, self_sample
from .watchers import Poller, Watcher

DESCRIPTION = """\
Load generator for the live seat map. Opens N watchers on one event (WebSockets keeping the
seat model of PROTOCOL.md, or pollers with --poll), then M clickers (users with bearer tokens
from `manage.py create_load_users`) hold and book seats at once. It times every push (from the
`ts` commit stamp of each `seats` message) and every request, then checks the verdict through
the API: no seat in two confirmed reservations, no seat held by two users, and every watcher's
final model equal to the server's seat list. Exit status 1 if the verdict fails.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m loadtest",
        description=DESCRIPTION,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    g = p.add_argument_group("target")
    g.add_argument(
        "--url",
        action="append",
        default=[],
        help="server base URL; repeat to spread watchers and clickers over several "
        "processes (round robin) [default: http://127.0.0.1:8000]",
    )
    g.add_argument("--event", type=int, required=True, help="event id to watch and click on")
    g.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="server process id (repeatable): CPU seconds and RSS read from /proc",
    )
    g = p.add_argument_group("watchers")
    g.add_argument("--watchers", type=int, default=100, help="number of watchers")
    g.add_argument(
        "--connect-burst", type=int, default=500, help="watchers opened at once in one burst"
    )
    g.add_argument("--connect-interval", type=float, default=0.2, help="seconds between bursts")
    g.add_argument(
        "--connect-within",
        type=float,
        default=None,
        help="open all watchers within this many seconds (sets --connect-interval)",
    )
    g.add_argument(
        "--connect-timeout",
        type=float,
        default=60,
        help="seconds to wait for every watcher's first snapshot",
    )
    g.add_argument(
        "--poll",
        type=float,
        default=0,
        help="seconds: watchers fetch GET /api/events/{id}/seats/ this often instead "
        "of a socket (the seed design); one socket watcher stays as the reference "
        "clock for staleness",
    )
    g.add_argument(
        "--procs",
        type=int,
        default=1,
        help="client processes the watchers are spread over (a process reading thousands of "
        "sockets is itself a queue; not with --poll)",
    )
    g.add_argument("--child-index", type=int, default=None, help=argparse.SUPPRESS)
    g.add_argument(
        "--deflate",
        action="store_true",
        help="offer permessage-deflate on the sockets (off by default)",
    )
    g = p.add_argument_group("clickers")
    g.add_argument(
        "--users",
        help="JSON file of users with `access` tokens (manage.py create_load_users --output FILE)",
    )
    g.add_argument(
        "--clickers", type=int, default=0, help="number of clickers (at most the number of users)"
    )
    g.add_argument(
        "--profile",
        choices=PROFILES,
        default="uniform",
        help="uniform: own seats; hot: all on the same --hot-seats; book: lock "
        "--book-size then reserve; churn: lock, unlock, lock random seats",
    )
    g.add_argument(
        "--rate",
        type=float,
        default=0,
        help="actions per second across all clickers (0: each clicker as fast as "
        "answered, closed loop)",
    )
    g.add_argument("--duration", type=float, default=10, help="seconds of clicking")
    g.add_argument("--hot-seats", type=int, default=1, help="K seats of the hot profile")
    g.add_argument("--clicks", type=int, default=1, help="lock requests per hot clicker")
    g.add_argument("--book-size", type=int, default=4, help="seats per booking (book profile)")
    g.add_argument(
        "--hold-limit",
        type=int,
        default=10,
        help="the server's SEAT_HOLD_LIMIT: clickers release before reaching it",
    )
    g.add_argument(
        "--http-connections",
        type=int,
        default=0,
        help="HTTP connections of the clickers' pool (0: one per clicker)",
    )
    g = p.add_argument_group("run")
    g.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds to wait after clicking for pushes to arrive before the verdict",
    )
    g.add_argument(
        "--idle",
        type=float,
        default=1.0,
        help="seconds of idle after all watchers connected (memory per watcher)",
    )
    g.add_argument("--no-verdict", action="store_true", help="skip the verdict")
    g.add_argument("--json", metavar="FILE", help="write every figure to FILE as JSON")
    g.add_argument("--quiet", action="store_true", help="no progress line")
    g.add_argument("--seed", type=int, default=None, help="random seed")
    return p


def parse_args(argv=None) -> argparse.Namespace:
    p = build_parser()
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what --procs children get
    args.child_results = []
    args.url = [u.rstrip("/") for u in (args.url or ["http://127.0.0.1:8000"])]
    if args.procs < 1 or (args.procs > 1 and args.poll):
        p.error("--procs is 1 or more, and 1 with --poll")
    if args.clickers and not args.users:
        p.error("--clickers needs --users")
    args.user_rows = orjson.loads(Path(args.users).read_bytes()) if args.users else []
    return args


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def ws_url(base: str, event_id: int) -> str:
    parsed = urlparse(base)
    scheme = "wss" if parsed.scheme == "https" else "ws"
    return f"{scheme}://{parsed.netloc}/ws/events/{event_id}/"


class Progress:
    def __init__(self, rec: Recorder, quiet: bool):
        self.rec, self.quiet, self.phase = rec, quiet, "start"
        self.started = time.monotonic()

    def line(self) -> str:
        rec = self.rec
        lat = rec.push_latency_ns[-2000:]
        p99 = quantiles(lat, 1e-6)["p99"] if lat else None
        req = len(rec.requests)
        ok = sum(1 for r in rec.requests[-5000:] if r[2] == "ok")
        return (
            f"[{time.monotonic() - self.started:6.1f}s {self.phase:8}] "
            f"ws {rec.connected} up {len(rec.first_snapshot_ns)} ready {rec.refused} refused "
            f"{rec.dropped} dropped | pushes {len(rec.push_latency_ns)} p99~{p99} ms | "
            f"requests {req} (ok {ok} of last {min(req, 5000)}) polls {rec.polls} "
            f"errors {sum(rec.errors.values())}"
        )

    async def run(self):
        if self.quiet:
            return
        while True:
            sys.stderr.write("\r" + self.line()[:200].ljust(200))
            sys.stderr.flush()
            await asyncio.sleep(1)


def http_session(connections: int = 0, total_timeout: float | None = 60) -> aiohttp.ClientSession:
    """aiohttp: ~0.17 ms of client CPU per request here against ~3.8 ms for httpx, which made
    the load client, not the server, the limit of every click scenario (BENCHMARKS.md)."""
    return aiohttp.ClientSession(
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends: reusing one the
        # server is closing at that instant fails a POST with a reset (no retry for POST).
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=4),
        timeout=aiohttp.ClientTimeout(total=total_timeout),
    )


async def get_json(client: aiohttp.ClientSession, url: str, headers=None):
    async with client.get(url, headers=headers) as response:
        response.raise_for_status()
        return orjson.loads(await response.read())


async def fetch_seats(
    client: aiohttp.ClientSession, base: str, event_id: int, token=None, attempts: int = 10
) -> list:
    """The seat list; a 503 (the server out of database connections) is retried for ~20 s."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{base}/api/events/{event_id}/seats/"
    for attempt in range(attempts):
        try:
            return (await get_json(client, url, headers))["seats"]
        except aiohttp.ClientResponseError as exc:
            if exc.status != 503 or attempt == attempts - 1:
                raise
        await asyncio.sleep(2)
    raise AssertionError("unreachable")


async def open_watchers(watchers: list, args) -> tuple[list, int]:
    """Open the watchers in bursts (this process's share of each burst) and wait for their
    snapshots, up to --connect-timeout. Returns their tasks and when the last burst opened."""
    burst = max(1, math.ceil(args.connect_burst / args.procs))
    bursts = max(1, math.ceil(len(watchers) / burst))
    interval = args.connect_interval
    if args.connect_within is not None:
        interval = args.connect_within / bursts if bursts > 1 else 0
    tasks = []
    for b in range(bursts):
        for w in watchers[b * burst : (b + 1) * burst]:
            tasks.append(asyncio.ensure_future(w.run()))
        if b < bursts - 1 and interval:
            await asyncio.sleep(interval)
    opened_at = time.time_ns()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(w.ready.wait() for w in watchers)), args.connect_timeout
        )
    except TimeoutError:
        not_ready = sum(1 for w in watchers if not w.ready.is_set())
        watchers[0].rec.errors["watcher_not_ready_in_time"] += not_ready
    return tasks, opened_at


async def main_async(args: argparse.Namespace) -> dict:
    if args.seed is not None:
        random.seed(args.seed)
    rec = Recorder()
    progress = Progress(rec, args.quiet)
    progress_task = asyncio.ensure_future(progress.run())
    nofile = raise_nofile()
    pids = args.server_pid
    admin = http_session()
    seats = await fetch_seats(admin, args.url[0], args.event)
    seat_ids = [s["id"] for s in seats]
    args.initial_versions = {s["id"]: s["version"] for s in seats}
    result: dict = {
        "config": {
            k: v for k, v in vars(args).items() if k not in ("initial_versions", "user_rows")
        },
        "seats": len(seat_ids),
        "nofile_limit": nofile,
    }

    # --- watchers, opened in bursts ---------------------------------------------------------
    progress.phase = "connect"
    before = proc_sample(pids)
    client_before = self_sample()
    watchers: list = []
    sockets = http_session(total_timeout=None)  # the watchers' WebSockets: open for the run
    pollers_client = None
    if args.poll:
        pollers_client = http_session()
        reference = Watcher(
            -1,
            ws_url(args.url[0], args.event),
            args.url[0],
            rec,
            deflate=args.deflate,
            session=sockets,
        )
        watchers.append(reference)
    for i in range(args.watchers):
        if i % args.procs:
            continue  # a child process's watcher (--procs)
        base = args.url[i % len(args.url)]
        if args.poll:
            watchers.append(
                Poller(i, f"{base}/api/events/{args.event}/seats/", pollers_client, rec, args.poll)
            )
        else:
            watchers.append(
                Watcher(
                    i, ws_url(base, args.event), base, rec, deflate=args.deflate, session=sockets
                )
            )
    children = [await Child.start(args.argv, k) for k in range(1, args.procs)]
    connect_started = time.time_ns()
    tasks, opened_at = await open_watchers(watchers, args)
    opened_in = (opened_at - connect_started) / 1e9
    ready = [w for w in watchers if w.ready.is_set() and not w.closed and w.failed is None]
    children_ready = [await child.ready() for child in children]
    refusal_reasons = Counter(w.failed.split(":")[0] for w in watchers if w.failed)
    for k, payload in enumerate(children_ready, start=1):
        rec.refused += payload["refused"]
        rec.errors["watcher_not_ready_in_time"] += payload["not_ready"]
        refusal_reasons.update(payload["refusal_reasons"])
        for n, at in enumerate(payload["first_snapshot_ns"]):
            rec.first_snapshot_ns[f"child{k}-{n}"] = at
    if not rec.errors["watcher_not_ready_in_time"]:
        del rec.errors["watcher_not_ready_in_time"]
    n_ready_all = len(ready) + sum(p["ready"] for p in children_ready)
    snap_times = [t - connect_started for t in rec.first_snapshot_ns.values()]
    result["connect"] = {
        "watchers": args.watchers,
        "bursts": max(1, math.ceil(args.watchers / args.connect_burst)),
        "burst": args.connect_burst,
        "client_processes": args.procs,
        "opened_in_s": round(opened_in, 3),
        "ready": n_ready_all,
        "ready_by_process": [len(ready)] + [p["ready"] for p in children_ready],
        "refused": rec.refused,
        "refusal_reasons": dict(refusal_reasons),
        "time_to_all_snapshots_s": round(max(snap_times) / 1e9, 3) if snap_times else None,
        "time_to_snapshot": quantiles(snap_times, 1e-6),
    }

    # --- idle: memory per watcher -----------------------------------------------------------
    progress.phase = "idle"
    await asyncio.sleep(args.idle)
    idle = proc_sample(pids)
    client_idle = self_sample()
    n_ready = max(1, n_ready_all)
    result["idle_memory"] = {
        "server_rss_before_bytes": before["rss_bytes"],
        "server_rss_idle_bytes": idle["rss_bytes"],
        "server_bytes_per_watcher": round((idle["rss_bytes"] - before["rss_bytes"]) / n_ready)
        if pids
        else None,
        "client_bytes_per_watcher": round(  # this process's own watchers
            (client_idle["rss_bytes"] - client_before["rss_bytes"]) / max(1, len(ready))
        ),
        "server_cpu_connect_s": round(idle["cpu_s"] - before["cpu_s"], 3) if pids else None,
    }

    # --- clickers ---------------------------------------------------------------------------
    users = []
    if args.clickers:
        users = args.user_rows[: args.clickers]
        if len(users) < args.clickers:
            raise SystemExit(f"--users has {len(users)} users, --clickers wants {args.clickers}")
    pool = args.http_connections or max(1, len(users))
    click_client = http_session(pool)
    clickers = [
        Clicker(
            i,
            u,
            args.url[i % len(args.url)],
            args.event,
            click_client,
            rec,
            hold_limit=args.hold_limit,
        )
        for i, u in enumerate(users)
    ]
    if clickers:
        progress.phase = "warm"
        sem = asyncio.Semaphore(200)

        async def warm(c: Clicker):
            async with sem:
                try:  # opens its connection, and learns what it holds from earlier runs
                    mine = await fetch_seats(click_client, c.base, args.event, c.user["access"])
                    c.held = [s["id"] for s in mine if s["mine"] and s["status"] == "locked"]
                    if args.profile == "hot":  # room under the hold limit for the one click
                        await c.make_room(args.clicks)
                except TRANSPORT_ERRORS as exc:
                    rec.errors[f"warmup:{type(exc).__name__}"] += 1

        await asyncio.gather(*(warm(c) for c in clickers))
    shuffled = list(seat_ids)
    random.shuffle(shuffled)
    hot = shuffled[: max(1, args.hot_seats)]
    free = shuffled[len(hot) :]
    shares = [free[i :: max(1, len(clickers))] for i in range(len(clickers))]
    per_clicker_interval = len(clickers) / args.rate if args.rate else 0
    stop, start = asyncio.Event(), asyncio.Event()
    click_tasks = [
        asyncio.ensure_future(
            run_clicker(
                c,
                args.profile,
                seat_ids,
                shares[i],
                stop,
                interval=per_clicker_interval,
                hot=hot,
                clicks=args.clicks,
                book_size=args.book_size,
                start=start,
            )
        )
        for i, c in enumerate(clickers)
    ]
    progress.phase = "click"
    measure = proc_sample(pids)
    client_measure = self_sample()
    rec.measure_from_ns = time.time_ns()
    rec.measuring = True
    children_cpu_before = sum(child.cpu_s() for child in children)
    for child in children:
        child.measure(rec.measure_from_ns)
    click_started = time.monotonic()
    start.set()
    if click_tasks:
        done, pending = await asyncio.wait(click_tasks, timeout=args.duration)
        stop.set()
        if pending:
            await asyncio.wait(pending, timeout=60)
    else:
        await asyncio.sleep(args.duration)
    click_seconds = time.monotonic() - click_started
    progress.phase = "settle"
    settle = max(args.settle, args.poll + 1 if args.poll else 0)
    await asyncio.sleep(settle)
    measured = proc_sample(pids)
    client_measured = self_sample()
    children_cpu = sum(child.cpu_s() for child in children) - children_cpu_before
    window = click_seconds + settle
    args.child_results = [await child.stop() for child in children]
    for payload in args.child_results:
        merge_receipts(rec, payload)

    # --- verdict ----------------------------------------------------------------------------
    progress.phase = "verdict"
    verdict = {"passed": True, "failures": []}
    if not args.no_verdict:
        try:
            await check_verdict(admin, args, watchers, clickers, hot, verdict)
        except (*TRANSPORT_ERRORS, ValueError, KeyError) as exc:
            verdict["passed"] = False
            verdict["failures"].append(f"the API did not answer the verdict's reads: {exc!r}")
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    progress_task.cancel()
    if not args.quiet:
        sys.stderr.write("\r" + progress.line()[:200].ljust(200) + "\n")

    # --- figures ----------------------------------------------------------------------------
    result["push"] = push_figures(rec, ready, args, n_ready_all - len(ready))
    result["clicks"] = click_figures(rec, clickers, hot, args, click_seconds)
    if args.poll:
        polls_s = rec.polls / max(1e-9, (time.time_ns() - connect_started) / 1e9)
        result["poll"] = {
            "interval_s": args.poll,
            "polls": rec.polls,
            "requests_per_s": round(polls_s, 1),
            "poll_latency_ms": quantiles(rec.poll_latency, 1e3),
            "staleness_ms": quantiles(rec.staleness_ns, 1e-6),
        }
    deliveries = result["push"]["delivered"]
    cpu = measured["cpu_s"] - measure["cpu_s"]
    result["server"] = {
        "pids": pids,
        "cpu_s": round(cpu, 3) if pids else None,
        "cpu_share": round(cpu / window, 3) if pids else None,
        "cpu_us_per_delivery": round(cpu / deliveries * 1e6, 2) if pids and deliveries else None,
        "rss_bytes": measured["rss_bytes"] if pids else None,
    }
    result["client"] = {
        "cpu_s": round(client_measured["cpu_s"] - client_measure["cpu_s"] + children_cpu, 3),
        "processes": args.procs,
        "rss_bytes": client_measured["rss_bytes"],
    }
    result["errors"] = dict(rec.errors)
    result["resyncs"] = dict(rec.resyncs)
    result["duplicates"] = rec.duplicates
    result["verdict"] = verdict
    await admin.close()
    await click_client.close()
    await sockets.close()
    if pollers_client:
        await pollers_client.close()
    return result


def push_figures(rec: Recorder, ready: list, args, elsewhere: int = 0) -> dict:
    """`elsewhere`: ready watchers of the child processes (--procs)."""
    measured = {k: v for k, v in rec.messages.items() if v[0] >= rec.measure_from_ns}
    listeners = sum(1 for w in ready if isinstance(w, Watcher)) + elsewhere
    completion = [v[2] - v[0] for v in measured.values()]
    delivered = sum(v[1] for v in measured.values())
    expected = len(measured) * listeners
    return {
        "listeners": listeners,
        "messages": len(measured),
        "delivered": delivered,
        "expected": expected,
        "delivered_ratio": round(delivered / expected, 5) if expected else None,
        "incomplete_messages": sum(1 for v in measured.values() if v[1] < listeners),
        "latency_ms": quantiles(rec.push_latency_ns, 1e-6),
        "completion_ms": quantiles(completion, 1e-6),
        "presence_messages": rec.presence,
    }


def click_figures(rec: Recorder, clickers: list, hot: list, args, seconds: float) -> dict:
    by_op: dict[str, list] = {}
    codes: Counter = Counter()
    for op, status, code, latency, _ in rec.requests:
        by_op.setdefault(op, []).append((status, code, latency))
        if code != "ok":
            codes[f"{op}:{code}"] += 1
    ops = {}
    for op, rows in by_op.items():
        ok = sum(1 for r in rows if r[1] == "ok")
        ops[op] = {
            "requests": len(rows),
            "ok": ok,
            "ok_per_s": round(ok / seconds, 1) if seconds else None,
            "latency_ms": quantiles([r[2] for r in rows], 1e3),
        }
    holds_ok = ops.get("lock", {}).get("ok", 0) + ops.get("lock_many", {}).get("ok", 0)
    conflicts = sum(n for k, n in codes.items() if k.endswith(":seat_unavailable"))
    figures = {
        "profile": args.profile,
        "clickers": len(clickers),
        "seconds": round(seconds, 3),
        "requests": len(rec.requests),
        "requests_per_s": round(len(rec.requests) / seconds, 1) if seconds else None,
        "holds_per_s": round(holds_ok / seconds, 1) if seconds else None,
        "conflicts_per_s": round(conflicts / seconds, 1) if seconds else None,
        "unanswered": sum(1 for r in rec.requests if r[1] == 0),
        "server_errors": sum(1 for r in rec.requests if r[1] >= 500),
        "latency_ms": quantiles([r[3] for r in rec.requests], 1e3),
        "by_op": ops,
        "errors_by_code": dict(codes),
    }
    if args.profile == "hot" and clickers:
        figures["hot_seats"] = hot
        figures["winners"] = sum(1 for c in clickers if c.won)
    return figures


async def check_verdict(client, args, watchers, clickers, hot, verdict) -> None:
    def fail(text: str):
        verdict["passed"] = False
        verdict["failures"].append(text)

    seats = await fetch_seats(client, args.url[0], args.event)
    server = {s["id"]: (s["status"], s["version"]) for s in seats}
    verdict["changes_committed"] = sum(
        s["version"] - args.initial_versions.get(s["id"], 0) for s in seats
    )
    if watchers:
        rec = watchers[0].rec
        verdict["changes_pushed"] = sum(
            1 for ts in rec.version_ts.values() if ts >= rec.measure_from_ns
        )
    checked, mismatched = watchers_verdict(watchers, server)
    examples = list(mismatched)
    for payload in args.child_results:  # --procs: each child checked its own watchers
        checked += payload["watchers_checked"]
        examples += [tuple(m) for m in payload["mismatched"]]
    count = len(mismatched) + sum(p["mismatched_count"] for p in args.child_results)
    verdict["watchers_checked"] = checked
    verdict["watchers_mismatched"] = count
    if count:
        index, bad = examples[0]
        fail(
            f"{count} watcher(s) differ from the server's seat list, e.g. watcher "
            f"{index} on seats {bad}: model {[watchers_model(watchers, index, i) for i in bad]} "
            f"server {[server.get(i) for i in bad]}"
        )
    await check_clickers(client, args, clickers, hot, server, fail, verdict)


def watchers_verdict(watchers, server: dict) -> tuple[int, list]:
    """How many watchers were checked, and the ones whose model differs from `server`."""
    # Each watcher's model: only the seats where its base or its own changes differ from the
    # server need looking at; the base diff is computed once per shared base.
    base_diffs: dict[int, list] = {}
    mismatched = []
    checked = 0
    for w in watchers:
        if not w.ready.is_set() or w.failed is not None:
            continue  # never had a snapshot: counted in `watcher_not_ready_in_time` or refused
        if w.closed and isinstance(w, Watcher) and w.index >= 0:
            continue
        checked += 1
        model = w.model
        diff = base_diffs.get(id(model.base))
        if diff is None:
            diff = base_diffs[id(model.base)] = [
                i for i in server.keys() | model.base.keys() if model.base.get(i) != server.get(i)
            ]
        bad = [
            i
            for i in set(diff) | model.own.keys()
            if (model.own.get(i) or model.base.get(i)) != server.get(i)
        ]
        if bad:
            mismatched.append((w.index, bad[:5]))
    return checked, mismatched


async def check_clickers(client, args, clickers, hot, server, fail, verdict) -> None:

    active = [c for c in clickers if c.succeeded]
    holders: Counter = Counter()
    booked: Counter = Counter()
    sem = asyncio.Semaphore(50)

    async def inspect(c: Clicker):
        async with sem:
            mine = await fetch_seats(client, c.base, args.event, c.user["access"])
            for s in mine:
                if s["mine"] and s["status"] == "locked":
                    holders[s["id"]] += 1
            for r in await get_json(client, f"{c.base}/api/reservations/", c.headers):
                if r["status"] == "confirmed" and r["event"]["id"] == args.event:
                    for s in r["seats"]:
                        booked[s["id"]] += 1

    await asyncio.gather(*(inspect(c) for c in active))
    doubly_held = [i for i, n in holders.items() if n > 1]
    doubly_booked = [i for i, n in booked.items() if n > 1]
    verdict["clickers_checked"] = len(active)
    verdict["seats_held"] = len(holders)
    verdict["seats_booked"] = len(booked)
    if doubly_held:
        fail(f"seats held by two users: {doubly_held[:10]}")
    if doubly_booked:
        fail(f"seats in two confirmed reservations: {doubly_booked[:10]}")
    not_reserved = [i for i in booked if server.get(i, ("",))[0] != "reserved"]
    if not_reserved:
        fail(f"booked seats not shown reserved: {not_reserved[:10]}")
    if args.profile == "hot" and clickers:
        won: Counter = Counter(s for c in clickers for s in set(c.won))
        over = [s for s, n in won.items() if n > 1]
        if over:
            fail(f"hot seats won by more than one clicker: {over}")


def watchers_model(watchers, index, seat_id):
    for w in watchers:
        if w.index == index:
            return w.model.own.get(seat_id) or w.model.base.get(seat_id)
    return None


def table(result: dict) -> str:
    rows = []
    c, push, clicks, srv = result["connect"], result["push"], result["clicks"], result["server"]

    def ms(q):
        return f"p50 {q['p50']} / p95 {q['p95']} / p99 {q['p99']} / max {q['max']} ms"

    rows.append(
        (
            "watchers ready / refused",
            f"{c['ready']} / {c['refused']} "
            f"({c['bursts']} bursts of {c['burst']} in {c['opened_in_s']} s)",
        )
    )
    rows.append(("time to all snapshots", f"{c['time_to_all_snapshots_s']} s"))
    rows.append(("push latency", ms(push["latency_ms"])))
    rows.append(("fan-out completion", ms(push["completion_ms"])))
    rows.append(
        (
            "delivered / expected",
            f"{push['delivered']} / {push['expected']} "
            f"({push['messages']} messages to {push['listeners']} sockets)",
        )
    )
    if "poll" in result:
        p = result["poll"]
        rows.append(("poll staleness", ms(p["staleness_ms"])))
        rows.append(
            ("poll requests/s", f"{p['requests_per_s']} (latency {ms(p['poll_latency_ms'])})")
        )
    if clicks["clickers"]:
        rows.append(
            (
                "clicks",
                f"{clicks['profile']}: {clicks['clickers']} clickers, "
                f"{clicks['requests']} requests in {clicks['seconds']} s",
            )
        )
        rows.append(
            ("holds/s, conflicts/s", f"{clicks['holds_per_s']}, {clicks['conflicts_per_s']}")
        )
        rows.append(("request latency", ms(clicks["latency_ms"])))
        for op, o in clicks["by_op"].items():
            rows.append((f"  {op}", f"{o['ok']}/{o['requests']} ok, {ms(o['latency_ms'])}"))
        if clicks["errors_by_code"]:
            rows.append(
                (
                    "errors by code",
                    ", ".join(f"{k} {v}" for k, v in sorted(clicks["errors_by_code"].items())),
                )
            )
        if "winners" in clicks:
            rows.append(("hot seat winners", str(clicks["winners"])))
    if srv["pids"]:
        rows.append(
            (
                "server CPU",
                f"{srv['cpu_s']} s ({srv['cpu_share']} cores), "
                f"{srv['cpu_us_per_delivery']} µs per delivery, RSS "
                f"{(srv['rss_bytes'] or 0) / 2**20:.1f} MiB",
            )
        )
    im = result["idle_memory"]
    rows.append(
        (
            "memory per idle watcher",
            f"server {im['server_bytes_per_watcher']} B, client {im['client_bytes_per_watcher']} B",
        )
    )
    if result["errors"]:
        rows.append(
            ("client-side errors", ", ".join(f"{k} {v}" for k, v in result["errors"].items()))
        )
    v = result["verdict"]
    rows.append(("verdict", "PASS" if v["passed"] else "FAIL: " + "; ".join(v["failures"])))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{k.ljust(width)}  {val}" for k, val in rows)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child_index is not None:
        raise_nofile()
        run_child = child_main(
            args,
            open_watchers=open_watchers,
            watchers_verdict=watchers_verdict,
            fetch_seats=fetch_seats,
            http_session=http_session,
            ws_url=ws_url,
        )
        try:
            import uvloop
        except ImportError:
            asyncio.run(run_child)
        else:
            uvloop.run(run_child)
        return 0
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(main_async(args))
    else:
        result = uvloop.run(main_async(args))
    print(table(result))
    if args.json:
        with open(args.json, "wb") as f:
            f.write(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return 0 if result["verdict"]["passed"] else 1

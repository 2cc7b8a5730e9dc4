"""The bench's scenarios: each a function of the run's context (`workdir`, `users`, `name`)
that makes its event, starts its servers and runs the load tester (or wrk, or pgbench) on
them, returning its figures. `SCENARIOS` names them (the sales' are in bench_sales.py, the
console's in bench_console.py); `SETS` names groups for --only."""

from .bench_console import box_office
from .bench_databases import pgbench
from .bench_engine_counts import counted
from .bench_loadtest import on_new_event, users_file
from .bench_pay_windows import pay_windows
from .bench_sales import on_sale, queue_sale, queue_waiting
from .bench_servers import ROOT, role_token
from .bench_wrk import wrk_checkout, wrk_holds, wrk_pay_checkout

# One clicker changing seats 4 times a second: what the fan-out, storm and poll scenarios
# watch. Bearer, as these were measured before --auth existed (a password login costs the
# server ~0.5 s of CPU).
ONE_CLICKER = ("--clickers", 1, "--profile", "uniform", "--auth", "bearer", "--rate", 4)

FANOUT = (
    *ONE_CLICKER,
    *("--duration", "15", "--connect-burst", "500", "--connect-interval", "0.2", "--idle", "0.5"),
)


def fanout(n: int, kind: str = "uvicorn", procs: int = 1, extra=(), **env):
    watching = ("--watchers", n, "--users", users_file, *FANOUT, *extra)
    return on_new_event(f"fanout {n}", *watching, kind=kind, procs=procs, env=env)


def storm(n: int, within: float, kind: str = "uvicorn"):
    connecting = ("--watchers", n, "--connect-within", within, "--connect-burst", 500)
    clicking = ("--users", users_file, *ONE_CLICKER, "--duration", 5, "--idle", 0.2)
    return on_new_event(f"storm {n}", *connecting, *clicking, kind=kind)


def idle(n: int, seconds: float, kind: str = "uvicorn", **env):
    """Watchers connected and nothing happening: RSS per socket, and do they stay connected?"""
    connecting = ("--watchers", n, "--connect-burst", 500, "--idle", seconds)
    return on_new_event(
        f"idle {n}", *connecting, "--duration", 1, "--settle", 0.5, kind=kind, env=env
    )


def poll(n: int, every: float):
    polling = ("--watchers", n, "--poll", every, "--users", users_file, *ONE_CLICKER)
    timing = ("--duration", 15, "--connect-burst", 100, "--idle", 0.5)
    return on_new_event(f"poll {n}", *polling, *timing)


def clicks(
    profile: str,
    clickers: int,
    *extra,
    kind="uvicorn",
    procs=1,
    watchers=10,
    env=None,
    auth="bearer",
):
    """`auth`: bearer (the users file's tokens) for the scenarios measured before --auth
    existed, and because a password login costs the server ~0.5 s (PBKDF2): 1,000 clickers
    logging in would take minutes before the first click."""
    clicking = ("--clickers", clickers, "--profile", profile, "--auth", auth, *extra)
    return on_new_event(
        f"{profile} {clickers}",
        *("--watchers", watchers, "--users", users_file, *clicking),
        kind=kind,
        procs=procs,
        env=env,
        rows=40,
        per_row=250,
    )


def best_available(buyers: int, sizes: str, *extra, procs: int = 1):
    """`buyers` ask for the best seats at once in the 1,986-seat example theatre (one round),
    through `run --profile best` (its figures in the result's `best`: answer times, side by
    side, server CPU per request over the clicking), one watcher checking the map;
    `--hold-one`: each locks one seat of its own instead, for comparison. With `procs` server
    processes, buyers take turns between them."""
    accounts = ("--users", users_file, "--auth", "bearer", "--seed", 1)
    buying = ("--profile", "best", "--clickers", buyers, "--sizes", sizes, *extra)
    watching = ("--watchers", 1, "--idle", 0, "--settle", 0.5)
    theatre = ROOT / "reservations" / "venues" / "examples" / "theatre.json"
    return on_new_event("best", *accounts, *buying, *watching, procs=procs, layout=theatre)


def door_scans(rate: float, tickets: int, gates: int = 20):
    """Issue 59's door: `tickets` booked through the API, then scanned at `gates` gates, `rate`
    scans a second offered across them (0: each gate as fast as answered), on one server
    process, a console following the counts (`run --profile door`)."""
    return on_new_event(
        "door",
        *("--profile", "door", "--users", users_file, "--auth", "bearer"),
        *("--door-token", lambda ctx: role_token("bench-gate", "Door")),
        *("--console-token", lambda ctx: role_token("bench-console", "Box office")),
        *("--tickets", tickets, "--gates", gates, "--rate", rate, "--seed", 1),
        rows=tickets // 50 + 1,
    )


SCENARIOS = {
    "fanout-1000-uvicorn": fanout(1000),
    "fanout-1000-daphne": fanout(1000, "daphne"),
    "fanout-1000-uvicorn-2procs": fanout(1000, procs=2),
    "fanout-1000-uvicorn-deflate": fanout(1000, extra=("--deflate",), DEFLATE="true"),
    "fanout-1000-queue-layer": fanout(1000, CHANNEL_LAYER="channels_redis.core.RedisChannelLayer"),
    "fanout-5000-uvicorn": fanout(5000),
    "fanout-5000-queue-layer": fanout(5000, CHANNEL_LAYER="channels_redis.core.RedisChannelLayer"),
    "fanout-5000-uvicorn-2procs": fanout(5000, procs=2),
    "fanout-5000-daphne": fanout(5000, "daphne"),
    "storm-5000-2s-uvicorn": storm(5000, 2.0),
    "storm-5000-2s-daphne": storm(5000, 2.0, "daphne"),
    "poll-1000-3s": poll(1000, 3),
    "uniform-holds-uvicorn": clicks("uniform", 100, "--duration", 10),
    "uniform-holds-uvicorn-2procs": clicks("uniform", 100, "--duration", 10, procs=2),
    "uniform-holds-1000": clicks("uniform", 1000, "--duration", 8),
    "uniform-holds-django-path": clicks(
        "uniform", 100, "--duration", 10, env={"ANSWER_ON_LOOP": "0"}
    ),
    "uniform-holds-queue-layer": clicks(
        "uniform",
        100,
        "--duration",
        10,
        env={"CHANNEL_LAYER": "channels_redis.core.RedisChannelLayer"},
    ),
    "holds-wrk-50": wrk_holds(50),
    # The hold's floor (hold_floor.py), run beside it: what a correct hold costs at least.
    "holds-wrk-50-floor": wrk_holds(50, floor=True),
    # The same behind a waiting room: every hold carries its turn token (what the check costs).
    "holds-wrk-50-queued": wrk_holds(50, queued=True),
    # The same with every user on one network: each hold waits for that network's lock
    # (API.md "Holds per network"), the worst case of the rule.
    "holds-wrk-50-one-network": wrk_holds(50, one_network=True),
    # The same through PgBouncer in transaction mode: 1.24, which keeps prepared statements (as
    # compose runs it), and Debian 12's 1.18, which keeps none (DATABASE_POOLER=transaction):
    # what the pooler costs a hold, against holds-wrk-50 run beside it.
    "holds-wrk-50-pgbouncer": wrk_holds(50, pooler="pgbouncer"),
    "holds-wrk-50-pgbouncer-1.18": wrk_holds(50, pooler="pgbouncer-1.18"),
    "holds-wrk-50-unprepared": wrk_holds(50, pooler="unprepared"),
    "checkout-wrk-50": wrk_checkout(50),
    "pay-checkout-wrk-50": wrk_pay_checkout(50),
    "pay-windows-1000": pay_windows(1000),
    "uniform-holds-daphne": clicks("uniform", 100, "--duration", 10, kind="daphne"),
    "hot-1000": clicks("hot", 1000, "--hot-seats", 1, "--settle", 1),
    "hot-1000-2procs": clicks("hot", 1000, "--hot-seats", 1, "--settle", 1, procs=2),
    "book-100": clicks("book", 100, "--duration", 10),
    "churn-100": clicks("churn", 100, "--duration", 10),
    "pgbench": pgbench,
    "best-200": best_available(200, "4"),
    "best-200-mixed": best_available(200, "1-6"),
    "best-200-2procs": best_available(200, "4", procs=2),
    "hold-one-200": best_available(200, "1", "--hold-one"),
    "hold-one-200-2procs": best_available(200, "1", "--hold-one", procs=2),
    "idle-1000-12s-uvicorn": idle(1000, 12),
    "fanout-10000-uvicorn-2procs": fanout(10000, procs=2, extra=("--connect-timeout", 120)),
    # Issue 26: four processes behind one client, the capacity model's points still to measure
    # (loadtest/capacity_inputs.json "to_measure"; docs/SCALING.md).
    "fanout-1000-uvicorn-4procs": fanout(1000, procs=4),
    "fanout-5000-uvicorn-4procs": fanout(5000, procs=4),
    "fanout-10000-uvicorn-4procs": fanout(10000, procs=4, extra=("--connect-timeout", 120)),
    # The same with the watchers spread over two client processes (--procs 2): how much of the
    # latency above is the one-process client's own queue.
    "fanout-5000-uvicorn-client2": fanout(5000, extra=("--procs", 2)),
    "fanout-10000-uvicorn-2procs-client2": fanout(
        10000, procs=2, extra=("--connect-timeout", 120, "--procs", 2)
    ),
    # Issue 11: the client's own path. One click (hold and release, the uniform profile) and a
    # whole checkout (the journey: holds one click at a time, book, cancel a fifth), each with
    # the shipped client's auth, a script's bearer pair and a session.
    "click-100-client": clicks("uniform", 100, "--duration", 10, auth="client"),
    "click-100-bearer": clicks("uniform", 100, "--duration", 10, auth="bearer"),
    "click-100-session": clicks("uniform", 100, "--duration", 10, auth="session"),
    "journey-100": clicks("journey", 100, "--duration", 10, auth="client"),
    "journey-100-bearer": clicks("journey", 100, "--duration", 10, auth="bearer"),
    "journey-100-session": clicks("journey", 100, "--duration", 10, auth="session"),
    # The same buyers offered the target rate of issue 11 (250 journeys a second) instead of a
    # closed loop: the journey's time at that load, or the server's queue if it cannot keep up.
    "journey-100-rate250": clicks("journey", 100, "--duration", 10, "--rate", 250, auth="client"),
    # Issue 21: watching and clicking together. The same 200 uniform clickers on an event that
    # 10 and then 2,000 sockets watch (every hold a push to each).
    "uniform-200-watchers-10": clicks("uniform", 200, "--duration", 15, watchers=10),
    "uniform-200-watchers-2000": clicks("uniform", 200, "--duration", 15, watchers=2000),
    # Issue 21: the on-sale on the arena: 200 arrivals at once, and 2,000 within 10 s.
    "onsale-200-arena": on_sale(200, 1),
    "onsale-2000-arena": on_sale(2000, 10),
    # Issue 39: the same with an organiser's console open on the sale (run beside the above).
    "onsale-2000-arena-console": on_sale(2000, 10, console=True),
    # Issue 39's target as it states it: 2,000 buyers watching, 200 of them clicking.
    "onsale-2000-arena-200-clicking": on_sale(2000, 10, "--click-share", 0.1),
    "onsale-2000-arena-200-clicking-console": on_sale(2000, 10, "--click-share", 0.1, console=True),
    "box-office-10": box_office(50),
    "onsale-1000-arena-at-once": on_sale(1000, 1),
    # Issue 26: the same arrivals through four processes behind nginx, Redis under Sentinel
    # and PgBouncer, beside one process reached directly.
    "onsale-1000-arena": on_sale(1000, 10),
    "onsale-1000-arena-stack-4procs": on_sale(1000, 10, stack=4),
    # Issue 26's unit costs: Redis commands and PostgreSQL transactions per click (100 watchers
    # on one process, so one subscriber) and per arrival (the on-sale, less its clicks).
    "uniform-holds-counted": counted(clicks("uniform", 10, "--duration", 10, watchers=100)),
    "onsale-1000-arena-counted": counted(on_sale(1000, 10)),
    # Issue 8: the waiting room. 2,000 accounts from the pre-queue to sold out on 1,000 seats,
    # and 10,000 waiting sockets on one server process.
    "queue-2000": queue_sale(2000),
    "queue-waiting-10k": queue_waiting(10_000),
    # Issue 59: the door. 300 scans a second offered to one process (the target).
    "door-scans-300": door_scans(300, 3600),
}

# Named sets of scenarios for --only.
SETS = {
    # The hold beside its floor, three rounds interleaved: `--only hold,hold,hold`.
    "hold": ["holds-wrk-50", "holds-wrk-50-floor"],
    "client-path": [name for name in SCENARIOS if name.startswith(("click-", "journey-"))],
    "onsale": [name for name in SCENARIOS if name.startswith("onsale")],
    "watch-click": ["uniform-200-watchers-10", "uniform-200-watchers-2000"],
    "queue": [name for name in SCENARIOS if name.startswith("queue")],
}

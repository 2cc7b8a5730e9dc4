"""The bench's sales: the on-sale on the arena (issues 21, 26, 39) and the waiting room's
(issue 8), each a scenario function as in bench_scenarios.py, which names them."""

import json
import subprocess

from .bench_console import CONSOLE_STAFF, console_staff
from .bench_databases import ARENA, new_event
from .bench_loadtest import loadtest, on_new_event
from .bench_machine import wait_quiet
from .bench_servers import PY, RESULTS, ROOT, manage, servers, stacked

EXEMPT = {"LIMITS_EXEMPT_NETWORKS": "127.0.0.1/32,::1/128"}  # the load host, of the limits


def on_sale(arrivals: int, within: float, *extra, stack: int = 0, console: bool = False):
    """Issue 21: `arrivals` buyers open the 19,671-seat arena's map within `within` seconds as
    the shipped client does (--profile onsale), then a fifth of them buy at once: clicks near
    the stage, best available for 30 % of them, a tenth of the bookings cancelled. Bearer tokens
    of the users file (the buyers logged in before the sale); the bench's limits are counted
    at rates one host never reaches (`server_env`).

    `stack`: that many server processes behind nginx, with Redis under Sentinel and
    PgBouncer (harness/stack.py, issue 26), instead of one process reached directly.
    `console`: an organiser's console open on the sale throughout (`python -m loadtest console`,
    issue 39), its figures under "console"."""

    def run(ctx):
        event = new_event(ctx["name"], layout=ARENA)
        with stacked(stack) if stack else servers("uvicorn") as (urls, pids):
            if not console:
                return buyers(urls, pids, event, ctx)
            console_staff()
            figures = RESULTS / f"{ctx['name']}-console.json"
            watching = subprocess.Popen(
                [PY, "-m", "loadtest", "console", "--url", urls[0], "--event", str(event)]
                + ["--username", CONSOLE_STAFF[0], "--password", CONSOLE_STAFF[1]]
                + ["--seconds", "300", "--quiet", "8", "--json", str(figures)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            result = buyers(urls, pids, event, ctx)
            watching.wait(timeout=320)
            result["console"] = json.loads(figures.read_text()) if figures.exists() else None
            return result

    def buyers(urls, pids, event, ctx):
        return loadtest(
            urls,
            pids,
            event,
            *("--profile", "onsale", "--arrivals", arrivals, "--arrive-within", within),
            *("--click-share", 0.2, "--best-share", 0.3, "--cancel-share", 0.1),
            *("--return-share", 0.5, "--users", ctx["users"], "--auth", "bearer"),
            *("--duration", 60, "--connect-timeout", 120, "--idle", 0.5),
            *extra,
            name=ctx["name"],
        )

    return run


def queue_sale(buyers: int, rows: int = 20, per_row: int = 50, within: float = 30):
    """Issue 8: `buyers` accounts in a waiting room (a 1,000-seat grid by default): 70 % join
    within `within` seconds before the on-sale and are drawn, the rest within 20 s after it;
    a tenth never claim; the others claim when called and book 1-4 seats (best available for
    30 %) with their turn. The queue profile's verdict and figures (loadtest/queue_run.py).
    Accounts of their own (`queue-N`), with tokens; load hosts exempt from the limits."""

    def run(ctx):
        users = ctx["workdir"] / f"queue-users-{buyers}.json"
        if not users.exists():
            manage(
                "create_load_users",
                *("--count", str(buyers), "--prefix", "queue", "--output", str(users)),
            )
        with servers("uvicorn", **EXEMPT) as (urls, pids):
            idle_before = wait_quiet()
            # The on-sale leaves the load tester time to start and read its accounts first.
            room = ("--queue-opens", "now+0", "--on-sale", f"now+{within + 15:.0f}")
            room += ("--turn-minutes", "10", "--claim-seconds", "60", "--max-active", "500")
            event = new_event(ctx["name"], rows, per_row, room)
            return loadtest(
                urls,
                pids,
                event,
                *("--profile", "queue", "--arrivals", buyers, "--users", users),
                *("--auth", "bearer", "--arrive-within", within, "--pre-queue-share", 0.7),
                *("--late-within", 20, "--no-show-share", 0.1, "--claim-within", 3),
                *("--journey-seats", "1-4", "--best-share", 0.3, "--sale-within", 300),
                *("--settle", 3),
                name=ctx["name"],
                idle_before=idle_before,
            )

    return run


def queue_waiting(sockets: int, frames: int = 6):
    """Issue 8: `sockets` waiting sockets on one server process (a room in its pre-queue, a
    frame every QUEUE_FRAME_SECONDS): each frame's delivery to all of them (target: 1 s at
    p99) and the server's CPU between frames (target: under 10 % of a core), through
    `python -m loadtest waiting`."""
    return on_new_event(
        f"waiting {sockets}",
        *("--sockets", sockets, "--frames", frames),
        command="waiting",
        env=EXEMPT,
        rows=10,
        extra=("--queue-opens", "now+0", "--on-sale", "now+86400"),
    )

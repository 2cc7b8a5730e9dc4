"""Load a deployment and check the verdict: N watchers on one event (WebSockets keeping the seat
model of PROTOCOL.md, or pollers with --poll), then M clickers (the users of
`manage.py create_load_users`, logged in as --auth says) hold and book seats at once, as
--profile says: by default each is a buyer on the shipped client's journey (hold seats one click
at a time, book them with an Idempotency-Key, cancel some). It times every push (from the `ts`
commit stamp of each `seats` message), every request and every journey (first click to
confirmed booking), then checks the verdict through the API: no seat in two confirmed
reservations, no seat held by two users, every booking and cancellation as the server has it,
and every watcher's final model equal to the server's seat list. Exit status 1 if the verdict
fails. A profile's own options are in the group of its name below.

    python -m loadtest run --url http://127.0.0.1:8000 --event 1 --users users.json \\
        --auth bearer --clickers 20 --duration 10 --json results/run.json
"""

import argparse
import os
import signal
from inspect import cleandoc

import uvloop

from .auth import AUTH_MODES
from .commands import UsageError, base_url, write_result
from .procs import child_main
from .profiles import REGISTRY
from .stats import raise_nofile


def arguments(p: argparse.ArgumentParser) -> None:
    p.usage = "%(prog)s --event ID [--url URL] [--users FILE --clickers N] [--profile P] [...]"
    g = p.add_argument_group("target")
    g.add_argument(
        "--url",
        type=base_url,
        action="append",
        default=[],
        help="server base URL; repeat to spread watchers and clickers over several "
        "processes (round robin) [default: http://127.0.0.1:8000]",
    )
    g.add_argument("--event", type=int, help="event id to watch and click on (not a season)")
    g.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="server process id (repeatable): CPU seconds and RSS read from /proc",
    )
    g.add_argument(
        "--metrics-token",
        default=os.environ.get("METRICS_TOKEN") or None,
        help="the server's METRICS_TOKEN, for the verdict's inventory check (GET "
        "/api/events/{id}/inventory/) from outside its METRICS_ALLOWED_NETWORKS; default: the "
        "METRICS_TOKEN environment variable",
    )
    g = p.add_argument_group("accounts")
    g.add_argument(
        "--users",
        help="JSON file of users (manage.py create_load_users --output FILE: with `access` and "
        "`refresh` tokens; python -m loadtest passwords --users FILE adds a `password`)",
    )
    g.add_argument(
        "--auth",
        choices=AUTH_MODES,
        default="client",
        help="client: as the shipped React client (POST /api/token/cookie/, the refresh token "
        "in a cookie jar, bearer calls, refreshed by cookie on a 401); bearer: the file's token "
        "pair, or POST /api/token/ (refreshed by /api/token/refresh/); session: POST "
        "/api/login/ with Django's session and X-CSRFToken (answered by Django, not the fast "
        "path). client and session need passwords in --users",
    )
    g = p.add_argument_group(
        "profile", "what the clickers do: each profile says, with its own options, below."
    )
    g.add_argument("--profile", choices=REGISTRY, default="journey", help="the clickers' profile")
    g.add_argument(
        "--clickers", type=int, default=0, help="number of clickers (at most the number of users)"
    )
    g.add_argument(
        "--rate",
        type=float,
        default=0,
        help="actions (journeys with --profile journey) per second across all clickers "
        "(0: each clicker as fast as answered, closed loop)",
    )
    g.add_argument("--duration", type=float, default=10, help="seconds of clicking")
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
    for name in sorted(REGISTRY, key=lambda name: name != "journey"):  # loadtest/profiles/
        title = f"{name} profile" + (" (the default)" if name == "journey" else "")
        REGISTRY[name].arguments(p.add_argument_group(title, cleandoc(REGISTRY[name].__doc__)))
    g = p.add_argument_group("run and output")
    g.add_argument(
        "--settle",
        type=float,
        help="seconds to wait after clicking for pushes to arrive before the verdict [default: "
        "2; the season's own: 75]",
    )
    g.add_argument(
        "--idle",
        type=float,
        default=1.0,
        help="seconds of idle after all watchers connected (memory per watcher)",
    )
    g.add_argument("--no-verdict", action="store_true", help="skip the verdict")
    g.add_argument("--json", metavar="FILE", help="write every figure to FILE as JSON")
    g.add_argument(
        "--report",
        metavar="FILE",
        help="write the run's report to FILE: one HTML page of plots over time, the verdict, "
        "the settings and versions [default: beside --json, FILE.html, if --json is given]",
    )
    g.add_argument("--quiet", action="store_true", help="no progress line")
    g.add_argument("--seed", type=int, default=None, help="random seed")


def prepare(args: argparse.Namespace) -> None:
    """Options checked against each other; read-only from here on: what a run learns lives in
    its `Run`."""
    args.url = args.url or ["http://127.0.0.1:8000"]
    if args.procs < 1 or (args.procs > 1 and args.poll):
        raise UsageError("--procs is 1 or more, and 1 with --poll")
    if negative := [n for n in ("clickers", "watchers", "duration") if getattr(args, n) < 0]:
        raise UsageError(f"--{negative[0]}: not below 0")
    if REGISTRY[args.profile].takes_event and args.event is None:
        raise UsageError("the following arguments are required: --event")
    REGISTRY[args.profile].prepare(args)
    if args.settle is None:
        args.settle = REGISTRY[args.profile].settle
    if args.clickers and not args.users:
        raise UsageError("--clickers needs --users")


def main(options: argparse.Namespace) -> int:
    if options.child_index is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process stops its children
        raise_nofile()
        uvloop.run(child_main(options))
        return 0
    profile = REGISTRY[options.profile]
    result = uvloop.run(profile.execute(options))
    print(profile.table(result))
    write_result(result, options.json, options.report)
    return 0 if result["verdict"]["passed"] else 1

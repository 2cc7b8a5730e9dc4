"""The on-sale profile (`--profile onsale`): what an on-sale is, in two phases.

1. `--arrivals` buyers open the event's page within `--arrive-within` seconds, each in a
   browser of its own (its own connections, `Accept-Encoding: gzip, br`, the static map in its
   cache on a return visit) and asks what the shipped client asks (loadtest/onsale.py); each
   keeps its socket and its seat model (watchers.py) until the end. Measured per arrival: time
   from the first request to a usable map (every answer in, the socket resumed), bytes read
   off the wire (compressed, headers included), and the server's CPU over the arrivals.
2. Once every map is up, `--click-share` of them buy at once (the run's clickers, logged in
   before they arrived): `--best-share` of those ask for best available, the others click seats
   near the stage that their own map shows free (so the hot spots form where everyone looks
   first), one at a time; then reserve with an `Idempotency-Key`, and `--cancel-share` of the
   bookings are cancelled. Every arrival watches the pushes meanwhile.

The verdict is the run's (no seat sold twice, every socket's final map equal to the server's)
and every booking as its buyer was answered.
"""

import random
import time

import orjson

from ..browser import ACCEPT_ENCODING
from ..clickers import book, hold_by_clicks
from ..commands import UsageError, share
from ..onsale import Arrival, arrival_figures, buyer_positions, open_arrivals
from ..onsale_buyers import hold_best, near_stage_picker, stage_ranking
from ..stats import proc_sample, self_sample
from ..verdict import journey_verdict
from . import Profile, register


@register
class OnSale(Profile):
    """--arrivals open the map as the shipped client does within --arrive-within seconds and
    watch, then --click-share of them buy at once near the stage. The arrivals take the
    place of --watchers and --clickers; --journey-seats and --cancel-share as for journey."""

    name = "onsale"
    clicks_shares = False  # a buyer clicks what its own map shows free near the stage

    def __init__(self, options, seat_ids):
        super().__init__(options, seat_ids)
        self.ranking: list[int] = []  # the seats from the stage out
        self.models: list = []  # each buyer's (clicker's) seat model, kept by its page

    @staticmethod
    def arguments(group):
        group.add_argument(
            "--arrivals",
            type=int,
            default=100,
            help="buyers who open the event's page: the event, its static map, the state, their "
            "holds, then the socket (loadtest/onsale.py `client_arrival`), and watch until the end",
        )
        group.add_argument(
            "--arrive-within",
            type=float,
            default=2.0,
            help="seconds over which the arrivals start, evenly spaced",
        )
        group.add_argument(
            "--return-share",
            type=share,
            default=0.5,
            help="share of arrivals who have the static map in their browser's cache "
            "(If-None-Match)",
        )
        group.add_argument(
            "--click-share",
            type=share,
            default=0.2,
            help="share of arrivals who buy, all at once once every map is up (users of --users, "
            "one each)",
        )
        group.add_argument(
            "--best-share",
            type=share,
            default=0.3,
            help="share of the buyers who ask for best available (POST /api/events/{id}/best/) "
            "instead of clicking seats near the stage",
        )

    @staticmethod
    def prepare(options):
        if options.procs != 1 or options.poll:
            raise UsageError(
                "--profile onsale runs in one process (--procs 1), with sockets (no --poll)"
            )
        # Every arrival watches; the buyers are clickers, one user each.
        options.watchers = options.arrivals
        options.clickers = round(options.click_share * options.arrivals)

    async def arrive(self, run, seats):
        """The buyers log in before the sale, as they wait (a fresh event: they hold nothing);
        then the arrivals open the event's page within --arrive-within seconds, and the run
        idles as after any connect."""
        await run.warm(holds=False)
        options, rec, pids = run.options, run.rec, run.pids
        run.progress.phase = "arrive"
        base = options.url[0]
        self.ranking = await stage_ranking(run.admin, base, options.event, seats)
        async with run.admin.get(  # what a returning visitor's browser keeps, and its tag
            f"{base}/api/events/{options.event}/map/",
            headers={"Accept-Encoding": ACCEPT_ENCODING},
        ) as answer:
            etag = answer.headers.get("ETag")
            seat_ids = orjson.loads(await answer.read())["seats"]["id"]
        buyers = buyer_positions(options.arrivals, len(run.clickers))
        buyer_of = {position: c for position, c in zip(buyers, run.clickers, strict=True)}
        others = run.users[len(run.clickers) :] or run.users
        for i in range(options.arrivals):
            c = buyer_of.get(i)
            if c is not None:
                headers = dict(c.auth.headers)
            else:  # a logged-in visitor who watches: a token of the users file
                user = others[i % len(others)] if others else {}
                token = user.get("access")
                headers = {"Authorization": f"Bearer {token}"} if token else {}
            returning = random.random() < options.return_share
            run.arrivals.append(
                Arrival(
                    i,
                    options.url[i % len(options.url)],
                    options.event,
                    rec,
                    headers=headers,
                    cached_tag=etag if returning else None,
                    seat_ids=seat_ids,
                )
            )
        self.models = [run.arrivals[p].model for p in buyers]
        run.watchers = [a.watcher for a in run.arrivals]
        before = proc_sample(pids)
        client_before = self_sample()
        run.connect_started = time.time_ns()
        last_started = await open_arrivals(
            run.arrivals, options.arrive_within, options.connect_timeout
        )
        arrived = proc_sample(pids)
        client_arrived = self_sample()
        run.tasks += [a.watch_task for a in run.arrivals if a.watch_task is not None]
        run.ready = [
            w for w in run.watchers if w.ready.is_set() and not w.closed and w.failed is None
        ]
        run.ready_all = len(run.ready)
        run.result["connect"] = run.connect_figures(options.arrivals, 1, last_started)
        run.result["arrivals"] = arrival_figures(
            run.arrivals, arrived["cpu_s"] - before["cpu_s"] if pids else None
        )
        # Beside the server's: 1,000 arrivals at once measure the server only if this is small.
        run.result["arrivals"]["client_cpu_ms_per_arrival"] = round(
            (client_arrived["cpu_s"] - client_before["cpu_s"]) / max(1, options.arrivals) * 1e3, 3
        )
        await run.idle(before, client_before)

    async def click(self, clicker, share, stop):
        """One buyer, once the sale opens: hold seats (best available, or clicks near the stage
        on its own map), book them, perhaps cancel."""
        options = self.options
        wanted = random.randint(*options.journey_seats)
        await clicker.make_room(wanted)
        started = time.perf_counter()
        if random.random() < options.best_share:
            got = await hold_best(clicker, wanted)
        else:
            picker = near_stage_picker(self.models[clicker.index], self.ranking)
            got = await hold_by_clicks(clicker, wanted, picker)
        if got:
            await book(clicker, got, started, options.cancel_share)

    def judge(self, clickers, verdict):
        journey_verdict(clickers, verdict)

    def summary(self, run):
        """The arrivals' figures and the buying's, from the run's result (`arrivals`, `clicks`,
        `journey`, `push`, `server`, `verdict`); per second of the buying (from the first click
        until every buyer is done). None if the run stopped before the arrivals."""
        result, seconds = run.result, run.click_seconds
        if "arrivals" not in result:
            return None
        arrivals, clicks, push = result["arrivals"], result["clicks"], result["push"]
        journey, server = result.get("journey") or {}, result["server"]
        ops = clicks["by_op"]
        click_503 = sum(1 for r in run.rec.requests if r[1] == 503)
        return {
            "arrivals": arrivals["arrivals"],
            "maps_usable": arrivals["maps_usable"],
            "time_to_map_ms": arrivals["time_to_map_ms"],
            "wire_bytes_per_arrival": arrivals["wire_bytes_per_arrival"],
            "wire_bytes_first_visit": arrivals["wire_bytes_first_visit"],
            "wire_bytes_return_visit": arrivals["wire_bytes_return_visit"],
            "server_cpu_ms_per_arrival": arrivals["server_cpu_ms_per_arrival"],
            "client_cpu_ms_per_arrival": arrivals.get("client_cpu_ms_per_arrival"),
            "buyers": clicks["clickers"],
            "click_ms": (ops.get("lock") or {}).get("latency_ms"),
            "best_ms": (ops.get("best") or {}).get("latency_ms"),
            "holds_per_s": clicks["holds_per_s"],
            "bookings_per_s": journey.get("bookings_per_s"),
            "bookings": journey.get("bookings"),
            "cancellations": journey.get("cancellations"),
            "answers_503": arrivals["answers_503"] + click_503,
            "push_p99_ms": push["latency_ms"]["p99"],
            "deliveries_per_s": round(push["delivered"] / seconds, 1) if seconds else None,
            "server_cpu_us_per_delivery": server["cpu_us_per_delivery"],
            "verdict": result["verdict"]["passed"],
        }

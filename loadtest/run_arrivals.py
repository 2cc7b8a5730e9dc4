"""The on-sale's arrival phase of a load run (`--profile onsale`): every arrival opens the
event's page as the shipped client does (onsale.py), the buyers among them already logged in;
then the run idles as after any connect."""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import TYPE_CHECKING

import orjson

from . import onsale, onsale_buyers
from .stats import proc_sample, quantiles, self_sample

if TYPE_CHECKING:
    from .run import Run


async def arrive(run: Run, seats: list[dict]) -> None:
    """--profile onsale: the arrivals open the event's page within --arrive-within seconds
    (loadtest/onsale.py), then idle. The buyers are the clickers, already logged in."""
    options, rec, pids = run.options, run.rec, run.pids
    run.progress.phase = "arrive"
    base = options.url[0]
    layout_url = f"{base}/api/events/{options.event}/layout/"
    async with run.admin.get(layout_url) as answer:
        etag = answer.headers.get("ETag")
        layout = orjson.loads(await answer.read()) if answer.status == 200 else None
    run.ranking = onsale_buyers.near_stage(seats, layout)
    seat_ids = []
    if options.client == "map":  # what a returning visitor's browser keeps, and its tag
        async with run.admin.get(
            f"{base}/api/events/{options.event}/map/",
            headers={"Accept-Encoding": onsale.ACCEPT_ENCODING},
        ) as answer:
            etag = answer.headers.get("ETag")
            seat_ids = orjson.loads(await answer.read())["seats"]["id"]
    buyers = onsale.buyer_positions(options.arrivals, len(run.clickers))
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
            onsale.Arrival(
                i,
                options.url[i % len(options.url)],
                options.event,
                rec,
                headers=headers,
                cached_tag=etag if returning else None,
                seat_ids=seat_ids,
                client=options.client,
            )
        )
    run.buyer_models = [run.arrivals[p].model for p in buyers]
    run.watchers = [a.watcher for a in run.arrivals]
    before = proc_sample(pids)
    client_before = self_sample()
    run.connect_started = time.time_ns()
    last_started = await onsale.open_arrivals(
        run.arrivals, options.arrive_within, options.connect_timeout
    )
    arrived = proc_sample(pids)
    client_arrived = self_sample()
    run.tasks += [a.watch_task for a in run.arrivals if a.watch_task is not None]
    run.ready = [w for w in run.watchers if w.ready.is_set() and not w.closed and w.failed is None]
    run.ready_all = len(run.ready)
    snap_times = [t - run.connect_started for t in rec.first_snapshot_ns.values()]
    run.result["connect"] = {
        "watchers": options.arrivals,
        "bursts": options.arrivals,
        "burst": 1,
        "client_processes": 1,
        "opened_in_s": round((last_started - run.connect_started) / 1e9, 3),
        "ready": run.ready_all,
        "ready_by_process": [run.ready_all],
        "refused": rec.refused,
        "refusal_reasons": dict(Counter(w.failed.split(":")[0] for w in run.watchers if w.failed)),
        "time_to_all_snapshots_s": round(max(snap_times) / 1e9, 3) if snap_times else None,
        "time_to_snapshot": quantiles(snap_times, 1e-6),
    }
    run.result["arrivals"] = onsale.arrival_figures(
        run.arrivals, arrived["cpu_s"] - before["cpu_s"] if pids else None
    )
    # Beside the server's: 1,000 arrivals at once measure the server only if this is small.
    run.result["arrivals"]["client_cpu_ms_per_arrival"] = round(
        (client_arrived["cpu_s"] - client_before["cpu_s"]) / max(1, options.arrivals) * 1e3, 3
    )
    await run.idle(before, client_before)

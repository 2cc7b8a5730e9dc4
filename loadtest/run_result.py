"""The figures of a load run, from what it recorded: pushes, clicks, the journeys, the server's
and the client's CPU and memory, errors, and the verdict."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import figures
from .timeline import timeline

if TYPE_CHECKING:
    from .run import Run
    from .verdict import Verdict


def finish(run: Run, verdict: Verdict) -> None:
    """The run's figures into `run.result`, once it has clicked, settled and been judged."""
    rec, result, options, pids = run.rec, run.result, run.options, run.pids
    push = figures.push_figures(rec, run.ready, run.ready_all - len(run.ready))
    result["push"] = push
    result["clicks"] = figures.click_figures(rec, run.clickers, options.profile, run.click_seconds)
    if run.profile:
        result["clicks"].update(run.profile.figures(run.clickers))
    result["auth"] = {"mode": options.auth, "calls": dict(rec.auth)}
    if rec.journeys or rec.journey_notes:  # buyers who booked as the client does (clickers.book)
        result["journey"] = figures.journey_figures(rec, run.clickers, run.click_seconds)
    if options.poll:
        seconds = (time.time_ns() - run.connect_started) / 1e9
        result["poll"] = figures.poll_figures(rec, options.poll, seconds)
    cpu, deliveries = run.server_cpu, push["delivered"]
    window = run.click_seconds + run.settle_seconds
    result["server"] = {
        "pids": pids,
        "cpu_s": round(cpu, 3) if pids else None,
        "cpu_share": round(cpu / window, 3) if pids else None,
        "cpu_us_per_delivery": (round(cpu / deliveries * 1e6, 2) if pids and deliveries else None),
        # The whole window's CPU (pushes included) over the requests answered in it.
        "cpu_ms_per_request": (
            round(cpu / len(rec.requests) * 1e3, 3) if pids and rec.requests else None
        ),
        "cpu_ms_per_booking": (
            round(cpu / len(rec.journeys) * 1e3, 3) if pids and rec.journeys else None
        ),
        "rss_bytes": run.server_rss if pids else None,
    }
    result["client"] = {
        "cpu_s": round(run.client_cpu, 3),
        "processes": options.procs,
        "rss_bytes": run.client_rss,
    }
    result["errors"] = dict(rec.errors)
    result["resyncs"] = dict(rec.resyncs)
    result["closed_by_server"] = figures.closed_by_server(rec)
    result["duplicates"] = rec.duplicates
    result["verdict"] = verdict.as_dict()
    result["timeline"] = timeline(rec, run.progress.phases, run.arrivals)
    summary = run.profile and run.profile.summary(run)
    if summary:
        result[run.profile.name] = summary

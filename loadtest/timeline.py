"""A run over time, in steps of a fraction of its length: sockets ready, holds and requests a
second, request latency and push lag percentiles, errors by code, each arrival's time to a
usable map, and when each phase began. What the HTML report (report_html.py) draws; kept in the
result's JSON as `timeline`, so a saved run can be drawn again."""

import math
from collections import Counter
from itertools import accumulate, chain

from .stats import HOLD_OPS, Recorder, quantiles

# The step: the first of these (seconds) that cuts the run into at most MAX_STEPS.
STEPS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
MAX_STEPS = 150
# Error codes drawn each as its own series; the rest are drawn together as "other".
MAX_ERROR_SERIES = 8


def _percentiles(bins: list[list[float]], scale: float, names: tuple[str, ...]) -> dict:
    """For each name (p50, p95, p99, max), its value per bin (None where the bin is empty)."""
    per_bin = [quantiles(values, scale) for values in bins]
    return {name: [q[name] for q in per_bin] for name in names}


def timeline(rec: Recorder, phases: list[tuple[str, float]], arrivals: list = ()) -> dict:
    """`phases`: (name, monotonic s) as the progress line saw them; `arrivals`: the on-sale's
    (onsale.Arrival), whose time to a usable map is kept one point each."""
    t0, t0_ns = rec.started_s, rec.started_ns
    ready = sorted((ns - t0_ns) / 1e9 for ns in rec.first_snapshot_ns.values())
    requests = [(t - t0, op, code, s) for op, _, code, s, t in rec.requests]
    # This process's pushes (a --procs child's come without their receive time).
    pushes = [
        ((at - t0_ns) / 1e9, lag)
        for at, lag in zip(rec.push_received_ns, rec.push_latency_ns, strict=False)
    ]
    errors = [(t - t0, key, n) for t, key, n in rec.errors.times]
    errors += [(t, f"{op}:{code}", 1) for t, op, code, _ in requests if code != "ok"]
    started = sorted((a.started_ns - t0_ns) / 1e9 for a in arrivals if a.started_ns)
    span = max(
        chain(
            [1.0, *ready, *started],
            (r[0] for r in requests),
            (p[0] for p in pushes),
            (e[0] for e in errors),
            (t - t0 for _, t in phases),
        )
    )
    step = next((s for s in STEPS if span / s <= MAX_STEPS), STEPS[-1])
    n = math.ceil(span / step) + 1

    def at(t: float) -> int:
        return min(n - 1, max(0, int(t / step)))

    def cumulative(times: list[float]) -> list[int]:
        counts = Counter(at(t) for t in times)
        return list(accumulate(counts[i] for i in range(n)))

    holds, answered = [0] * n, [0] * n
    latency: list[list[float]] = [[] for _ in range(n)]
    for t, op, code, seconds in requests:
        i = at(t)
        answered[i] += 1
        latency[i].append(seconds)
        if op in HOLD_OPS and code == "ok":
            holds[i] += 1
    lags: list[list[int]] = [[] for _ in range(n)]
    for t, lag in pushes:
        lags[at(t)].append(lag)
    totals = Counter()
    for _, key, count in errors:
        totals[key] += count
    named = {key for key, _ in totals.most_common(MAX_ERROR_SERIES)}
    by_code: dict[str, list[int]] = {}
    for t, key, count in errors:
        series = by_code.setdefault(key if key in named else "other", [0] * n)
        series[at(t)] += count
    return {
        "step_s": step,
        "t_s": [round(i * step, 3) for i in range(n)],
        "phases": [[name, round(t - t0, 3)] for name, t in phases],
        "sockets_ready": cumulative(ready),
        "arrivals_started": cumulative(started) if started else None,
        "holds_per_s": [round(h / step, 2) for h in holds],
        "requests_per_s": [round(r / step, 2) for r in answered],
        "request_ms": _percentiles(latency, 1e3, ("p50", "p95", "p99")),
        "push_lag_ms": _percentiles(lags, 1e-6, ("p50", "p99", "max")),
        "errors_by_code": by_code,
        "time_to_map": [
            [round((a.started_ns - t0_ns) / 1e9, 3), round((a.usable_ns - a.started_ns) / 1e6, 1)]
            for a in arrivals
            if a.usable_ns
        ],
    }

"""The figures of a run, from what its recorder kept, and the table it prints."""

from collections import Counter

from .stats import HOLD_OPS, Recorder, hold_refusals, quantiles
from .verdict import verdict_line
from .watchers import Watcher


def push_figures(rec: Recorder, ready: list, elsewhere: int = 0) -> dict:
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


def click_figures(rec: Recorder, clickers: list, profile: str, seconds: float) -> dict:
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
            "fast": rec.fast[op],  # answered by the server's fast path (X-Seatmap-Path)
            "latency_ms": quantiles([r[2] for r in rows], 1e3),
        }
    holds_ok = sum(ops.get(op, {}).get("ok", 0) for op in HOLD_OPS)
    holds_asked, refused = hold_refusals(rec.requests)
    conflicts = sum(n for k, n in codes.items() if k.endswith(":seat_unavailable"))
    return {
        "profile": profile,
        "clickers": len(clickers),
        "seconds": round(seconds, 3),
        "requests": len(rec.requests),
        "requests_per_s": round(len(rec.requests) / seconds, 1) if seconds else None,
        "holds_per_s": round(holds_ok / seconds, 1) if seconds else None,
        "conflicts_per_s": round(conflicts / seconds, 1) if seconds else None,
        "holds_asked": holds_asked,
        "holds_refused_by_limit": dict(refused.most_common()),
        "unanswered": sum(1 for r in rec.requests if r[1] == 0),
        "server_errors": sum(1 for r in rec.requests if r[1] >= 500),
        "latency_ms": quantiles([r[3] for r in rec.requests], 1e3),
        "by_op": ops,
        "errors_by_code": dict(codes),
    }


def journey_figures(rec: Recorder, clickers: list, seconds: float) -> dict:
    """The journey profile: complete bookings, and each one's time from the buyer's first
    click to the answer that confirmed it."""
    bookings = len(rec.journeys)
    cancelled = sum(len(c.cancelled) for c in clickers)
    seats = sum(n for _, n in rec.journeys)
    return {
        "bookings": bookings,
        "bookings_per_s": round(bookings / seconds, 1) if seconds else None,
        "seats_booked": seats,
        "seats_per_booking": round(seats / bookings, 2) if bookings else None,
        "cancellations": cancelled,
        "kept": bookings - cancelled,
        "journey_ms": quantiles([t for t, _ in rec.journeys], 1e3),
        "notes": dict(rec.journey_notes),
    }


def poll_figures(rec: Recorder, interval: float, seconds: float) -> dict:
    """Pollers (--poll): how stale their seat lists were, and what the polls cost."""
    return {
        "interval_s": interval,
        "polls": rec.polls,
        "requests_per_s": round(rec.polls / max(1e-9, seconds), 1),
        "poll_latency_ms": quantiles(rec.poll_latency, 1e3),
        "staleness_ms": quantiles(rec.staleness_ns, 1e-6),
    }


def closed_by_server(rec: Recorder) -> dict[str, int]:
    """Sockets the server closed, by close code (PROTOCOL.md "Closing"); JSON keys are text."""
    return {str(code): n for code, n in sorted(rec.closed_by_server.items())}


def shown(value, unit: str = "", why: str = "") -> str:
    """A figure with its unit, or that it was not measured and why: never "None"."""
    if value is None:
        return f"not measured ({why})" if why else "not measured"
    return f"{value}{unit}"


def refused_by_limit(clicks: dict) -> str:
    """The holds a limit refused, of those asked, by code."""
    refused = clicks.get("holds_refused_by_limit") or {}
    codes = ", ".join(f"{code} {n:,}" for code, n in refused.items())
    said = f"{sum(refused.values()):,} of {clicks.get('holds_asked', 0):,}"
    return said + (f" ({codes})" if codes else "")


def server_cpu(srv: dict) -> str:
    """The server's CPU in the measured window, each part said or why it was not measured."""
    if not srv.get("pids"):
        return "not measured (no --server-pid)"
    return (
        f"{srv['cpu_s']} s ({srv['cpu_share']} cores), "
        f"{shown(srv['cpu_us_per_delivery'], ' µs', 'no push delivered')} per delivery, "
        f"{shown(srv['cpu_ms_per_request'], ' ms', 'no request')} per request, "
        f"{shown(srv['cpu_ms_per_booking'], ' ms', 'no booking')} per booking, RSS "
        f"{(srv['rss_bytes'] or 0) / 2**20:.1f} MiB"
    )


def spread(q: dict | None, unit: str, keys=("p50", "p90", "p99", "max"), n=True, empty="–"):
    """A figure of stats.quantiles in one line: its `keys`, `unit` and (`n`) how many values,
    or `empty` if it has none."""
    if not q or not q.get("n"):
        return empty
    return " / ".join(f"{k} {q[k]}" for k in keys) + f" {unit}" + f" (n={q['n']})" * n


def ms(q: dict | None) -> str:
    return spread(q, "ms", ("p50", "p95", "p99", "max"), n=False, empty="none timed")


def counts(counted: dict, sep: str = " ") -> str:
    """`{code: n}` in one line, by code."""
    return ", ".join(f"{k}{sep}{v}" for k, v in sorted(counted.items()))


def table(result: dict) -> str:
    c, push, clicks, srv = result["connect"], result["push"], result["clicks"], result["server"]
    opened = f"{c['bursts']} bursts of {c['burst']} in {shown(c['opened_in_s'], ' s')}"
    rows = [
        ("watchers ready / refused", f"{c['ready']} / {c['refused']} ({opened})"),
        ("time to all snapshots", shown(c["time_to_all_snapshots_s"], " s", "no snapshot")),
        ("push latency", ms(push["latency_ms"])),
        ("fan-out completion", ms(push["completion_ms"])),
        (
            "delivered / expected",
            f"{push['delivered']} / {push['expected']} "
            f"({push['messages']} messages to {push['listeners']} sockets)",
        ),
    ]
    if "poll" in result:
        p = result["poll"]
        rows += [
            ("poll staleness", ms(p["staleness_ms"])),
            ("poll requests/s", f"{p['requests_per_s']} (latency {ms(p['poll_latency_ms'])})"),
        ]
    if clicks["clickers"]:
        rows += [
            (
                "clicks",
                f"{clicks['profile']}: {clicks['clickers']} clickers, "
                f"{clicks['requests']} requests in {clicks['seconds']} s",
            ),
            (
                "holds/s, conflicts/s",
                f"{shown(clicks['holds_per_s'])}, {shown(clicks['conflicts_per_s'])}",
            ),
        ]
        if clicks.get("holds_asked"):
            rows.append(("holds refused by a limit", refused_by_limit(clicks)))
        rows.append(("request latency", ms(clicks["latency_ms"])))
        rows += [
            (f"  {op}", f"{o['ok']}/{o['requests']} ok ({o['fast']} fast), {ms(o['latency_ms'])}")
            for op, o in clicks["by_op"].items()
        ]
        if clicks["errors_by_code"]:
            rows.append(("errors by code", counts(clicks["errors_by_code"])))
        if "winners" in clicks:
            rows.append(("hot seat winners", str(clicks["winners"])))
    if "journey" in result:
        j = result["journey"]
        rows += [
            (
                "complete bookings",
                f"{j['bookings']} ({shown(j['bookings_per_s'], '/s')}, "
                f"{shown(j['seats_per_booking'])} seats each), {j['cancellations']} cancelled",
            ),
            ("first click -> booked", ms(j["journey_ms"])),
        ]
        if j["notes"]:
            rows.append(("journey notes", counts(j["notes"])))
    if "auth" in result and clicks["clickers"]:
        fast = sum(o["fast"] for o in clicks["by_op"].values())
        rows.append(
            (
                "auth",
                f"{result['auth']['mode']} ({counts(result['auth']['calls'], ': ') or 'no calls'}"
                f"); {fast} of {clicks['requests']} answers from the fast path",
            )
        )
    rows.append(("server CPU", server_cpu(srv)))
    im = result.get("idle_memory")  # none in a run stopped before its idle
    if im:
        rows.append(
            (
                "memory per idle watcher",
                f"server {shown(im['server_bytes_per_watcher'], ' B', 'no --server-pid')}, "
                f"client {im['client_bytes_per_watcher']} B",
            )
        )
    if result["closed_by_server"]:
        rows.append(("closed by server", "{" + counts(result["closed_by_server"], ": ") + "}"))
    if result["errors"]:
        rows.append(("client-side errors", counts(result["errors"])))
    if "onsale" in result:
        rows += onsale_rows(result["onsale"], result["arrivals"])
    if "best" in result:
        b = result["best"]
        rows.append(
            (
                b["profile"],
                f"{b['held']} of {b['requests']} held ({shown(b['holds_per_second'], '/s')}, "
                f"{b['together_share']:.0%} side by side), {b['no_block']} no_block, "
                f"{b['hold_limit']} past a limit; {b['orphans_left']} of {b['seats_left']} "
                "free seats left alone",
            )
        )
    rows.append(("verdict", verdict_line(result["verdict"])))
    return aligned(rows)


def aligned(rows: list[tuple[str, str]]) -> str:
    """(name, value) rows as a table, the values in one column."""
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def onsale_rows(o: dict, arrivals: dict) -> list[tuple[str, str]]:
    """The on-sale's figures (--profile onsale), one row each."""

    def ms(q):
        return spread(q, "ms", ("p50", "p95", "p99"))

    wire = o["wire_bytes_per_arrival"]
    answers = "; ".join(
        f"{op} {counts(r['statuses'], ': ')} ({r['body_bytes_per_answer']} B a body)"
        for op, r in arrivals["requests"].items()
    )
    return [
        ("on-sale: arrivals", f"{o['maps_usable']} of {o['arrivals']} maps usable"),
        ("  time to a usable map", ms(o["time_to_map_ms"])),
        (
            "  per arrival",
            f"{shown(o['server_cpu_ms_per_arrival'], ' ms', 'no --server-pid')} of server CPU "
            f"({shown(o.get('client_cpu_ms_per_arrival'), ' ms')} of the client's), "
            f"{(wire['mean'] or 0) / 1024:.1f} KiB off the wire (p95 "
            f"{(wire['p95'] or 0) / 1024:.1f} KiB)",
        ),
        (
            "  off the wire, p50",
            f"first visit {_kib(o.get('wire_bytes_first_visit'))}, "
            f"return visit {_kib(o.get('wire_bytes_return_visit'))}",
        ),
        ("  answers", answers),
        ("  buyers", f"{o['buyers']}: click {ms(o['click_ms'])}; best {ms(o['best_ms'])}"),
        (
            "  holds/s, bookings/s",
            f"{shown(o['holds_per_s'])}, {shown(o['bookings_per_s'])} ({o['bookings']} booked, "
            f"{o['cancellations']} cancelled)",
        ),
        ("  503 answers", str(o["answers_503"])),
        (
            "  pushes",
            f"p99 {shown(o['push_p99_ms'], ' ms', 'none timed')}, "
            f"{shown(o['deliveries_per_s'])} deliveries/s, "
            f"{shown(o['server_cpu_us_per_delivery'], ' µs', 'no --server-pid')} of server CPU "
            "per delivery",
        ),
    ]


def _kib(q: dict | None) -> str:
    return f"{q['p50'] / 1024:.1f} KiB" if q and q.get("n") else "–"

"""BENCHMARKS.md from the bench's results: one table per question of issue 5, then the commands."""

from datetime import UTC, datetime
from pathlib import Path

NOTES_START = "<!-- notes -->"
NOTES_END = "<!-- /notes -->"


def _q(q: dict | None, key: str = "p99") -> str:
    if not q or q.get(key) is None:
        return "–"
    value = q[key]
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _get(result: dict, *path, default="–"):
    value = result
    for key in path:
        if not isinstance(value, dict) or key not in value or value[key] is None:
            return default
        value = value[key]
    return value


def _fanout_row(name: str, r: dict) -> str:
    if r.get("failed"):
        return f"| {name} | failed: {r['failed'][:80]} | | | | | | | |"
    push, c, srv = r["push"], r["connect"], r["server"]
    dropped = sum(v for k, v in r["errors"].items() if k.startswith("ws_dropped"))
    cpu = srv.get("cpu_us_per_delivery")
    mem = _get(r, "idle_memory", "server_bytes_per_watcher")
    mem = f"{mem / 1024:.1f} KiB" if isinstance(mem, int | float) else "–"
    return (
        f"| {name} | {c['ready']}/{c['watchers']} ({c['refused']} refused) | "
        f"{_q(push['latency_ms'], 'p50')} / {_q(push['latency_ms'])} | "
        f"{_q(push['completion_ms'], 'p95')} | {push['delivered']}/{push['expected']} | "
        f"{cpu if cpu is not None else '–'} µs | {mem} | {dropped} | "
        f"{'PASS' if r['verdict']['passed'] else 'FAIL'} |"
    )


def _clicks_row(name: str, r: dict) -> str:
    if r.get("failed"):
        return f"| {name} | failed: {r['failed'][:80]} | | | | | | | | | |"
    k = r["clicks"]
    errors = ", ".join(f"{code} {n}" for code, n in sorted(k["errors_by_code"].items())) or "none"
    winners = k.get("winners", "–")
    push = r.get("push", {}).get("latency_ms") or {}
    return (
        f"| {name} | {k['clickers']} | {_get(r, 'connect', 'ready')} | "
        f"{k.get('requests_per_s', '–')} | {k['holds_per_s']} | "
        f"{_q(k['latency_ms'], 'p50')} / {_q(k['latency_ms'])} | "
        f"{_q(push, 'p50') if push else '–'} / {_q(push) if push else '–'} | "
        f"{_get(r, 'server', 'cpu_share', default='–')} | {winners} | {errors} | "
        f"{'PASS' if r['verdict']['passed'] else 'FAIL'} |"
    )


CLIENT_PATH = ("click-", "journey-")


def _ms3(q: dict | None) -> str:
    return " / ".join(_q(q, k) for k in ("p50", "p95", "p99")) if q and q.get("n") else "–"


def client_path_table(results: dict) -> list[str]:
    """Issue 11: one click against a whole checkout, by the way the clicker logged in."""
    lines = [
        "| scenario | auth | profile | requests/s | complete bookings/s | first click -> booked "
        "p50 / p95 / p99 | lock p50 / p99 | reserve p50 / p99 | cancel p50 / p99 | answered by "
        "the fast path | server cores | server CPU per request | per booking | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if not name.startswith(CLIENT_PATH):
            continue
        if r.get("failed"):
            lines.append(f"| {name} | failed: {r['failed'][:80]} |" + " |" * 12)
            continue
        k, srv, j = r["clicks"], r["server"], r.get("journey") or {}
        ops = k["by_op"]

        def op(name, ops=ops):
            q = ops.get(name, {}).get("latency_ms")
            return f"{_q(q, 'p50')} / {_q(q)}" if q else "–"

        fast = sum(o.get("fast", 0) for o in ops.values())
        per_booking = srv.get("cpu_ms_per_booking")
        lines.append(
            f"| {name} | {_get(r, 'auth', 'mode')} | {k['profile']} | {k['requests_per_s']} | "
            f"{j.get('bookings_per_s', '–')} | {_ms3(j.get('journey_ms'))} | {op('lock')} | "
            f"{op('reserve')} | {op('cancel')} | {fast} of {k['requests']} | "
            f"{srv.get('cpu_share', '–')} | {srv.get('cpu_ms_per_request', '–')} ms | "
            f"{f'{per_booking} ms' if per_booking else '–'} | "
            f"{'PASS' if r['verdict']['passed'] else 'FAIL'} |"
        )
    return lines


def onsale_table(results: dict) -> list[str]:
    """Issue 21: arrivals (time to a usable map, server CPU and wire bytes each), then buyers
    (clicks, holds and bookings a second, 503s, pushes) on the same event."""
    lines = [
        "| scenario | maps usable | time to map p50 / p95 / p99 | server CPU per arrival | "
        "wire KiB per arrival | buyers | click p50 / p99 | holds/s | bookings/s | 503 answers | "
        "push p99 | deliveries/s | server CPU per delivery | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if not name.startswith("onsale"):
            continue
        if r.get("failed") or "onsale" not in r:
            lines.append(f"| {name} | failed: {str(r.get('failed'))[:80]} |" + " |" * 12)
            continue
        o = r["onsale"]
        wire = (o["wire_bytes_per_arrival"] or {}).get("mean")
        push = o["push_p99_ms"]
        lines.append(
            f"| {name} | {o['maps_usable']}/{o['arrivals']} | {_ms3(o['time_to_map_ms'])} | "
            f"{o['server_cpu_ms_per_arrival']} ms | "
            f"{f'{wire / 1024:.1f}' if wire is not None else '–'} | {o['buyers']} | "
            f"{_q(o['click_ms'], 'p50')} / {_q(o['click_ms'])} | {o['holds_per_s']} | "
            f"{o['bookings_per_s']} | {o['answers_503']} | "
            f"{_q({'p99': push}) if push is not None else '–'} | {o['deliveries_per_s']} | "
            f"{o['server_cpu_us_per_delivery']} µs | {'PASS' if o['verdict'] else 'FAIL'} |"
        )
    return lines


def _s3(q: dict | None) -> str:
    """p50 / p90 / p99 in seconds (the queue's spreads)."""
    if not q or not q.get("n"):
        return "–"
    return " / ".join(f"{q[k]:.1f}" for k in ("p50", "p90", "p99")) + " s"


def queue_tables(results: dict) -> list[str]:
    """Issue 8: the waiting room from the pre-queue to sold out (--profile queue), then
    waiting sockets on one server process (python -m loadtest waiting)."""
    sales = {n: r for n, r in results.items() if n.startswith("queue") and "queue" in r}
    waits = {n: r for n, r in results.items() if n.startswith("queue") and "queue" not in r}
    lines = []
    if sales:
        lines += [
            "| scenario | joined before / after | called / claimed / bought | time in queue "
            "p50 / p90 / p99 | calls a minute: observed / frames' rate p50 | estimate \\|error\\| "
            "p50 (actual inside range) | sold out to last waiting socket | admitted, no seat | "
            "server cores | verdict |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in sales.items():
            q, v = r["queue"], r["verdict"]
            adm, est = q["admissions"], q["estimate"]
            reach = q["sold_out_reach"].get("after_first_socket_ms") or {}
            lines.append(
                f"| {name} | {q['joined_pre_queue']} / {q['joined_late']} | {q['called']} / "
                f"{q['claimed']} / {q['bought']} | {_s3(q['time_in_queue_s'])} | "
                f"{adm['observed_per_min_whole_sale']} / {adm['frame_rate_per_min']['p50']} | "
                f"{est['midpoint_abs_error_s']['p50']} s ({est['inside_range_share']}) | "
                f"{_q(reach, 'max')} | {q['claimed_no_seat_share']} | "
                f"{_get(r, 'server', 'cpu_share')} | {'PASS' if v['passed'] else 'FAIL'} |"
            )
    if waits:
        lines += [
            *([""] if lines else []),
            "| scenario | sockets up | frames | from `at` p50 / p99 (worst frame p99) | first to "
            "last socket | server cores between frames | client cores | targets |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in waits.items():
            w = r.get("waiting")
            if r.get("failed") or not w:
                lines.append(f"| {name} | failed: {str(r.get('failed') or r.get('missed'))[:80]} |")
                continue
            d = w["delivery_from_at_ms"]
            lines.append(
                f"| {name} | {r['connect']['sockets_up']} | {w['frames']} | {_q(d, 'p50')} / "
                f"{_q(d)} ({w['worst_frame_p99_ms']:.0f} ms) | {w['spread_ms_max']:.0f} ms | "
                f"{w['server_cores_between_frames_mean']} | {r['client_cores']} | "
                f"{'met' if not r['missed'] else '; '.join(r['missed'])} |"
            )
    return lines


def write_benchmarks(
    machine: dict,
    results: dict,
    path: Path,
    *,
    database: str = "seatmap_bench",
    redis: str = "redis://127.0.0.1:6379/7",
) -> None:
    previous = path.read_text() if path.exists() else ""
    if NOTES_START in previous and NOTES_END in previous:
        notes = previous[previous.index(NOTES_START) : previous.index(NOTES_END) + len(NOTES_END)]
    else:
        notes = f"{NOTES_START}\n(analysis goes here)\n{NOTES_END}"
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m loadtest bench`) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {machine.get('git')}. Raw figures of "
        "every run: `loadtest-results/bench/*.json` (git-ignored). Load client and servers share "
        "this machine.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items() if k != "git"),
        "",
        notes,
        "",
        "## Fan-out: watchers on one event, 4 changes/s",
        "",
        "| scenario | ready | push p50 / p99 | completion p95 | delivered | server CPU per "
        "delivery | server RSS per idle watcher | dropped | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if name.startswith(("fanout", "storm", "idle")):
            lines.append(_fanout_row(name, r))
    storms = {n: r for n, r in results.items() if n.startswith("storm") and not r.get("failed")}
    if storms:
        lines += [
            "",
            "## Connect storm",
            "",
            "| scenario | opened in | refused | time to all "
            "snapshots | snapshot p50 / p99 | dropped later |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in storms.items():
            c = r["connect"]
            dropped = sum(v for k, v in r["errors"].items() if k.startswith("ws_dropped"))
            lines.append(
                f"| {name} | {c['opened_in_s']} s | {c['refused']} "
                f"{c['refusal_reasons'] or ''} | {c['time_to_all_snapshots_s']} s | "
                f"{_q(c['time_to_snapshot'], 'p50')} / {_q(c['time_to_snapshot'])} | "
                f"{dropped} |"
            )
    polls = {n: r for n, r in results.items() if n.startswith("poll") and not r.get("failed")}
    if polls:
        lines += [
            "",
            "## Polling (the seed design) against push",
            "",
            "| scenario | staleness "
            "mean / p99 / max | push latency mean / p99 (reference socket) | requests/s "
            "| poll answer p99 | server CPU |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in polls.items():
            p, push = r["poll"], r["push"]
            lines.append(
                f"| {name} | {_q(p['staleness_ms'], 'mean')} / {_q(p['staleness_ms'])} "
                f"/ {_q(p['staleness_ms'], 'max')} | {_q(push['latency_ms'], 'mean')} / "
                f"{_q(push['latency_ms'])} | {p['requests_per_s']} | "
                f"{_q(p['poll_latency_ms'])} | {r['server']['cpu_share']} cores |"
            )
    lines += [
        "",
        "## Clicks",
        "",
        "| scenario | clickers | watchers | requests/s | holds/s | answer p50 / p99 | push p50 / "
        "p99 | server cores | winners | errors by code | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if name.startswith(("uniform", "hot", "book", "churn")):
            lines.append(_clicks_row(name, r))
    if any(n.startswith("onsale") for n in results):
        lines += [
            "",
            "## On-sale: arrivals open the map as the shipped client does, then buyers at once",
            "",
            *onsale_table(results),
        ]
    if any(n.startswith("queue") for n in results):
        lines += ["", "## Waiting room: from the pre-queue to sold out", "", *queue_tables(results)]
    if any(n.startswith(CLIENT_PATH) for n in results):
        lines += [
            "",
            "## One click and a whole checkout, by auth (100 clickers, 10 s, one uvicorn process)",
            "",
            *client_path_table(results),
        ]
    wrks = {n: r for n, r in results.items() if n.startswith(("holds-wrk", "checkout-wrk"))}
    if wrks:
        lines += [
            "",
            "## Capacity with a load client in C (wrk, 10 s: each connection a user locking and "
            "unlocking its own seat, or with checkout-wrk locking two, reserving, cancelling)",
            "",
            "| scenario | connections | requests/s | answer p50 / p90 / p99 | not as expected | "
            "server cores | server CPU per request | complete bookings/s | per booking |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in wrks.items():
            if r.get("failed"):
                lines.append(f"| {name} | failed: {r['failed'][:80]} | | | | | | | |")
                continue
            q = r["latency_ms"]
            per_booking = r.get("server_cpu_ms_per_booking")
            unexpected = r.get("not_as_expected", r.get("non_200"))  # the key of older runs
            lines.append(
                f"| {name} | {r['connections']} | {r['requests_per_s']:.0f} | {q['p50']} / "
                f"{q['p90']} / {q['p99']} ms | {unexpected} | {r['server_cores']} | "
                f"{r['server_cpu_ms_per_request']} ms | {r.get('bookings_per_s', '–')} | "
                f"{f'{per_booking} ms' if per_booking is not None else '–'} |"
            )
    pg = results.get("pgbench")
    if pg and not pg.get("failed"):
        lines += [
            "",
            "## The database alone (pgbench, 16 clients, 10 s, the hold's SQL)",
            "",
            "| transaction | tx/s | latency avg |",
            "| --- | --- | --- |",
        ]
        for label in ("select_for_update", "update_returning"):
            if label in pg:
                lines.append(f"| {label} | {pg[label]['tps']} | {pg[label]['latency_avg_ms']} ms |")
        uni = results.get("uniform-holds-uvicorn", {})
        holds = _get(uni, "clicks", "holds_per_s", default=None)
        if holds and pg.get("select_for_update", {}).get("tps"):
            lines.append("")
            lines.append(
                f"App/pgbench ratio: {holds} / {pg['select_for_update']['tps']} = "
                f"{holds / pg['select_for_update']['tps']:.3f}."
            )
    lines += [
        "",
        "## Commands",
        "",
        "Each scenario, as run (servers started by the bench with "
        f"`DEBUG=0`, database `{database}`, Redis `{redis}`):",
        "",
        "```",
    ]
    for name, r in results.items():
        if r.get("command"):
            lines.append(f"# {name}")
            lines.append(r["command"])
        for label in ("select_for_update", "update_returning"):
            if isinstance(r.get(label), dict):
                lines.append(f"# {name} {label}")
                lines.append(r[label]["command"])
    lines += ["```", ""]
    path.write_text("\n".join(lines))

"""BENCHMARKS.md from the bench's results: one page, a row per figure (its value, what it is
measured against, the command, the commit, the date). A run rewrites the rows of the scenarios
it measured and keeps every other row as it was, so the page always holds the newest
measurement of each figure; the history is git's."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

NOTES_START = "<!-- notes -->"
NOTES_END = "<!-- /notes -->"
HEADER = "| figure | value | against | command | commit | date |"


def _ms(q: dict | None, key: str = "p99") -> str:
    if not q or q.get(key) is None:
        return "–"
    value = q[key]
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _arrivals(r: dict) -> str:
    o = r["onsale"]
    return (
        f"{o['maps_usable']}/{o['arrivals']} maps usable, time to a usable map p99 "
        f"{_ms(o['time_to_map_ms'])}, {o['server_cpu_ms_per_arrival']} ms of server CPU each"
    )


def _watch_and_click(r: dict) -> str:
    o = r["onsale"]
    return (
        f"click p99 {_ms(o['click_ms'])}, {o['holds_per_s']} holds/s, {o['answers_503']} "
        f"answered 503, push p99 {_ms({'p99': o['push_p99_ms']})}"
    )


def _queue(r: dict) -> str:
    q = r["queue"]
    return (
        f"{q['called']} called, {q['bought']} bought; time in queue p50 / p99 "
        f"{q['time_in_queue_s']['p50']:.1f} / {q['time_in_queue_s']['p99']:.1f} s; verdict "
        f"{'PASS' if r['verdict']['passed'] else 'FAIL'}"
    )


def _waiting(r: dict) -> str:
    w = r["waiting"]
    return (
        f"{r['connect']['sockets_up']} sockets, from the state to a socket p99 "
        f"{_ms(w['delivery_from_at_ms'])}, {w['server_cores_between_frames_mean']} cores "
        "between frames"
    )


def _holds(r: dict) -> str:
    return (
        f"{r['requests_per_s']:.0f} holds/s, {r['server_cpu_ms_per_request']} ms server + "
        f"{r['database_cpu_ms_per_request']} ms PostgreSQL CPU each"
    )


def _door(r: dict) -> str:
    d = r["door"]
    return (
        f"{d['scans_per_s']:.0f} scans/s of {d['offered_per_s'] or 'all'} offered, answer "
        f"p50 {_ms(d['scan_ms'], 'p50')} / p99 {_ms(d['scan_ms'])}, "
        f"{d['server_cpu_ms_per_scan']} ms of server CPU a scan; the console's counts "
        f"{_ms({'p99': d['console_final_lag_ms']})} after the last check-in (each check-in p99 "
        f"{_ms(d['console_lag_ms'])}); verdict {'PASS' if r['verdict']['passed'] else 'FAIL'}"
    )


def _cpu(r: dict) -> float:
    return r["server_cpu_ms_per_request"] + r["database_cpu_ms_per_request"]


class Figure(NamedTuple):
    name: str  # the row's key: a run rewrites the row of this name
    scenario: str
    value: Callable[[dict], str]
    against: str  # until someone writes a better anchor into the row, which a run keeps
    floor: str = ""  # a scenario run beside it: when the run has it, the row is set against it


FIGURES = (
    Figure(
        "a hold (one seat, 50 users, wrk)",
        "holds-wrk-50",
        _holds,
        "the previous row",
        floor="holds-wrk-50-floor",
    ),
    Figure(
        "a checkout (lock two, reserve, cancel; wrk)",
        "checkout-wrk-50",
        lambda r: (
            f"{r['bookings_per_s']} bookings/s, "
            f"{r['server_cpu_ms_per_booking']} ms of server CPU each"
        ),
        "the previous row",
    ),
    Figure(
        "fan-out, 5,000 watchers of one event",
        "fanout-5000-uvicorn",
        lambda r: (
            f"{r['server']['cpu_us_per_delivery']} µs of server CPU a delivery, push "
            f"p99 {_ms(r['push']['latency_ms'])}"
        ),
        "the bare loop's floor (`python -m loadtest fanout`)",
    ),
    Figure(
        "server memory per idle socket",
        "idle-1000-12s-uvicorn",
        lambda r: f"{r['idle_memory']['server_bytes_per_watcher'] / 1024:.1f} KiB",
        "the capacity model's input",
    ),
    Figure(
        "1,000 arrivals on the arena within a second",
        "onsale-1000-arena-at-once",
        _arrivals,
        "every map usable",
    ),
    Figure("200 arrivals on the arena at once", "onsale-200-arena", _arrivals, "every map usable"),
    Figure(
        "2,000 watching the arena, 200 clicking",
        "onsale-2000-arena-200-clicking",
        _watch_and_click,
        "none answered 503",
    ),
    Figure(
        "1,000 buyers at one seat",
        "hot-1000",
        lambda r: f"{r['clicks']['winners']} winner, answer p99 {_ms(r['clicks']['latency_ms'])}",
        "exactly one winner; p99 under 500 ms",
    ),
    Figure("an on-sale behind the waiting room", "queue-2000", _queue, "verdict PASS"),
    Figure(
        "10,000 sockets waiting on one process",
        "queue-waiting-10k",
        _waiting,
        "p99 under 1 s; under 0.10 cores between frames",
    ),
    Figure(
        "the door: online scans on one process",
        "door-scans-300",
        _door,
        "target: 300 scans/s offered, p99 under 100 ms, the console within 1 s",
    ),
    Figure(
        "the database alone (pgbench, the hold's SQL)",
        "pgbench",
        lambda r: f"{r['select_for_update']['tps']:.0f} tx/s",
        "the hold's rate on the server",
    ),
)


def _split(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def previous_rows(text: str) -> dict[str, list[str]]:
    """The figure table's rows of a BENCHMARKS.md, by figure, in their order."""
    if HEADER not in text:
        return {}
    rows = {}
    for line in text[text.index(HEADER) :].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = _split(line)
        rows[cells[0]] = cells
    return rows


def write_benchmarks(machine: dict, results: dict, path: Path) -> None:
    previous = path.read_text() if path.exists() else ""
    if NOTES_START in previous and NOTES_END in previous:
        notes = previous[previous.index(NOTES_START) : previous.index(NOTES_END) + len(NOTES_END)]
    else:
        notes = f"{NOTES_START}\n{NOTES_END}"
    rows = previous_rows(previous)
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    for figure in FIGURES:
        result = results.get(figure.scenario)
        if not result or result.get("failed"):
            continue  # not measured by this run: the row keeps its newest measurement
        against = rows.get(figure.name, [None, None, figure.against])[2]
        floor = results.get(figure.floor) if figure.floor else None
        if floor and not floor.get("failed"):
            against = (
                f"the floor (`{figure.floor}`, loadtest/hold_floor.py) in the same run: "
                f"{_holds(floor)}; the project x{_cpu(result) / _cpu(floor):.2f} its CPU"
            )
        rows[figure.name] = [
            figure.name,
            figure.value(result),
            against,
            f"`python -m loadtest bench --only {figure.scenario}`",
            f"`{machine.get('git')}`",
            today,
        ]
    lines = [
        "# Benchmarks",
        "",
        "The newest measurement of each figure, on this project's 2-core machine (one server "
        "process, the load client on the same cores, unless the row says otherwise). `make "
        "bench` rewrites the rows of the scenarios it runs and keeps the others; earlier "
        "measurements are in git (`git log -p BENCHMARKS.md`), a run's raw results in "
        "`loadtest-results/bench/` (ignored). The machine's speed drifts 2-3x between days: "
        "compare A and B only when interleaved in the same minutes.",
        "",
        notes,
        "",
        HEADER,
        "| --- | --- | --- | --- | --- | --- |",
        *("| " + " | ".join(cells) + " |" for cells in rows.values()),
        "",
        "Machine of the last `make bench`: "
        + ", ".join(f"{k} {v}" for k, v in machine.items() if k != "git"),
        "",
    ]
    path.write_text("\n".join(lines))

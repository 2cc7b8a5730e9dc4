"""BENCHMARKS.md as `make bench` writes it: one page, a row per figure; a run rewrites the rows
it measured and keeps the others, their anchors and the notes as they were."""

from loadtest.report import FIGURES, HEADER, previous_rows, write_benchmarks

MACHINE = {"cpus": 2, "python": "3.11.7", "git": "abc1234"}

HOLD_ROW = (
    "| a hold (one seat, 50 users, wrk) | 625 holds/s, 1.41 ms of server CPU each | `34c3554`: "
    "850 holds/s | `python -m loadtest bench --only holds-wrk-50` | `8ff4736` | 2026-11-26 |"
)
BEST_ROW = (
    "| best available, 200 asks at once | p99 186-266 ms | p99 under 300 ms | `python -m "
    "loadtest bench --only best-200` | `2ea2862` | 2026-11-23 |"
)
PAGE = f"""# Benchmarks

<!-- notes -->
Read the rows as a pair when interleaved.
<!-- /notes -->

{HEADER}
| --- | --- | --- | --- | --- | --- |
{HOLD_ROW}
{BEST_ROW}
"""

HOLDS = {
    "name": "holds-wrk-50",
    "requests_per_s": 702.4,
    "server_cpu_ms_per_request": 1.3,
    "database_cpu_ms_per_request": 0.9,
    "latency_ms": {"p50": 50, "p90": 80, "p99": 120},
}
ONSALE = {
    "onsale": {
        "arrivals": 1000,
        "maps_usable": 1000,
        "time_to_map_ms": {"n": 1000, "p50": 2410, "p95": 2900, "p99": 3050},
        "server_cpu_ms_per_arrival": 3.66,
        "click_ms": {"n": 900, "p50": 60, "p99": 480},
        "holds_per_s": 150.2,
        "answers_503": 0,
        "push_p99_ms": 380,
    }
}


def test_a_run_rewrites_the_rows_it_measured_and_keeps_the_others(tmp_path):
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(PAGE)
    write_benchmarks(MACHINE, {"holds-wrk-50": HOLDS}, page)
    text = page.read_text()
    rows = previous_rows(text)
    assert rows["a hold (one seat, 50 users, wrk)"] == [
        "a hold (one seat, 50 users, wrk)",
        "702 holds/s, 1.3 ms server + 0.9 ms PostgreSQL CPU each",
        "`34c3554`: 850 holds/s",  # the anchor someone wrote stays
        "`python -m loadtest bench --only holds-wrk-50`",
        "`abc1234`",
        rows["a hold (one seat, 50 users, wrk)"][5],
    ]
    assert rows["best available, 200 asks at once"][1:] == [
        "p99 186-266 ms",
        "p99 under 300 ms",
        "`python -m loadtest bench --only best-200`",
        "`2ea2862`",
        "2026-11-23",
    ]
    assert "Read the rows as a pair when interleaved." in text
    assert "cpus 2, python 3.11.7" in text and list(rows)[0].startswith("a hold")


def test_a_hold_run_beside_its_floor_is_set_against_it(tmp_path):
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(PAGE)
    floor = {**HOLDS, "requests_per_s": 2000, "server_cpu_ms_per_request": 0.4}
    floor["database_cpu_ms_per_request"] = 0.15
    write_benchmarks(MACHINE, {"holds-wrk-50": HOLDS, "holds-wrk-50-floor": floor}, page)
    against = previous_rows(page.read_text())["a hold (one seat, 50 users, wrk)"][2]
    assert against == (
        "the floor (`holds-wrk-50-floor`, loadtest/hold_floor.py) in the same run: 2000 holds/s, "
        "0.4 ms server + 0.15 ms PostgreSQL CPU each; the project x4.00 its CPU"
    )


def test_a_new_figure_is_added_with_its_anchor_and_a_failed_one_leaves_its_row(tmp_path):
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(PAGE)
    results = {
        "holds-wrk-50": {"name": "holds-wrk-50", "failed": "RuntimeError: wrk not found"},
        "onsale-1000-arena-at-once": ONSALE,
        "onsale-2000-arena-200-clicking": ONSALE,
    }
    write_benchmarks(MACHINE, results, page)
    rows = previous_rows(page.read_text())
    assert rows["a hold (one seat, 50 users, wrk)"][1] == "625 holds/s, 1.41 ms of server CPU each"
    assert rows["1,000 arrivals on the arena within a second"][1:3] == [
        "1000/1000 maps usable, time to a usable map p99 3.05 s, 3.66 ms of server CPU each",
        "every map usable",
    ]
    assert rows["2,000 watching the arena, 200 clicking"][1] == (
        "click p99 480 ms, 150.2 holds/s, 0 answered 503, push p99 380 ms"
    )


def test_the_first_page_has_the_table_alone(tmp_path):
    page = tmp_path / "BENCHMARKS.md"
    write_benchmarks(MACHINE, {"holds-wrk-50": HOLDS}, page)
    rows = previous_rows(page.read_text())
    assert list(rows) == ["a hold (one seat, 50 users, wrk)"]
    assert {figure.scenario for figure in FIGURES} >= {"holds-wrk-50", "hot-1000", "queue-2000"}

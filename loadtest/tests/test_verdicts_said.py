"""Verdicts that mean what they say, on recorded results (loadtest/results/) and recorded
requests, no server: a run whose holds mostly met a limit fails and counts them by code; no
figure printed as "None"; `ready` answers UNKNOWN for an embedded server and for a probe too
short, and its report draws that answer; a mistake is one line on stderr."""

import json
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from loadtest.commands import main, parse
from loadtest.figures import click_figures, table
from loadtest.ready import judge
from loadtest.report_html import render
from loadtest.stats import Recorder
from loadtest.verdict import Verdict

RESULTS = Path(__file__).parent.parent / "results"


def recorded(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def refused_run() -> Recorder:
    """The README's run of issue 55: 1,057 holds, 800 refused `purchase_limit`."""
    rec = Recorder()
    for n in range(1057):
        rec.request("lock", 409 if n < 800 else 200, "purchase_limit" if n < 800 else "ok", 0.01)
    for _ in range(60):
        rec.request("reserve", 201, "ok", 0.02)
    return rec


def test_a_run_whose_holds_mostly_met_a_limit_fails_and_counts_them_by_code():
    from loadtest.verdict import limits_verdict

    rec, verdict = refused_run(), Verdict()
    limits_verdict(rec.requests, verdict, expected=False)

    assert not verdict.passed
    assert verdict.failures[0].startswith(
        "800 of 1,057 holds refused by a limit (purchase_limit 800): it measured the limits"
    )
    assert "purchase limit" in verdict.failures[0]  # what to change
    # The figures say it too, by code.
    result = recorded("journey-100.json")
    result["clicks"] = click_figures(rec, [None] * 20, "journey", 10.0)
    assert result["clicks"]["holds_refused_by_limit"] == {"purchase_limit": 800}
    assert "holds refused by a limit  800 of 1,057 (purchase_limit 800)" in table(result)
    assert "holds refused by a limit</th><td>800 of 1,057 (purchase_limit 800)" in render(
        [("run", result)]
    )


def test_a_profile_that_sets_out_to_meet_the_limits_notes_them_and_half_is_not_most():
    from loadtest.verdict import limits_verdict

    rec, verdict = refused_run(), Verdict()
    limits_verdict(rec.requests, verdict, expected=True)  # hoard, best
    assert verdict.passed and verdict.notes == [
        "800 of 1,057 holds refused by a limit (purchase_limit 800), as this profile sets out to"
    ]
    half = Recorder()
    for code in ("ok", "throttled"):
        half.request("lock", 200, code, 0.01)
    verdict = Verdict()
    limits_verdict(half.requests, verdict, expected=False)
    assert verdict.passed and not verdict.notes


def test_a_run_whose_watchers_mostly_had_no_snapshot_fails_and_says_how_many():
    from loadtest.verdict import nothing_tested

    def judged(ready: int) -> Verdict:
        rec, verdict = Recorder(), Verdict()
        for index in range(ready):
            rec.first_snapshot_ns[index] = index
        run = SimpleNamespace(options=SimpleNamespace(watchers=10), rec=rec, clickers=[])
        nothing_tested(run, verdict)
        return verdict

    assert judged(6).passed
    assert judged(5).failures == ["5 of the 10 watchers received no snapshot"]
    assert judged(0).failures == ["10 of the 10 watchers received no snapshot"]


def test_no_figure_is_printed_as_none():
    """A run without --server-pid, no push delivered, no snapshot: each said not measured."""
    result = recorded("journey-100.json")
    result["server"] = dict.fromkeys(result["server"], None) | {"pids": []}
    result["connect"]["time_to_all_snapshots_s"] = None
    result["idle_memory"]["server_bytes_per_watcher"] = None
    result["clicks"]["holds_per_s"] = None
    printed, page = table(result), render([("run", result)])

    assert "None" not in printed, printed
    assert "None" not in page.split("<h3>Settings</h3>")[0]  # the settings are as given
    assert "server CPU                not measured (no --server-pid)" in printed
    assert "server CPU</th><td>not measured (no --server-pid)" in page


def ready_args(*options: str):
    return parse(
        "ready",
        ["--event", "1", "--users", "users.json", "--clicks-per-s", "10", *options],
    )


def test_ready_is_unknown_on_an_embedded_server_and_on_a_probe_too_short():
    from loadtest.ready import embedded_why

    said = embedded_why(
        {"http://h": "database=sqlite, channel_layer=InMemoryChannelLayer"}  # make run's
    )
    assert said.startswith("http://h is an embedded server (database=sqlite, ")
    full = "database=postgresql, channel_layer=RedisPubSubChannelLayer"
    assert embedded_why({"http://h": full, "http://g": None}) is None
    assert judge(None, said, ready_args("--arrivals-per-s", "10", "--watchers", "2000"))[
        "line"
    ].startswith("UNKNOWN: http://h is an embedded server")

    # The recorded on-sale: 200 arrivals who stayed, at 20 a second for 10 s.
    probe = recorded("onsale-200-arena.json")
    sale = ("--arrivals-per-s", "20", "--duration", "10", "--seats", "19671")
    whole = judge(probe, None, ready_args(*sale, "--watchers", "200", "--map-p99-ms", "1e6"))
    assert whole["status"] == "READY", whole["line"]
    # The same probe for 2,000 watchers: this host opens 1,000, the probe ended at 200.
    short = judge(probe, None, ready_args(*sale, "--watchers", "2000", "--map-p99-ms", "1e6"))
    assert short["status"] == "UNKNOWN" and short["line"] == (
        "UNKNOWN: the probe opened 200 sockets (20 arrivals/s for --duration 10) of the 1,000 "
        "this host opens for 2,000 watchers: too few to say READY; give --duration 50"
    )


def test_report_of_a_ready_result_draws_its_answer_and_the_ready_command():
    args = ready_args("--arrivals-per-s", "10", "--watchers", "2000")
    readiness = judge(None, "http://h is an embedded server (database=sqlite)", args)
    page = render([("ready", {"readiness": readiness})])

    assert '<div class="verdict" style="color:#8a5a00">UNKNOWN</div>' in page
    assert "<li>http://h is an embedded server (database=sqlite)</li>" in page
    assert "PASS" not in page and "python -m loadtest run" not in page
    assert "python -m loadtest ready --event 1 --users users.json" in page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "argv, said",
    [
        (
            ["run", "--event", "1", "--watchers", "1", "--url", "http://127.0.0.1:{port}"],
            "did not answer",
        ),
        (
            ["run", "--event", "1", "--users", "{tmp}/none.json", "--clickers", "1"],
            "none.json: No such file",
        ),
        (
            ["run", "--event", "1", "--users", "{tmp}/bad.json", "--clickers", "1"],
            "bad.json: not a users file",
        ),
        (["report", "{tmp}/bad.json", "-o", "{tmp}/r.html"], "bad.json: not a saved result"),
        (["run", "--event", "x"], "argument --event: invalid int value: 'x'"),
        (
            [
                "ready",
                "--event",
                "1",
                "--users",
                "{tmp}/none.json",
                "--arrivals-per-s",
                "1",
                "--watchers",
                "1",
                "--clicks-per-s",
                "1",
            ],
            "none.json: No such file",
        ),
    ],
    ids=["server-down", "no-file", "not-json", "report-not-json", "bad-argument", "ready-no-file"],
)
def test_a_mistake_is_one_line_on_stderr_and_a_non_zero_exit(argv, said, tmp_path, capsys):
    (tmp_path / "bad.json").write_text("not json")
    argv = [a.format(port=free_port(), tmp=tmp_path) for a in argv] + ["--quiet"] * (
        argv[0] == "run"
    )
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's usage error
        status = exc.code
    err = capsys.readouterr().err
    assert status not in (0, None) and len(err.strip().splitlines()) == 1, err
    assert said in err and "Traceback" not in err


@pytest.mark.slow
def test_an_unknown_event_is_one_line_naming_the_answer(stack, capsys):
    status = main(["run", "--url", stack.base, "--event", "999999", "--watchers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1 and err == (
        f"python -m loadtest run: GET {stack.base}/api/events/999999/seats/ answered 404"
        " (no such event on this server?)\n"
    )


class _Buyer:
    def __init__(self, *reservations):
        self.reservations = list(reservations)


def _order(status: str, *seats: int) -> dict:
    return {"status": status, "seats": [{"id": seat} for seat in seats]}


def test_the_sales_verdict_knows_orders_awaiting_payment():
    """Their seats shown `paying` pass, and count apart; shown otherwise, or in two live
    orders, fail."""
    from loadtest.verdict import sales_verdict

    buyers = [_Buyer(_order("confirmed", 1), _order("awaiting_payment", 2, 3)), _Buyer()]
    server = {1: ("reserved", 2), 2: ("paying", 2), 3: ("paying", 2)}
    verdict = Verdict()
    sales_verdict(buyers, server, verdict)
    assert verdict.passed and verdict.figures["seats_paying"] == 2

    wrong = Verdict()
    sales_verdict(buyers, {**server, 3: ("available", 3)}, wrong)
    assert not wrong.passed and "not shown paying: [3]" in " ".join(wrong.failures)

    twice = Verdict()
    sales_verdict([*buyers, _Buyer(_order("confirmed", 2))], server, twice)
    assert "seats in two live orders: [2]" in " ".join(twice.failures)

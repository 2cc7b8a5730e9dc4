"""The run's report: one HTML page with a plot per figure over time (inline SVG naming its
series), the verdict in large type, two runs side by side; and a run stopped with Ctrl-C still
leaves its JSON and its report, judged stopped."""

import re
import signal
import subprocess
import sys
import time

import orjson
import pytest

from harness.servers import ROOT
from loadtest.commands import main
from loadtest.report_html import render

from .server_stack import QUEUE_BUYERS, Stack, queue_event

pytestmark = pytest.mark.slow

# Each plot over time, and the names of the series it must draw in a short run with watchers
# and clickers.
PLOTS = {
    "Arrivals and sockets ready": ["sockets ready"],
    "Holds per second": ["holds/s", "requests/s"],
    "Request latency": ["request p50", "request p95", "request p99"],
    "Push lag (commit to receipt)": ["push p50", "push p99", "push max"],
    "Errors by code": [],
}


def loadtest(stack: Stack, *argv: str, **popen) -> subprocess.Popen:
    """`python -m loadtest` against the stack's 100-seat event, as a user runs it."""
    command = [sys.executable, "-m", "loadtest", "run", "--url", stack.base]
    command += ["--event", str(stack.event_id), "--users", str(stack.users), *argv]
    return subprocess.Popen(command, cwd=ROOT, **popen)


def sections(page: str) -> dict[str, str]:
    """Each section's title -> its HTML, up to the next title."""
    parts = re.split(r"<h3>(.*?)</h3>", page)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def plots(page: str) -> list[tuple[str, str]]:
    """(caption, HTML) of each plot, in the page's order."""
    return re.findall(r"<figure><figcaption>(.*?)</figcaption>(.*?)</figure>", page, re.S)


def interrupt_in(run: subprocess.Popen, phase: str, *, after: float) -> None:
    """Ctrl-C to `run` `after` seconds into `phase` (as its progress line on stderr says)."""
    seen, deadline = b"", time.monotonic() + 60
    while f"({phase})".encode() not in seen and time.monotonic() < deadline:
        seen += run.stderr.read1(4096)
    assert f"({phase})".encode() in seen, seen[-500:]
    time.sleep(after)
    run.send_signal(signal.SIGINT)


def verdicts(page: str) -> list[str]:
    return re.findall(r'<div class="verdict" style="color:(#\w+)">(\w+)</div>', page)


@pytest.fixture(scope="module")
def short_run(stack: Stack, tmp_path_factory):
    """A short real run with --json: its result, and the report written beside it. The command
    runs in this process (the Ctrl-C tests below start it as a user does): a start-up of the
    load tester less."""
    out = tmp_path_factory.mktemp("report") / "short.json"
    argv = ["run", "--url", stack.base, "--event", str(stack.event_id)]
    argv += ["--users", str(stack.users), "--watchers", "10", "--clickers", "2"]
    argv += ["--profile", "uniform", "--rate", "8", "--duration", "2", "--idle", "0.2"]
    assert main([*argv, "--settle", "1", "--quiet", "--json", str(out)]) == 0
    return out


def test_a_short_run_is_drawn_with_a_plot_per_figure_and_its_verdict(short_run):
    page = short_run.with_suffix(".html").read_text()
    assert not re.search(r"(src|href)=\"https?:|<script|<link|@import", page)  # self-contained
    drawn = dict(plots(page))
    assert list(drawn) == list(PLOTS)
    for title, series in PLOTS.items():
        assert drawn[title].count("<svg") == 1, title
        for name in series:
            assert f">{name}<" in drawn[title], (title, name)
    assert page.count("<svg") == len(PLOTS)
    assert verdicts(page) == [("#1e7b34", "PASS")]
    drawn = sections(page)
    assert "--profile uniform" in drawn["Settings"]
    assert "python" in drawn["Versions"]


def test_a_queue_run_draws_each_called_buyers_number_against_its_wait(short_run):
    result = orjson.loads(short_run.read_bytes())
    result["queue"] = {"waits": [[1, 2.0, False], [2, 2.5, False], [3, 4.0, True]]}
    drawn = dict(plots(render([("queue", result)])))
    queue_plot = drawn["Queue position and wait (each buyer called)"]
    assert queue_plot.count("<svg") == 1
    assert ">joined before the on-sale<" in queue_plot and ">joined after it<" in queue_plot
    assert "Queue position and wait (each buyer called)" not in dict(
        plots(render([("run", orjson.loads(short_run.read_bytes()))]))
    )


def test_a_failed_run_shows_fail_and_why():
    failed = {
        "verdict": {"passed": False, "failures": ["seat 17 is in two confirmed reservations"]}
    }
    page = render([("failed", failed)])
    assert verdicts(page) == [("#b3261e", "FAIL")]
    assert "seat 17 is in two confirmed reservations" in sections(page)["Verdict"]
    assert "no timeline in this result" in page


def test_two_results_side_by_side(short_run, tmp_path):
    result = orjson.loads(short_run.read_bytes())
    result["verdict"] = {"passed": False, "failures": ["watcher 3's map differs from the server's"]}
    b = tmp_path / "b.json"
    b.write_bytes(orjson.dumps(result))
    out = tmp_path / "ab.html"
    assert main(["report", str(short_run), str(b), "-o", str(out)]) == 0
    page = out.read_text()
    assert "<h2>A: short</h2>" in page and "<h2>B: b</h2>" in page
    assert [word for _, word in verdicts(page)] == ["PASS", "FAIL"]
    assert "watcher 3&#x27;s map differs" in page
    assert [title for title, _ in plots(page)] == [t for t in PLOTS for _ in "AB"]
    assert page.count("<svg") == 2 * len(PLOTS)


def test_ctrl_c_stops_the_run_and_still_writes_its_json_and_report(stack, tmp_path):
    out = tmp_path / "stopped.json"
    run = loadtest(
        stack,
        *("--watchers", "5", "--clickers", "1", "--profile", "uniform", "--rate", "4"),
        *("--duration", "120", "--idle", "0.2", "--json", str(out)),
        stderr=subprocess.PIPE,
    )
    interrupt_in(run, "click", after=1)
    assert run.wait(timeout=60) == 1, run.stderr.read()[-2000:]
    result = orjson.loads(out.read_bytes())
    assert result["verdict"]["passed"] is False
    (reason,) = result["verdict"]["failures"]
    assert reason.startswith("stopped early (Ctrl-C) in the click phase")
    assert result["clicks"]["requests"] > 0
    page = out.with_suffix(".html").read_text()
    assert verdicts(page) == [("#b3261e", "FAIL")]
    assert "stopped early (Ctrl-C) in the click phase" in sections(page)["Verdict"]


def test_ctrl_c_while_arriving_stops_the_arrivals_and_counts_no_socket_dropped(stack, tmp_path):
    out = tmp_path / "arriving.json"
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loadtest",
            "run",
            "--url",
            stack.base,
            "--event",
            str(stack.room_event),
        ]
        + ["--users", str(stack.users), "--auth", "bearer", "--profile", "onsale"]
        + ["--arrivals", "100", "--arrive-within", "30", "--click-share", "0.05"]
        + ["--json", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    interrupt_in(run, "arrive", after=2)
    assert run.wait(timeout=60) == 1, run.stderr.read()[-2000:]
    result = orjson.loads(out.read_bytes())
    (reason,) = result["verdict"]["failures"]
    assert reason.startswith("stopped early (Ctrl-C) in the arrive phase")
    assert result["connect"]["ready"] == 0 < result["timeline"]["sockets_ready"][-1] < 100
    assert not [e for e in result["errors"] if e.startswith(("ws_dropped", "arrival:"))]
    assert "stopped early" in out.with_suffix(".html").read_text()


def test_ctrl_c_in_a_waiting_room_ends_the_sale_there_and_still_writes_the_report(
    queue_stack, tmp_path
):
    env, base, _, users = queue_stack
    # The on-sale well after the load tester's start-up (4 s in one CI run), which it must
    # precede; the Ctrl-C comes 2 s into the queue phase, long before it.
    event = queue_event(env, on_sale_in=20, rows=6, per_row=2)
    out = tmp_path / "queue.json"
    run = subprocess.Popen(
        [sys.executable, "-m", "loadtest", "run", "--url", base, "--event", str(event)]
        + ["--users", str(users), "--auth", "bearer", "--profile", "queue"]
        + ["--arrivals", str(QUEUE_BUYERS), "--arrive-within", "3", "--late-within", "30"]
        + ["--sale-within", "120", "--settle", "0.5", "--json", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    interrupt_in(run, "queue", after=2)
    assert run.wait(timeout=60) == 1, run.stderr.read()[-2000:]
    result = orjson.loads(out.read_bytes())
    assert result["verdict"]["failures"][0].startswith("stopped early (Ctrl-C) in the queue phase")
    assert result["queue"]["joined_pre_queue"] > 0
    page = out.with_suffix(".html").read_text()
    assert verdicts(page) == [("#b3261e", "FAIL")]
    assert "stopped early (Ctrl-C) in the queue phase" in sections(page)["Verdict"]

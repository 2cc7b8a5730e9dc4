"""The season soak (`run --profile season`) as its docstring prints it, against a real server
that lets go of an event two seconds after its last socket: the season passes, with each
figure read; against one that keeps every event, its verdict and exit status fail on what grew."""

import json
import subprocess
import sys

import pytest

from harness.servers import ROOT, manage_each, server_process

from .server_stack import Stack, event_args

pytestmark = pytest.mark.slow


def season_against(
    stack: Stack,
    idle_seconds: str,
    users,
    tmp_path,
    *,
    settle: str = "4",
    quiet: str = "3",
    events: tuple[str, ...] = ("--create", "2"),
) -> tuple[int, str, dict]:
    """The season against a server that lets go of an idle event after `idle_seconds`, waiting
    `settle` s before each reading of `quiet` s, on two events it makes (or `events`): each
    event it makes is a start-up of Django, and two have a half each to read."""
    env = stack.env(LIVE_EVENT_IDLE_SECONDS=idle_seconds, LIMITS_EXEMPT_NETWORKS="127.0.0.1/32")
    figures = tmp_path / f"season-{idle_seconds}.json"
    with server_process(env) as (_, base):
        run = subprocess.run(
            [sys.executable, "-m", "loadtest", "run", "--profile", "season", "--url", base]
            + ["--users", str(users), "--auth", "bearer", *events, "--sockets", "5"]
            + ["--settle", settle, "--quiet-window", quiet, "--json", str(figures)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    return run.returncode, run.stdout + run.stderr, json.loads(figures.read_text())


def test_a_season_of_events_leaves_the_server_as_it_found_it(stack: Stack, tmp_path):
    code, output, figures = season_against(stack, "2", stack.users, tmp_path)

    assert code == 0, output
    assert "verdict PASS" in output and figures["verdict"]["passed"]
    assert ">PASS</div>" in (tmp_path / "season-2.html").read_text()  # the report beside --json
    assert (figures["events"], figures["bookings"]) == (2, 2)
    assert figures["sockets"] == 10
    start, end = figures["readings"]["start"], figures["readings"]["end"]
    assert end["live_events"] <= start["live_events"]
    assert end["seat_rows_per_quiet_minute"] <= 2 * start["seat_rows_per_quiet_minute"]


def test_a_server_that_keeps_every_event_fails_the_season(stack: Stack, tmp_path):
    """On two events made beforehand (`--events`: the test above has the season make its
    own), in one start-up of Django with the users."""
    users = tmp_path / "users.json"
    *made, _ = manage_each(
        stack.env(),
        *[event_args(f"Kept {n}", 20, 30) for n in range(2)],
        ("create_load_users", "--count", "2", "--prefix", "keeps", "--output", str(users)),
    )
    events = ",".join(out.split()[-1] for out in made)

    # Nothing is let go within the hour, however long the season waits: no settling needed.
    code, output, figures = season_against(
        stack, "3600", users, tmp_path, settle="0", quiet="1", events=("--events", events)
    )

    assert code == 1, output
    assert "verdict FAIL: events kept grew" in output
    assert figures["events"] == 2 and not figures["verdict"]["passed"]
    assert figures["verdict"]["failures"][0].startswith("events kept grew: ")


def _season(cpu_at_rest: tuple[float, float]) -> dict:
    reading = {"live_events": 0, "rss_bytes": 100 * 2**20, "seat_rows_per_quiet_minute": 0}
    start, end = ({**reading, "cpu_cores_at_rest": cores} for cores in cpu_at_rest)
    readings = {"start": start, "half": start, "end": end}
    return {"events": 4, "sockets": 20, "bookings": 4, "errors": [], "readings": readings}


def test_cpu_at_rest_may_be_two_clock_ticks_off_but_not_a_hundredth_of_a_core_more():
    from loadtest.profiles.season import judged

    # One tick against six over a 3 s window (a busy `make test` saw five): the ticks' noise.
    assert judged(_season((0.01 / 3, 0.06 / 3)), quiet_window=3)[0] == []
    # A minute's reading leaves no room for ticks: 0.0135 cores more is growth.
    why, _ = judged(_season((0.001, 0.0145)), quiet_window=60)
    assert why == ["CPU at rest grew: 0.0010 -> 0.0145 cores"]

"""`python -m loadtest ready` against the real server of the load tester's tests: READY for a
tiny on-sale, NOT READY naming the figure over its limit or what the model says to add, and
UNKNOWN with exit status 3 when set-up fails: never READY on nothing."""

import json
import math

import pytest

from loadtest.commands import main

from .server_stack import Stack

pytestmark = pytest.mark.slow

# Twenty arrivals a second for one second, twenty watchers, eight clicks a second (2 buyers).
TINY = ["--arrivals-per-s", "20", "--watchers", "20", "--clicks-per-s", "8", "--duration", "1"]


def ready(stack: Stack, tmp_path, capsys, *options: str, users=None) -> tuple[int, str, dict]:
    """Exit status, the last line printed (the verdict) and the JSON written."""
    out = tmp_path / "ready.json"
    status = main(
        ["ready", "--url", stack.base, "--event", str(stack.room_event), "--auth", "client"]
        + ["--users", str(users or stack.users), "--server-pid", str(stack.server_pid)]
        + ["--quiet", "--seed", "3", "--json", str(out), *options]
    )
    printed = capsys.readouterr().out
    print(printed)
    return status, printed.strip().splitlines()[-1], json.loads(out.read_text())


def test_a_tiny_on_sale_is_ready_with_its_margin(stack: Stack, tmp_path, capsys):
    status, line, found = ready(stack, tmp_path, capsys, *TINY, "--seats", "120")

    assert (status, found["readiness"]["status"]) == (0, "READY"), line
    assert line.startswith("READY: carries 20 arrivals/s, 20 watchers and 8 clicks/s")
    # The margin is what is left of the limit nearest to being reached.
    limited = [c for c in found["readiness"]["checks"] if c["limit"]]
    tightest = max(limited, key=lambda c: c["value"] / c["limit"])
    margin = 1 - tightest["value"] / tightest["limit"]
    assert line.endswith(f"; margin {margin:.0%} (tightest: {tightest['text']})")
    # It stands on a run that measured: every arrival got its map and watched to the end,
    # the buyers booked, the verdict read every booking back and found no seat sold twice.
    assert found["config"]["arrivals"] == 20 and found["config"]["clickers"] == 2
    assert found["verdict"]["passed"] and found["verdict"]["watchers_checked"] == 20
    assert found["verdict"]["bookings_checked"] >= 1
    checks = {c["name"]: c for c in found["readiness"]["checks"]}
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["hold p99"]["value"] > 0 and checks["push p99"]["value"] > 0
    assert checks["server processes"]["limit"] == 1  # one --server-pid: one process
    # The model took the server's CPU per arrival measured on this event's map.
    assert found["readiness"]["cpu_s_per_arrival_measured"]
    measured = found["arrivals"]["server_cpu_ms_per_arrival"] / 1e3
    assert found["readiness"]["plan"]["server_cores_by_part"]["arrivals"] == pytest.approx(
        20 * measured
    )


def test_a_figure_over_its_limit_is_not_ready_and_named(stack: Stack, tmp_path, capsys):
    status, line, found = ready(stack, tmp_path, capsys, *TINY, "--hold-p99-ms", "0.001")

    assert (status, found["readiness"]["status"]) == (1, "NOT READY"), line
    hold = next(c for c in found["readiness"]["checks"] if c["name"] == "hold p99")
    assert not hold["ok"] and hold["value"] > 0.001
    assert line.startswith("NOT READY: hold p99 ") and " over 0.001 ms" in line
    # The model has nothing to add for twenty watchers: it says its costs are below these.
    assert "the model finds enough here" in line


def test_a_load_past_the_deployment_says_what_to_add(stack: Stack, tmp_path, capsys):
    """A million watchers on the one process: the same tiny run, and the model's answer."""
    big = ["--watchers", "1000000", "--arrivals-per-s", "20", "--clicks-per-s", "8"]
    status, line, found = ready(stack, tmp_path, capsys, *big, "--duration", "1")

    assert (status, found["readiness"]["status"]) == (1, "NOT READY"), line
    assert found["config"]["arrivals"] == 20  # the share of the watchers one host opens
    plan = found["readiness"]["plan"]
    needed = plan["processes"]
    assert needed > 1 and needed == math.ceil(plan["processes_needed"])
    assert "server processes " in line and f"add {needed - 1} server processes" in line


@pytest.mark.parametrize(
    "users, why",
    [
        ([{"username": "nobody-ready", "password": "not-the-password"}], "answered 401"),
        ([], "has no account: each buyer needs one"),
    ],
    ids=["wrong-password", "no-users"],
)
def test_a_run_whose_set_up_failed_is_unknown(stack: Stack, tmp_path, capsys, users, why):
    path = tmp_path / "users.json"
    path.write_text(json.dumps(users))
    status, line, found = ready(stack, tmp_path, capsys, *TINY, users=path)

    assert (status, found["readiness"]["status"]) == (3, "UNKNOWN"), line
    assert line.startswith("UNKNOWN: set-up failed: ") and why in line
    assert found["readiness"]["checks"] == []  # nothing measured, nothing passed

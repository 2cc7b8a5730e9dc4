"""The capacity model (loadtest/capacity.py) turns a load into processes, Redis load,
PostgreSQL cores and pooler connections the way docs/SCALING.md says, and reproduces what the
bench measured on this machine within the stated tolerance. Pure arithmetic: no server."""

import dataclasses
import json
import math

import pytest

from loadtest.capacity import (
    INPUTS,
    Load,
    UnitCosts,
    check,
    deliveries_per_s,
    plan,
    seat_frames_per_socket_s,
)
from loadtest.commands import main


@pytest.fixture
def costs() -> UnitCosts:
    """Round figures, so that each specification can be followed by hand."""
    return UnitCosts(
        cpu_s_per_delivery=10e-6,
        cpu_s_per_click=1e-3,
        cpu_s_per_arrival=10e-3,
        cpu_cores_per_process_idle=0.0,
        usable_core_share=0.5,
        bytes_per_socket=25_000,
        bytes_per_process=100_000_000,
        memory_bytes_per_process=2_100_000_000,
        sockets_per_process=20_000,
        presence_frames_per_socket_s=1.0,
        redis_home_commands_per_click=1,
        redis_home_commands_per_arrival=1,
        redis_event_commands_per_click=2,
        redis_messages_per_click_per_process=1,
        redis_commands_per_process_event_s=1,
        redis_ops_per_s_per_primary=100_000,
        postgres_transactions_per_click=1,
        postgres_transactions_per_arrival=2,
        postgres_transactions_per_s_per_core=2_000,
        pooler_server_connections_per_core=2,
        pooler_cpu_s_per_click_transaction=100e-6,
        pooler_cpu_s_per_arrival_transaction=10e-6,
        pool_connections_per_process=30,
    )


@pytest.fixture
def inputs() -> dict:
    return json.loads(INPUTS.read_text())


# --- fan-out and server processes ---------------------------------------------------------------


def test_doubling_watchers_at_a_fixed_frame_rate_doubles_deliveries(costs):
    load = Load(watchers=10_000, clicks_per_s=100, frames_per_s=2)
    twice = dataclasses.replace(load, watchers=20_000)
    assert deliveries_per_s(twice, costs) == 2 * deliveries_per_s(load, costs)
    assert deliveries_per_s(load, costs) == 10_000 * (2 + 1)  # seat frames and presence


def test_a_socket_gets_at_most_frames_per_s_and_never_more_frames_than_its_event_has_clicks():
    assert seat_frames_per_socket_s(Load(watchers=1, clicks_per_s=500, frames_per_s=10)) == 10
    assert seat_frames_per_socket_s(Load(watchers=1, clicks_per_s=4, frames_per_s=10)) == 4
    assert seat_frames_per_socket_s(Load(watchers=1, clicks_per_s=0, frames_per_s=10)) == 0
    spread = Load(watchers=1, clicks_per_s=40, frames_per_s=10, events=10)
    assert seat_frames_per_socket_s(spread) == 4


def test_processes_round_up_to_cover_the_cpu(costs):
    # 20,000 watchers x 2 frames x 10 us = 0.4 core of work; a process may use 0.5.
    one = plan(Load(watchers=20_000, clicks_per_s=100, frames_per_s=2, presence_per_s=0), costs)
    assert one.server_cores == pytest.approx(0.4 + 0.1)  # the clicks' 0.1 core: exactly full
    assert (one.processes, one.processes_bound_by) == (1, "cpu")
    more = plan(Load(watchers=20_001, clicks_per_s=100, frames_per_s=2, presence_per_s=0), costs)
    assert more.processes == 2


def test_arrivals_and_clicks_add_their_cpu_to_the_fan_out(costs):
    quiet = plan(Load(watchers=1_000, frames_per_s=2), costs)
    busy = plan(Load(watchers=1_000, frames_per_s=2, arrivals_per_s=100, clicks_per_s=100), costs)
    fan_out = 1_000 * (2 + 1) * 10e-6
    assert busy.server_cores == pytest.approx(fan_out + 100 * 10e-3 + 100 * 1e-3)
    assert busy.server_cores_by_part == pytest.approx(
        {"deliveries": fan_out, "arrivals": 1.0, "clicks": 0.1}
    )
    assert quiet.server_cores == pytest.approx(1_000 * 1 * 10e-6)  # presence only: no clicks


def test_memory_or_open_sockets_bound_the_processes_when_the_cpu_does_not(costs):
    cheap_cpu = dataclasses.replace(costs, cpu_s_per_delivery=0.0)
    # 100,000 sockets: 12 GB at 120 KB each, 2 GB a process; 20,000 sockets a process.
    heavy = dataclasses.replace(cheap_cpu, bytes_per_socket=120_000)
    by_memory = plan(Load(watchers=100_000), heavy)
    assert (by_memory.processes, by_memory.processes_bound_by) == (6, "memory")
    by_sockets = plan(Load(watchers=100_000), cheap_cpu)
    assert (by_sockets.processes, by_sockets.processes_bound_by) == (5, "sockets")


# --- Redis -----------------------------------------------------------------------------------


def test_a_click_costs_the_primary_a_message_per_process_watching_it(costs):
    result = plan(Load(watchers=200_000, clicks_per_s=100, frames_per_s=2), costs)
    assert result.processes > 1
    # seq and PUBLISH, the message to each process, and each process's presence count a second;
    # and the booking limits' count.
    assert result.redis_ops_per_s == 100 * (2 + result.processes) + result.processes + 100
    assert result.redis_limits_ops_per_s == 100


def test_the_plan_says_when_the_one_primary_cannot_keep_up(costs):
    light = plan(Load(watchers=1_000, clicks_per_s=100, frames_per_s=2), costs)
    assert light.redis_primary_share < 1
    heavy = plan(Load(watchers=1_000_000, clicks_per_s=2_000, frames_per_s=2), costs)
    assert heavy.redis_primary_share > 1


# --- PostgreSQL and the pooler ---------------------------------------------------------------


def test_no_clicks_need_no_postgresql_for_clicks(costs):
    watching = plan(Load(watchers=100_000, frames_per_s=2), costs)
    assert (watching.postgres_transactions_per_s, watching.postgres_cores) == (0, 0)
    assert (watching.pooler_server_connections, watching.pooler_processes) == (0, 0)
    arriving = plan(Load(watchers=100_000, frames_per_s=2, arrivals_per_s=500), costs)
    clicking = plan(
        Load(watchers=100_000, frames_per_s=2, arrivals_per_s=500, clicks_per_s=1_000), costs
    )
    assert arriving.postgres_transactions_per_s == 1_000  # two reads an arrival
    assert clicking.postgres_transactions_per_s == 2_000
    assert clicking.postgres_cores == 2  # 2,000 tx/s at half of 2,000 a core


def test_the_pooler_needs_a_few_connections_per_postgresql_core_and_all_the_servers_pools(costs):
    result = plan(Load(watchers=100_000, clicks_per_s=1_000, frames_per_s=2), costs)
    assert result.pooler_server_connections == result.postgres_cores * 2
    assert result.pooler_client_connections == result.processes * 30


def test_pgbouncer_needs_a_process_per_usable_core_of_its_work(costs):
    # 2,500 clicks at 100 us and 5,000 reads (2,500 arrivals) at 10 us: 0.3 of a core, at
    # half a core usable per process.
    result = plan(Load(watchers=1_000, clicks_per_s=2_500, arrivals_per_s=2_500), costs)
    assert result.pooler_processes == 1
    tenfold = plan(Load(watchers=1_000, clicks_per_s=25_000, arrivals_per_s=25_000), costs)
    assert tenfold.pooler_processes == 6  # 3 cores


# --- the inputs file and the check -----------------------------------------------------------


def test_every_input_is_used_and_says_where_it_came_from(inputs):
    fields = {field.name for field in dataclasses.fields(UnitCosts)}
    assert set(inputs["inputs"]) == fields
    for name, entry in inputs["inputs"].items():
        assert {"value", "unit", "measured"} <= set(entry), name
        if entry["measured"]:
            assert entry["command"] and entry["result"], name
        else:
            assert entry["reasoning"], name


def test_the_model_reproduces_the_measured_points_within_the_tolerance(inputs):
    rows = check(inputs)
    checked = {row.point for row in rows if row.measured}
    assert {p["processes"] for p in inputs["points"]} == {1, 2, 4}
    assert {1_000, 5_000, 10_000} <= {p["watchers"] for p in inputs["points"]}
    assert [row for row in rows if not row.within] == []
    # A wider tolerance than the default is the exception, each with its reason.
    wider = [row for row in rows if row.tolerance > inputs["tolerance"][row.quantity]]
    assert all(row.why for row in wider)
    assert len({row.point for row in wider}) < len(checked) / 2
    cpu = [row for row in rows if row.quantity == "cpu_cores" and row.measured]
    assert len([row for row in cpu if abs(row.error) <= 0.15]) >= 8


def test_points_still_to_measure_get_a_prediction_and_no_verdict(inputs):
    point = {"name": "fanout-20000-uvicorn-8procs", "processes": 8, "watchers": 20_000}
    waiting = {**inputs, "to_measure": [point | {"window_s": 17.0, "clicks": 110}]}
    pending = [row for row in check(waiting) if row.point == point["name"]]
    assert pending and all(row.measured is None and row.error is None for row in pending)
    assert all(row.predicted > 0 and row.within for row in pending)


def test_a_negative_load_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["capacity", "--watchers", "-5"])
    assert exited.value.code == 2
    said = capsys.readouterr()
    assert (said.out, said.err.strip().splitlines()) == ("", [said.err.strip()])
    assert "--watchers: not below 0" in said.err


def test_the_command_line_prints_a_plan_and_a_check(capsys):
    assert (
        main(["capacity", "--watchers", "1000000", "--clicks-per-s", "2000", "--frames-per-s", "2"])
        == 0
    )
    assert "server processes" in capsys.readouterr().out
    assert main(["capacity", "--watchers", "1000", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["processes"] == 1 and math.isfinite(printed["deliveries_per_s"])
    assert main(["capacity", "--check"]) == 0
    assert "| fanout-10000-uvicorn-2procs |" in capsys.readouterr().out

"""How many server processes, PostgreSQL cores, pooler connections and pooler
processes a load needs, from the unit costs measured here (docs/SCALING.md).

    python -m loadtest capacity --watchers 1000000 --arrivals-per-s 5000 --clicks-per-s 2000 \\
        --frames-per-s 2 [--events 1] [--presence-per-s 1] \\
        [--unit-costs loadtest/capacity_inputs.json] [--json]
    python -m loadtest capacity --check

The unit costs are data (`capacity_inputs.json`): each with its value, its unit, and the command
and result it came from, or `"measured": false` with the reasoning of a best estimate. `--check`
puts the model beside the bench runs named there (1 and 2 processes, 1,000 to 10,000 watchers)
and prints predicted against measured with the error. Pure arithmetic: no server, no network.
"""

import argparse
import dataclasses
import json
import math
from pathlib import Path

from .commands import UsageError

INPUTS = Path(__file__).with_name("capacity_inputs.json")


@dataclasses.dataclass(frozen=True)
class UnitCosts:
    """The values of `capacity_inputs.json`'s inputs (their units and sources stay there)."""

    cpu_s_per_delivery: float
    cpu_s_per_click: float
    cpu_s_per_arrival: float
    cpu_cores_per_process_idle: float
    usable_core_share: float
    bytes_per_socket: float
    bytes_per_process: float
    memory_bytes_per_process: float
    sockets_per_process: int
    presence_frames_per_socket_s: float
    redis_home_commands_per_click: float
    redis_home_commands_per_arrival: float
    redis_event_commands_per_click: float
    redis_messages_per_click_per_process: float
    redis_commands_per_process_event_s: float
    redis_ops_per_s_per_primary: float
    postgres_transactions_per_click: float
    postgres_transactions_per_arrival: float
    postgres_transactions_per_s_per_core: float
    pooler_server_connections_per_core: float
    pooler_cpu_s_per_click_transaction: float
    pooler_cpu_s_per_arrival_transaction: float
    pool_connections_per_process: int

    @classmethod
    def of(cls, inputs: dict) -> "UnitCosts":
        return cls(**{field.name: inputs[field.name]["value"] for field in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True)
class Load:
    """What the system is asked: sockets open, buyers opening the map and booking calls a
    second, spread evenly over `events`. `frames_per_s` bounds the seat frames a socket gets
    a second (the coalescing window's inverse: 10 at WS_COALESCE_SECONDS=0.1); `presence_per_s`
    is the presence frames a socket gets a second (None: the unit costs' figure)."""

    watchers: int
    arrivals_per_s: float = 0.0
    clicks_per_s: float = 0.0
    frames_per_s: float = math.inf
    events: int = 1
    presence_per_s: float | None = None


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a load needs, each engine planned at `usable_core_share` of its ceiling."""

    deliveries_per_s: float
    server_cores: float  # deliveries, arrivals and clicks, without the processes' idle share
    server_cores_by_part: dict[str, float]
    processes: int
    processes_bound_by: str  # cpu, memory or sockets
    processes_needed: float  # the binding bound before rounding up: the processes' share in use
    redis_ops_per_s: float  # all on the one primary (Sentinel's replica only stands by)
    redis_limits_ops_per_s: float  # the booking limits' share of them
    redis_primary_share: float  # of the one primary's usable ops; past 1 it cannot keep up
    postgres_transactions_per_s: float
    postgres_cores: int
    pooler_server_connections: int
    pooler_client_connections: int
    pooler_processes: int  # PgBouncer's: one thread each


def seat_frames_per_socket_s(load: Load) -> float:
    """A socket's seat frames a second: one per click of its event, merged down to at most
    `frames_per_s` (a frame carries whatever committed in its window; no click, no frame)."""
    return min(load.clicks_per_s / load.events, load.frames_per_s)


def deliveries_per_s(load: Load, costs: UnitCosts) -> float:
    presence = (
        costs.presence_frames_per_socket_s if load.presence_per_s is None else load.presence_per_s
    )
    return load.watchers * (seat_frames_per_socket_s(load) + presence)


def server_work_by_part(load: Load, costs: UnitCosts) -> dict[str, float]:
    """Cores of server CPU the load's deliveries, arrivals and clicks take."""
    return {
        "deliveries": deliveries_per_s(load, costs) * costs.cpu_s_per_delivery,
        "arrivals": load.arrivals_per_s * costs.cpu_s_per_arrival,
        "clicks": load.clicks_per_s * costs.cpu_s_per_click,
    }


def server_cores(load: Load, costs: UnitCosts, processes: int) -> float:
    """What /proc would show for `processes` serving `load`: what the bench's runs measured."""
    work = sum(server_work_by_part(load, costs).values())
    return processes * costs.cpu_cores_per_process_idle + work


def server_rss_bytes(watchers: int, costs: UnitCosts, processes: int) -> float:
    return processes * costs.bytes_per_process + watchers * costs.bytes_per_socket


def plan(load: Load, costs: UnitCosts) -> Plan:
    parts = server_work_by_part(load, costs)
    work = sum(parts.values())
    bounds = {
        "cpu": work / (costs.usable_core_share - costs.cpu_cores_per_process_idle),
        "memory": load.watchers
        * costs.bytes_per_socket
        / (costs.memory_bytes_per_process - costs.bytes_per_process),
        "sockets": load.watchers / costs.sockets_per_process,
    }
    bound_by = max(bounds, key=bounds.get)
    processes = max(1, math.ceil(bounds[bound_by]))

    # nginx spreads sockets evenly, so every process with any of an event's watchers subscribes
    # to its group, and reports its presence count: one (process, event) pair per socket at most.
    subscribed = min(processes, math.ceil(load.watchers / load.events))
    pairs = min(processes * load.events, load.watchers)
    event_ops = (
        load.clicks_per_s
        * (
            costs.redis_event_commands_per_click
            + subscribed * costs.redis_messages_per_click_per_process
        )
        + pairs * costs.redis_commands_per_process_event_s
    )
    limits_ops = (
        load.clicks_per_s * costs.redis_home_commands_per_click
        + load.arrivals_per_s * costs.redis_home_commands_per_arrival
    )
    per_primary = costs.redis_ops_per_s_per_primary * costs.usable_core_share

    transactions = (
        load.clicks_per_s * costs.postgres_transactions_per_click
        + load.arrivals_per_s * costs.postgres_transactions_per_arrival
    )
    postgres_cores = math.ceil(
        transactions / (costs.postgres_transactions_per_s_per_core * costs.usable_core_share)
    )
    pooler_cores = (
        load.clicks_per_s
        * costs.postgres_transactions_per_click
        * costs.pooler_cpu_s_per_click_transaction
        + load.arrivals_per_s
        * costs.postgres_transactions_per_arrival
        * costs.pooler_cpu_s_per_arrival_transaction
    )
    return Plan(
        deliveries_per_s=deliveries_per_s(load, costs),
        server_cores=work,
        server_cores_by_part=parts,
        processes=processes,
        processes_bound_by=bound_by,
        processes_needed=bounds[bound_by],
        redis_ops_per_s=event_ops + limits_ops,
        redis_limits_ops_per_s=limits_ops,
        redis_primary_share=(event_ops + limits_ops) / per_primary,
        postgres_transactions_per_s=transactions,
        postgres_cores=postgres_cores,
        pooler_server_connections=math.ceil(
            postgres_cores * costs.pooler_server_connections_per_core
        ),
        pooler_client_connections=processes * costs.pool_connections_per_process,
        pooler_processes=math.ceil(pooler_cores / costs.usable_core_share),
    )


# --- the check against the measured points --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CheckRow:
    point: str
    processes: int
    watchers: int
    quantity: str  # cpu_cores, deliveries_per_s or rss_bytes
    predicted: float
    measured: float | None  # None: a point still to measure
    tolerance: float
    why: str = ""  # why this point gets a wider tolerance than the inputs' default

    @property
    def error(self) -> float | None:
        if not self.measured:
            return None
        return self.predicted / self.measured - 1

    @property
    def within(self) -> bool:
        return self.error is None or abs(self.error) <= self.tolerance


def point_load(point: dict) -> Load:
    """A bench run as the model's load. The runs' server sent each click as its own frame (no
    coalescing at these rates), and their watcher count held steady: no presence frames."""
    return Load(
        watchers=point["watchers"],
        clicks_per_s=point["clicks"] / point["window_s"],
        presence_per_s=0.0,
    )


def check(inputs: dict) -> list[CheckRow]:
    costs = UnitCosts.of(inputs["inputs"])
    tolerance = inputs["tolerance"]
    rows = []
    for point in inputs["points"] + inputs["to_measure"]:
        load, processes = point_load(point), point["processes"]
        predicted = {
            "cpu_cores": server_cores(load, costs, processes),
            "deliveries_per_s": deliveries_per_s(load, costs),
            "rss_bytes": server_rss_bytes(load.watchers, costs, processes),
        }
        measured = {
            "cpu_cores": point.get("cpu_cores"),
            "deliveries_per_s": point["deliveries"] / point["window_s"]
            if "cpu_cores" in point
            else None,
            "rss_bytes": point.get("rss_bytes"),
        }
        for quantity, value in predicted.items():
            if quantity == "rss_bytes" and "cpu_cores" in point and measured[quantity] is None:
                continue  # a run with a handful of watchers: its RSS is the event's, not theirs
            rows.append(
                CheckRow(
                    point=point["name"],
                    processes=processes,
                    watchers=point["watchers"],
                    quantity=quantity,
                    predicted=value,
                    measured=measured[quantity],
                    tolerance=point.get("tolerance", {}).get(quantity, tolerance[quantity]),
                    why=point.get("why", "") if quantity in point.get("tolerance", {}) else "",
                )
            )
    return rows


# --- the command line ---------------------------------------------------------------------------


def _figure(quantity: str, value: float | None) -> str:
    if value is None:
        return "to measure"
    if quantity == "rss_bytes":
        return f"{value / 2**20:,.0f} MiB"
    return f"{value:,.3f}" if quantity == "cpu_cores" else f"{value:,.0f}"


def check_table(rows: list[CheckRow]) -> str:
    lines = [
        "| point | procs | watchers | quantity | predicted | measured | error | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        error = "–" if row.error is None else f"{row.error:+.1%}"
        verdict = "ok" if row.error is not None and row.within else ""
        if not row.within:
            verdict = "MISS"
        elif row.why:
            verdict += f" (wider: {row.why})"
        lines.append(
            f"| {row.point} | {row.processes} | {row.watchers:,} | {row.quantity} "
            f"| {_figure(row.quantity, row.predicted)} | {_figure(row.quantity, row.measured)} "
            f"| {error} (±{row.tolerance:.0%}) | {verdict} |"
        )
    return "\n".join(lines)


def plan_table(load: Load, result: Plan) -> str:
    return "\n".join(
        [
            f"load: {load.watchers:,} watchers over {load.events:,} event(s), "
            f"{load.arrivals_per_s:,.0f} arrivals/s, {load.clicks_per_s:,.0f} clicks/s, "
            f"at most {load.frames_per_s:g} seat frames per socket per second",
            f"deliveries/s           {result.deliveries_per_s:,.0f}",
            f"server cores (work)    {result.server_cores:,.1f} ("
            + ", ".join(
                f"{part} {cores:,.1f}" for part, cores in result.server_cores_by_part.items()
            )
            + ")",
            f"server processes       {result.processes:,} (bound by {result.processes_bound_by})",
            f"Redis ops/s            {result.redis_ops_per_s:,.0f} (booking limits "
            f"{result.redis_limits_ops_per_s:,.0f}): {result.redis_primary_share:.0%} of its "
            "one primary",
            f"PostgreSQL tx/s        {result.postgres_transactions_per_s:,.0f}",
            f"PostgreSQL cores       {result.postgres_cores:,}",
            f"PgBouncer connections  {result.pooler_server_connections:,} to PostgreSQL, "
            f"{result.pooler_client_connections:,} from the servers",
            f"PgBouncer processes    {result.pooler_processes:,} (one thread each)",
        ]
    )


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--watchers", type=int, default=0, help="sockets open at once")
    p.add_argument("--arrivals-per-s", type=float, default=0.0, help="buyers opening the map")
    p.add_argument("--clicks-per-s", type=float, default=0.0, help="holds, bookings, releases")
    p.add_argument("--frames-per-s", type=float, default=10.0, help="seat frames per socket")
    p.add_argument("--events", type=int, default=1, help="events the load is spread over")
    p.add_argument(
        "--presence-per-s", type=float, help="presence frames per socket (default: the inputs')"
    )
    p.add_argument("--unit-costs", type=Path, default=INPUTS, help="the measured unit costs")
    p.add_argument("--json", action="store_true", help="print the plan or the check as JSON")
    p.add_argument("--check", action="store_true", help="the model against the measured points")


def prepare(args: argparse.Namespace) -> None:
    if args.events < 1:
        raise UsageError("--events: at least one")
    rates = ("watchers", "arrivals_per_s", "clicks_per_s", "frames_per_s", "presence_per_s")
    if negative := [name for name in rates if (getattr(args, name) or 0) < 0]:
        raise UsageError(f"--{negative[0].replace('_', '-')}: not below 0")


def main(args: argparse.Namespace) -> int:
    inputs = json.loads(args.unit_costs.read_text())
    if args.check:
        rows = check(inputs)
        if args.json:
            print(json.dumps([{**dataclasses.asdict(r), "error": r.error} for r in rows]))
        else:
            print(check_table(rows))
        return 0 if all(row.within for row in rows) else 1
    load = Load(
        watchers=args.watchers,
        arrivals_per_s=args.arrivals_per_s,
        clicks_per_s=args.clicks_per_s,
        frames_per_s=args.frames_per_s,
        events=args.events,
        presence_per_s=args.presence_per_s,
    )
    result = plan(load, UnitCosts.of(inputs["inputs"]))
    print(json.dumps(dataclasses.asdict(result)) if args.json else plan_table(load, result))
    return 0

"""The door at issue 59's target: one server process, gates scanning booked tickets at a rate
offered (`run --profile door`), a console following the counts."""

from .bench_loadtest import on_new_event, users_file
from .bench_servers import role_token


def door_scans(rate: float, tickets: int, gates: int = 20):
    """`tickets` booked through the API, then scanned at `gates` gates, `rate` scans a second
    offered across them (0: each gate as fast as answered), on one server process."""
    return on_new_event(
        "door",
        *("--profile", "door", "--users", users_file, "--auth", "bearer"),
        *("--door-token", lambda ctx: role_token("bench-gate", "Door")),
        *("--console-token", lambda ctx: role_token("bench-console", "Box office")),
        *("--tickets", tickets, "--gates", gates, "--rate", rate, "--seed", 1),
        rows=tickets // 50 + 1,
    )

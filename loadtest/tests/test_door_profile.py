"""The door profile against a real server (API.md "Tickets"): buyers book tickets through the
API, gates scan them (twice at two gates at one instant, again later, replayed, forged) while a
console follows the counts; the verdict holds every ticket let in once and every other scan
refused, and the database agrees: one check-in a ticket.

Negative controls (each run once, not committed): with the ticket's row lock left out of
`scanned`, the twins at two gates let 3 tickets in twice and the verdict failed ("3 tickets let
in more than once"); with the nonce's look-back left out, each replay was answered 409
already_inside ("6 replay not ok for its ticket")."""

import psycopg
import pytest

from harness.servers import manage_each
from loadtest.bench_servers import role_token_code
from loadtest.commands import parse
from loadtest.profiles import REGISTRY

from .server_stack import DB_URL, Stack, event_args

pytestmark = pytest.mark.slow

TICKETS = 60


async def test_gates_let_each_ticket_in_once_and_refuse_the_rest_as_the_console_follows(
    stack: Stack,
):
    env = stack.env()
    made = manage_each(
        env,
        event_args("At the door", 8, 10),
        ("shell", "-c", role_token_code("gate", "Door")),
        ("shell", "-c", role_token_code("counter", "Box office")),
    )
    event, door, console = int(made[0].split()[-1]), made[1].split()[-1], made[2].split()[-1]
    argv = ["--url", stack.base, "--event", str(event), "--users", str(stack.users)]
    argv += ["--auth", "bearer", "--profile", "door", "--door-token", door]
    argv += ["--console-token", console, "--tickets", str(TICKETS), "--gates", "4"]
    argv += ["--rate", "200", "--repeat-share", "0.2", "--replay-share", "0.1"]
    argv += ["--forged-share", "0.2", "--server-pid", str(stack.server_pid), "--quiet"]
    result = await REGISTRY["door"].execute(parse("run", argv))

    assert result["verdict"]["passed"], result["verdict"]
    d = result["door"]
    assert d["tickets"] == TICKETS
    assert d["answers"]["entry"] == {"ok": TICKETS - 6}
    assert d["answers"]["twin"] == {"ok": 6, "already_inside": 6}
    assert d["answers"]["again"] == {"already_inside": 6}
    assert d["answers"]["replay"] == {"ok": 6}
    assert d["answers"]["forged"] == {"invalid_ticket": 12}
    assert sum(g["entered"] for g in d["counts_moved"].values()) == TICKETS
    # A gate's counts go out gathered (PROTOCOL.md "The door"): a frame carries several.
    assert 0 < d["console_frames"] <= TICKETS and d["server_cpu_ms_per_scan"] > 0
    with psycopg.connect(DB_URL) as db:
        rows = db.execute(
            "SELECT count(*), count(DISTINCT ticket_id) FROM reservations_checkin "
            "WHERE event_id = %s",
            (event,),
        ).fetchone()
    assert rows == (TICKETS, TICKETS)

"""The queue profile against a real server on the full stack: forty accounts wait in a
twelve-seat event's waiting room, before and after the on-sale, claim when called and book,
until sold out; the verdict recomputes the published draw and passes."""

import pytest

from loadtest.cli import parse_args
from loadtest.queue_figures import queue_table
from loadtest.queue_run import queue_run
from loadtest.servers import manage, server_process

from .stack import Stack, stack_env

pytestmark = pytest.mark.slow

BUYERS = 40
SEATS = (2, 6)  # rows, seats a row


@pytest.fixture(scope="module")
def queue_stack(stack: Stack, tmp_path_factory):
    """A server of the stack's database ticking the waiting rooms every 0.5 s (the stack's own
    ticks every 2 s, and leaves a room ticked since), and forty accounts with tokens."""
    env = stack_env(
        QUEUE_TICK_SECONDS="0.5",
        QUEUE_FRAME_SECONDS="1",
        LIMITS_EXEMPT_NETWORKS="127.0.0.1/32",
    )
    users = tmp_path_factory.mktemp("queue") / "users.json"
    accounts = ("--count", str(BUYERS), "--prefix", "queue", "--output", str(users))
    manage(env, "create_load_users", *accounts)
    with server_process(env) as (process, base):
        yield env, base, process.pid, users


def queue_event(env: dict, on_sale_in: int) -> int:
    rows, per_row = SEATS
    out = manage(
        env,
        "create_event",
        *("--name", "Queue", "--rows", str(rows), "--seats-per-row", str(per_row)),
        *("--price", "10", "--queue-opens", "now+0", "--on-sale", f"now+{on_sale_in}"),
        *("--turn-minutes", "10", "--claim-seconds", "5", "--max-active", "500"),
    )
    return int(out.split()[-1])


async def test_forty_accounts_wait_are_called_in_order_and_buy_the_twelve_seats(queue_stack):
    env, base, pid, users = queue_stack
    event = queue_event(env, on_sale_in=8)
    options = parse_args(
        ["--url", base, "--event", str(event), "--users", str(users), "--auth", "bearer"]
        + ["--profile", "queue", "--arrivals", str(BUYERS), "--arrive-within", "3"]
        + ["--pre-queue-share", "0.7", "--late-within", "2", "--no-show-share", "0.1"]
        + ["--claim-within", "0.5", "--journey-seats", "1-3", "--best-share", "0.5"]
        + ["--sale-within", "40", "--settle", "1", "--server-pid", str(pid)]
        + ["--seed", "11", "--quiet"]
    )

    result = await queue_run(options)
    print(queue_table(result))

    verdict, queue = result["verdict"], result["queue"]
    assert verdict["passed"], verdict["failures"]
    assert verdict["proof_problems"] == []
    # Every account joined before the on-sale (drawn) or after it, unless sold out came first.
    assert queue["joined_pre_queue"] == 28
    assert queue["joined"] + queue["joins_refused"].get("sold_out", 0) == BUYERS
    assert verdict["numbers_checked"] == queue["joined"]
    assert verdict["join_rho_entrants"] == 28 and verdict["join_rho_limit"] > 0
    assert verdict["admitted_out_of_order"] == 0
    assert verdict["turns_after_sold_out"] == 0
    # Sold out: every seat booked once, and every socket still waiting told so.
    assert verdict["seats_booked"] == verdict["seats_reserved_on_server"] == 12
    reach = queue["sold_out_reach"]
    assert reach["sold_out"] and reach["waiting_sockets"] >= BUYERS - queue["claimed"] - 5
    assert reach["after_first_socket_ms"]["max"] < 2000
    assert verdict["sold_out_untold"] == 0
    # Called, claimed (no-shows aside), shown their turn, booked.
    assert queue["called"] >= queue["claimed"] + queue["called_no_shows"] >= 5
    assert queue["turns_shown"] == queue["claimed"]
    assert queue["bought"] >= 4 and queue["seats_booked"] == 12
    assert queue["time_in_queue_s"]["n"] == queue["called"]
    assert queue["time_in_queue_s"]["p50"] > 0
    admissions = queue["admissions"]
    assert admissions["numbers_called"] == queue["called"]
    assert 0 < admissions["first_call_after_on_sale_s"] < 3
    assert result["server"]["cpu_s"] > 0
    assert result["clicks"]["by_op"]["join"]["ok"] == queue["joined"]
    # Holds carried the turn: none refused for the want of one.
    assert not any("queue_turn" in code for code in result["clicks"]["errors_by_code"])

"""The queue profile against a real server on the full stack: forty accounts wait in a
twelve-seat event's waiting room, before and after the on-sale, claim when called and book,
until sold out; the verdict recomputes the published draw and passes. And buyers who click
their seats one at a time hold them with their turn, on a room that may stop calling with a
seat left (the admission's floor): the verdict says so when it does."""

import pytest

from loadtest.commands import parse
from loadtest.queue_figures import queue_table
from loadtest.queue_run import queue_run

from .server_stack import QUEUE_BUYERS as BUYERS
from .server_stack import queue_event

pytestmark = pytest.mark.slow


async def test_forty_accounts_wait_are_called_in_order_and_buy_the_twelve_seats(queue_stack):
    """Rows of two seats, each buyer asking best available for two: the seats go in pairs, so
    the room always has a whole order's seats to call a buyer for, and sells out."""
    env, base, pid, users = queue_stack
    event = queue_event(env, on_sale_in=8, rows=6, per_row=2)
    options = parse(
        "run",
        ["--url", base, "--event", str(event), "--users", str(users), "--auth", "bearer"]
        + ["--profile", "queue", "--arrivals", str(BUYERS), "--arrive-within", "3"]
        + ["--pre-queue-share", "0.7", "--late-within", "2", "--no-show-share", "0.1"]
        + ["--claim-within", "0.5", "--journey-seats", "2", "--best-share", "1"]
        + ["--sale-within", "40", "--settle", "1", "--server-pid", str(pid)]
        + ["--seed", "11", "--quiet"],
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
    # (Joins are refused once sold out: whoever joined and was never shown a turn waited.)
    assert reach["sold_out"] and reach["waiting_sockets"] >= queue["joined"] - queue["turns_shown"]
    assert reach["after_first_socket_ms"]["max"] < 2000
    assert verdict["sold_out_untold"] == 0
    # Called, claimed (no-shows aside), shown their turn, booked.
    assert queue["called"] >= queue["claimed"] + queue["called_no_shows"] >= 5
    assert queue["turns_shown"] == queue["claimed"]
    assert queue["bought"] == 6 and queue["seats_booked"] == 12
    assert queue["time_in_queue_s"]["n"] == queue["called"]
    assert queue["time_in_queue_s"]["p50"] > 0
    admissions = queue["admissions"]
    assert admissions["numbers_called"] == queue["called"]
    assert 0 < admissions["first_call_after_on_sale_s"] < 3
    assert result["server"]["cpu_s"] > 0
    assert result["clicks"]["by_op"]["join"]["ok"] == queue["joined"]
    # Holds carried the turn: none refused for the want of one.
    assert not any("queue_turn" in code for code in result["clicks"]["errors_by_code"])


async def test_clicking_buyers_hold_with_their_turn_and_the_last_seat_is_sold_too(queue_stack):
    """Six seats, twenty buyers clicking one seat each. Holds carry the turn. The last seat goes
    to the next number however few seats are left (admission.py; before, fewer free seats than
    an order's measured size called nobody and the room stalled: the verdict's stall check,
    tested in test_queue_verdict.py, caught it here)."""
    env, base, pid, users = queue_stack
    event = queue_event(env, on_sale_in=6, rows=1, per_row=6)
    options = parse(
        "run",
        ["--url", base, "--event", str(event), "--users", str(users), "--auth", "bearer"]
        + ["--profile", "queue", "--arrivals", "20", "--arrive-within", "2"]
        + ["--pre-queue-share", "1", "--no-show-share", "0", "--claim-within", "0.2"]
        + ["--journey-seats", "1", "--best-share", "0", "--sale-within", "22"]
        + ["--settle", "0.5", "--seed", "5", "--quiet"],
    )

    result = await queue_run(options)
    print(queue_table(result))

    verdict, queue, clicks = result["verdict"], result["queue"], result["clicks"]
    assert clicks["by_op"]["lock"]["ok"] == queue["seats_booked"] >= 5
    assert not any("queue_turn" in code for code in clicks["errors_by_code"])
    assert verdict["admitted_out_of_order"] == 0 and verdict["numbers_wrong"] == 0
    assert queue["sold_out_reach"]["sold_out"] and queue["seats_booked"] == 6
    assert verdict["passed"], verdict["failures"]
    assert verdict["stalled"] is None

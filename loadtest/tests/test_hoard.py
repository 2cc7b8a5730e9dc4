"""The hoard profile against a server whose holds last 2 s, at most 4 s, with a cooldown of 2 s
after one ends, and a purchase limit of 3; the load host is not exempt from its limits
(LIMITS_EXEMPT_NETWORKS empty), so the rules that count a client address count it. Each test
has an event of its own: a hold the same users kept on another event from an earlier test
began long before its run."""

import pytest

from harness.servers import full_stack_env, manage_each, server_process
from loadtest.commands import parse
from loadtest.figures import table
from loadtest.profiles import REGISTRY
from loadtest.profiles.hoard import Move
from loadtest.run import main_async
from loadtest.verdict import Verdict

from .server_stack import DB_URL, Stack, event_args

CAPPED = {
    "SEAT_LOCK_SECONDS": "2",
    "SEAT_HOLD_MAX_SECONDS": "4",
    "SEAT_HOLD_COOLDOWN_SECONDS": "2",
    "SEAT_PURCHASE_LIMIT": "3",
    # Every account here is 127.0.0.1: the rules of holds per address on (API.md "Holds per
    # network"), at their default cap, which the pairs' few seats never reach.
    "LIMITS_EXEMPT_NETWORKS": "",
    "SEAT_ADDRESS_HOLD_LIMIT": "40",
}


@pytest.fixture(scope="module")
def capped(stack: Stack):
    env = full_stack_env(DATABASE_URL=DB_URL, REDIS_URL=stack.redis_url, **CAPPED)
    # An event for each test; the organiser turned on the rules of holds per network (API.md
    # "Holds per network").
    names = ("Hoard", "Pairs")
    made = manage_each(env, *(event_args(n, 1, 30, "--holds-limited-per-network") for n in names))
    with server_process(env, server="uvicorn") as (_, base):
        yield base, {name: int(out.split()[-1]) for name, out in zip(names, made, strict=True)}


async def hoard(capped, stack: Stack, name: str, *argv: str) -> dict:
    base, events = capped
    event_id = events[name]
    options = parse(
        "run",
        ["--url", base, "--event", str(event_id), "--users", str(stack.users), "--quiet"]
        + ["--profile", "hoard", "--hold-cap", "4", "--hold-cooldown", "2", "--rate", "12"]
        # No watchers: a hold that runs out as the run stops is never pushed (no sweeper here).
        + ["--watchers", "0", "--idle", "0.1", "--duration", "9", *argv],
    )
    result = await main_async(options)
    print(table(result))
    return result


@pytest.mark.slow
async def test_hoarders_never_hold_past_the_cap_nor_own_past_the_limit(capped, stack):
    """Extending and then letting go and taking again never gives a hold past 4 s from when
    the run began, and the re-locks at the cap are refused and counted; holding to the limit,
    booking and holding again never gives an account more than 3 seats, held and booked."""
    result = await hoard(capped, stack, "Hoard", "--clickers", "3")
    verdict = result["verdict"]
    assert verdict["passed"], verdict
    assert verdict["hoarding_refused"] >= 2  # each keeper met the cap at least once
    # The booker held three, booked them, and was refused every hold after.
    assert (verdict["purchase_limit"], verdict["seats_past_limit"]) == (3, 0)
    assert verdict["hoard_bookings"] >= 1 and verdict["accounts_at_limit"] >= 1
    assert verdict["purchase_limit_refused"] >= 3
    extends = result["clicks"]["by_op"]["extend"]
    assert extends["ok"] >= 3
    assert result["clicks"]["server_errors"] == 0


@pytest.mark.slow
async def test_a_pair_of_accounts_on_one_address_cannot_pass_seats_between_them(capped, stack):
    """Two pairs: in each, one account holds two seats to the 4 s cap and lets them go, and the
    other asks for them at once, and back again. From one client address the server refuses
    each such take for the 2 s cooldown after the seats were let go (409 seat_pass_refused), so
    no seat is passed, and the refusals are counted as the profile expects, not as failures."""
    result = await hoard(capped, stack, "Pairs", "--clickers", "4", "--pairs")
    verdict = result["verdict"]
    assert verdict["passed"], verdict
    assert verdict["seats_passed"] == 0
    assert verdict["pass_refused"] >= 2  # each pair's first pass at least
    codes = result["clicks"]["errors_by_code"]
    assert codes["lock_many:seat_pass_refused"] == verdict["pass_refused"]
    assert result["clicks"]["server_errors"] == 0


def judged(moves: list[Move]) -> Verdict:
    argv = ["--event", "1", "--profile", "hoard", "--pairs", "--hold-cooldown", "2"]
    options = parse("run", argv)
    pairs = REGISTRY["hoard"](options, [])
    pairs.purchase_limit, pairs.moves = 3, moves
    verdict = Verdict()
    pairs.judge([], verdict)
    return verdict


def test_a_seat_held_by_the_other_account_of_a_pair_within_the_cooldown_fails_the_verdict():
    """Recorded moves of clickers 0 and 1 (a pair) and 2 (of another), the cooldown 2 s."""
    held = [Move(0.0, 0, 7, "held"), Move(0.0, 0, 8, "held")]
    held += [Move(4.0, 0, 7, "let go"), Move(4.0, 0, 8, "let go")]
    kept = [
        Move(4.1, 0, 7, "held"),  # 0 takes its own seat again
        Move(4.25, 2, 8, "held"),  # another pair's account takes 8 at once
        Move(8.0, 2, 8, "let go"),
        Move(8.25, 1, 8, "held"),  # and 1 from it
        Move(8.5, 0, 7, "let go"),
        Move(10.5, 1, 7, "held"),  # 1 waits out the cooldown after 0 let it go
    ]
    verdict = judged(held + kept)
    assert verdict.passed, verdict.failures
    assert verdict.figures["seats_passed"] == 0

    passed = [Move(4.5, 1, 7, "held"), Move(4.5, 1, 8, "held")]  # 1 takes both at once
    verdict = judged(held + passed)
    assert verdict.failures == [
        "2 seat(s) passed between the accounts of a pair within --hold-cooldown (2 s) of being "
        "let go, e.g. seats [7, 8]"
    ]
    assert verdict.figures["seats_passed"] == 2


def test_a_pair_that_never_let_go_tried_no_pass_and_fails_the_verdict():
    verdict = judged([Move(0.0, 0, 7, "held"), Move(0.0, 0, 8, "held")])
    assert verdict.failures == [
        "no pair let go of its seats: no pass was tried (run past --hold-cap)"
    ]

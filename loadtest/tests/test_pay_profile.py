"""The pay profile against a real server and the real sweeper (API.md "Paying"): buyers order
on an event paid at the venue, and the box office settles some at once, some after their
window; the rest are abandoned. The verdict holds every order to how its buyer ended it, and
the server's inventory check to the money.

Negative control (run once, not committed): with the profile's settle sent for no order, the
verdict failed (20 orders "not as their buyers ended them": the paid ones expired)."""

import subprocess
import sys

import psycopg
import pytest

from harness.servers import ROOT, manage_each, server_process
from loadtest.commands import parse
from loadtest.run import Run

from .server_stack import DB_URL, event_args

pytestmark = pytest.mark.slow

# A window runs from the hold's end (API.md "Paying"): holds of 3 s and windows of 2 s make a
# late payment and an abandoned order's end come within the test's seconds.
HOLD_SECONDS, WINDOW_SECONDS = 3, 2


BOX_OFFICE_TOKEN = (
    "shell",
    "-c",
    "from django.contrib.auth import get_user_model; "
    "from reservations.roles import role_group; "
    "from rest_framework_simplejwt.tokens import AccessToken; "
    "u, _ = get_user_model().objects.get_or_create(username='door'); "
    "u.groups.add(role_group('Box office')); print(AccessToken.for_user(u))",
)


async def test_buyers_pay_abandon_and_pay_late_and_the_verdict_holds_each_order(stack):
    env = stack.env(SEAT_LOCK_SECONDS=str(HOLD_SECONDS))
    made = manage_each(
        env, event_args("Paid at the door", 4, 25, "--paid-with", "venue"), BOX_OFFICE_TOKEN
    )
    event, token = int(made[0].split()[-1]), made[1].split()[-1]
    with psycopg.connect(DB_URL) as db:  # shorter than an organiser may set: the test's time
        db.execute(
            "UPDATE reservations_event SET pay_window_seconds = %s WHERE id = %s",
            (WINDOW_SECONDS, event),
        )
    sweeper = subprocess.Popen([sys.executable, "manage.py", "sweep_locks"], cwd=ROOT, env=env)  # noqa: ASYNC220
    try:
        with server_process(env) as (_process, base):
            result = await Run(_options(base, event, stack.users, token)).execute()
    finally:
        sweeper.terminate()
        sweeper.wait(10)

    assert result["verdict"]["passed"], result["verdict"]
    made = result["clicks"]["orders"]
    assert made["paid"] >= 3 and made["late"] + made["abandoned"] >= 2, made
    ended = result["verdict"]["orders_ended"]
    assert ended.get("confirmed", 0) >= made["paid"] and ended.get("expired", 0) >= 1, ended


def _options(base: str, event: int, users, token: str):
    return parse(
        "run",
        [
            *("--url", base, "--event", str(event), "--users", str(users)),
            *("--profile", "pay", "--box-office-token", token),
            *("--clickers", "4", "--rate", "20", "--duration", "1.5", "--journey-seats", "2"),
            *("--pay-share", "0.5", "--late-share", "0.25"),
            *("--watchers", "2", "--idle", "0.1", "--settle", "3", "--quiet"),
        ],
    )

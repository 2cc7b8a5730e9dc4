"""The door at issue 59's target: one server process, gates scanning booked tickets at a rate
offered (`run --profile door`), a console following the counts."""

from .bench_databases import new_event
from .bench_loadtest import loadtest
from .bench_servers import manage, servers


def role_token_code(username: str, role: str) -> str:
    """`manage.py shell -c` code printing an access token of an account in the role's group
    (made once per database): the bench's and the profile's test's staff."""
    return (
        "from django.contrib.auth import get_user_model; "
        "from reservations.roles import role_group; "
        "from rest_framework_simplejwt.tokens import AccessToken; "
        f"u, _ = get_user_model().objects.get_or_create(username='{username}'); "
        f"u.groups.add(role_group('{role}')); print(AccessToken.for_user(u))"
    )


def _role_token(username: str, role: str) -> str:
    return manage("shell", "-c", role_token_code(username, role)).split()[-1]


def door_scans(rate: float, tickets: int, gates: int = 20):
    """`tickets` booked through the API, then scanned at `gates` gates, `rate` scans a second
    offered across them (0: each gate as fast as answered), on one server process."""

    def run(ctx):
        event = new_event(ctx["name"], rows=tickets // 50 + 1, per_row=50)
        tokens = ("--door-token", _role_token("bench-gate", "Door"))
        tokens += ("--console-token", _role_token("bench-console", "Box office"))
        scanning = ("--tickets", tickets, "--gates", gates, "--rate", rate, "--seed", 1)
        users = ("--users", ctx["users"], "--auth", "bearer")
        with servers("uvicorn") as (urls, pids):
            return loadtest(
                urls, pids, event, "--profile", "door", *users, *tokens, *scanning, name=ctx["name"]
            )

    return run

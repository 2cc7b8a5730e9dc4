import pytest

from harness.servers import manage, server_process

from .server_stack import QUEUE_BUYERS, Stack, stack_env, stack_up


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    """One server for every load tester test that needs one (loadtest/tests/server_stack.py)."""
    with stack_up(tmp_path_factory.mktemp("load")) as running:
        yield running


@pytest.fixture(scope="package")
def queue_stack(stack: Stack, tmp_path_factory):
    """A server of the stack's database ticking the waiting rooms every 0.5 s (the stack's own
    ticks every 2 s, and leaves a room ticked since), and forty accounts with tokens."""
    env = stack_env(
        QUEUE_TICK_SECONDS="0.5",
        QUEUE_FRAME_SECONDS="1",
        LIMITS_EXEMPT_NETWORKS="127.0.0.1/32",
    )
    users = tmp_path_factory.mktemp("queue") / "users.json"
    accounts = ("--count", str(QUEUE_BUYERS), "--prefix", "queue", "--output", str(users))
    manage(env, "create_load_users", *accounts)
    with server_process(env) as (process, base):
        yield env, base, process.pid, users

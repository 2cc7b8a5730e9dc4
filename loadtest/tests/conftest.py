import pytest

from harness.servers import manage, server_process

from .server_stack import QUEUE_BUYERS, Stack, migrated_template, stack_up


@pytest.fixture(scope="session")
def migrated():
    """The name of a database migrated once per run, for the load tester's tests to copy
    (server_stack.py `migrated_copy`)."""
    return migrated_template()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, migrated):
    """One server for every load tester test that needs one (loadtest/tests/server_stack.py),
    started once per run: under pytest-xdist a worker's modules of other packages come between
    the load tester's, and a package's fixture would be started again after each."""
    with stack_up(tmp_path_factory.mktemp("load"), migrated) as running:
        yield running


@pytest.fixture(scope="session")
def queue_stack(stack: Stack, tmp_path_factory):
    """A server of the stack's database ticking the waiting rooms every 0.5 s (the stack's own
    ticks every 2 s, and leaves a room ticked since), and forty accounts with tokens."""
    env = stack.env(
        QUEUE_TICK_SECONDS="0.5",
        QUEUE_FRAME_SECONDS="1",
        LIMITS_EXEMPT_NETWORKS="127.0.0.1/32",
    )
    users = tmp_path_factory.mktemp("queue") / "users.json"
    accounts = ("--count", str(QUEUE_BUYERS), "--prefix", "queue", "--output", str(users))
    manage(env, "create_load_users", *accounts)
    with server_process(env) as (process, base):
        yield env, base, process.pid, users

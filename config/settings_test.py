"""Settings for the test suite: the full stack on this machine's PostgreSQL and Redis."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/seatmap")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")


def _worker_urls(worker: str) -> None:
    """A pytest-xdist worker (`make pytest` runs three) is a test run of its own, as an engineer
    sharing the machine is: its databases are named after it (pytest-django's test database, and
    those the tests make beside it from DATABASE_URL's name) and its Redis db is the next one
    (the tests flush theirs). Done once, here: the servers and commands a test starts inherit
    the worker's URLs, not its name."""
    number = int(worker.removeprefix("gw"))
    database = urlsplit(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = database._replace(path=f"{database.path}_{worker}").geturl()
    redis_url = urlsplit(os.environ["REDIS_URL"])
    redis_db = int(redis_url.path.lstrip("/") or 0) + number
    if redis_db > 15:
        raise RuntimeError(f"{worker} would use Redis db {redis_db}: lower REDIS_URL's db")
    os.environ["REDIS_URL"] = redis_url._replace(path=f"/{redis_db}").geturl()


if worker := os.environ.pop("PYTEST_XDIST_WORKER", ""):
    _worker_urls(worker)

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-of-at-least-32-bytes")
os.environ.setdefault("AUTH_THROTTLE_RATE", "10000/min")
os.environ.setdefault("AUTH_USERNAME_THROTTLE_RATE", "10000/min")
os.environ.setdefault("LOGIN_SLOWDOWN_AFTER", "10000")
os.environ.setdefault("LOGIN_CHALLENGE_AFTER", "10000")
# The test hasher (MD5, below) costs nothing: logins of many buyers at once need no bound.
os.environ.setdefault("PASSWORD_HASH_CONCURRENCY", "10000")
# The suite's own limits tests set their rates; the rest must never meet one.
os.environ.setdefault("BOOKING_USER_RATE", "100000/min")
os.environ.setdefault("BOOKING_ADDRESS_RATE", "100000/min")
os.environ.setdefault("ANON_READ_THROTTLE_RATE", "100000/min")
os.environ.setdefault("REFRESH_USER_RATE", "100000/min")
os.environ.setdefault("SEAT_LIST_USER_RATE", "100000/min")
os.environ.setdefault("USER_READ_THROTTLE_RATE", "100000/min")
# Every client of the suite is 127.0.0.1 (or none): the rules of holds per address are off
# but in their own tests.
os.environ.setdefault("SEAT_ADDRESS_HOLD_LIMIT", "0")
# Tests stop a part and ask the health report at once; the cache's own test sets its seconds.
os.environ.setdefault("HEALTH_CACHE_SECONDS", "0")
# The webhook tests' receivers listen on 127.0.0.1 (webhook_receiver.py); the tests of what a
# webhook may reach set their own list.
os.environ.setdefault("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")

# The shipped settings with the hasher that costs nothing (settings_e2e.py).
from .settings_e2e import *  # noqa: E402, F403

# The suite's own process never ticks the waiting rooms on a thread of its own (a test that
# starts the server's lifespan would leave one running against the test database); a test ticks
# a room itself. The server processes the tests start tick as servers do (harness/servers.py
# `full_stack_env` says QUEUE_TICKS=1).
QUEUE_TICKS = env.bool("QUEUE_TICKS", default=False)

# Nor does it send verification e-mails on a thread (a test sends them itself).
VERIFICATION_EMAILS = env.bool("VERIFICATION_EMAILS", default=False)

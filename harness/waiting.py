"""Waiting on what a test is not told of (a subscriber count in Redis, a metric's next sample,
a fan-out's last delivery): polled until it holds, for at most a deadline. Under the whole
suite this machine runs several times slower than when quiet, so a wait is a deadline to poll
within, never a fixed sleep: a sleep long enough there makes every quiet run slow."""

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], within: float = 10.0, every: float = 0.05) -> T:
    """`check()`'s first truthy value, or its last once `within` seconds have passed."""
    deadline = time.monotonic() + within
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(every)
    return result


async def until(check: Callable[[], T], within: float = 10.0, every: float = 0.01) -> T:
    """`eventually` for a check of what the running loop does: each wait lets it run."""
    deadline = time.monotonic() + within
    # A poll, not an Event: what is checked signals nothing to await.
    while not (result := check()) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(every)
    return result

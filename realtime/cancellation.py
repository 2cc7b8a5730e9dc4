"""A loop asked to stop stops, whatever a library did with the cancellation.

Two things happen to a CancelledError on its way through the Redis client, seen when a test
cancelled the relay and it never ended:
- Python 3.11's `asyncio.wait_for` (redis-py's socket writes) returns the result of a write
  that finished as the cancel came: the CancelledError is gone, and the task goes on as if
  nobody had asked it to stop (fixed in Python 3.12).
- redis-py awaits its clean-up inside `except BaseException` (a disconnect after a read it did
  not finish): when that fails, its error replaces the CancelledError.
A loop that goes round again would then run for ever, and whoever waits for it to end (a
stopping server) would wait for ever too. The task still counts the request (`cancelling`).
"""

import asyncio


def raise_if_cancelled(error: Exception | None = None) -> None:
    """Raise CancelledError if this task was asked to stop. A loop that goes round again calls
    it at the top of each round, and first in an `except Exception` (with the error)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from error

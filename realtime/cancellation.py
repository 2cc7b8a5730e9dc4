"""A cancellation a library turned into an error is still a cancellation.

redis-py awaits its clean-up inside `except BaseException` (a disconnect after a read it did
not finish): when that clean-up fails, its error replaces the CancelledError of a server that
is stopping or a test that is ending. A loop that logs errors and goes round again would then
run for ever, and whoever waits for it to end would wait for ever too.
"""

import asyncio


def raise_if_cancelled(error: Exception) -> None:
    """Re-raise `error` as a cancellation if this task was asked to stop: call it first in an
    `except Exception` of a loop that goes round again."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from error

"""Best available on the fast path, asks for one event answered in batches.

In an on-sale's rush hundreds of buyers ask one event for seats within a few milliseconds. One
transaction each, every ask pays its own round trips (BEGIN, the event, the caller's row, the
taken seats, the hold, COMMIT) and picks from a room that the asks in flight beside it are
changing. Here an event's asks that arrive while a batch of its is in the database wait for
that batch to commit, then go together as the next one (a group commit): one transaction,
``services.best.best_batch_steps``, which locks the callers' rows, reads the taken seats once,
picks for each ask in arrival order on the room with the earlier asks' picks taken out, and
holds every block in one statement, each all or none. A lone ask goes at once, a batch of one;
a batch waits for nothing but the one before it.

Each ask still gets its own answer: its block, or its own refusal (``no_block``, ``hold_limit``,
``purchase_limit``, a category the event does not have), which does not touch the others. Only
what fails the whole transaction (the database out of reach) fails every ask of the batch, as
it would have failed each of them alone.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from reservations.booking.best import Answer, Ask, BestOutcome
from reservations.exceptions import BookingError

# (event id, asks) -> an answer per ask, in one transaction: best_batch_steps, driven.
HoldBatch = Callable[[int, Sequence[Ask]], Awaitable[list[Answer]]]

# Asks per batch: the picker runs on the loop for each (~0.5 ms on a theatre), so a batch of
# this many keeps other requests and the sockets waiting for tens of milliseconds at most.
BATCH_MAX = 64


class BestBatches:
    """The event loop's queue of best-available asks, one per event, drained batch by batch."""

    def __init__(self, hold_batch: HoldBatch):
        self._hold_batch = hold_batch
        self._waiting: dict[int, list[tuple[Ask, asyncio.Future]]] = {}
        self._draining: dict[int, asyncio.Task] = {}

    async def hold(self, event_id: int, ask: Ask) -> BestOutcome:
        """The ask's held block, once its batch has committed; or its refusal, raised."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(event_id, []).append((ask, future))
        if event_id not in self._draining:
            self._draining[event_id] = asyncio.create_task(self._drain(event_id))
        return await future

    async def _drain(self, event_id: int) -> None:
        batch: list[tuple[Ask, asyncio.Future]] = []
        try:
            while waiting := self._waiting.pop(event_id, None):
                batch, rest = waiting[:BATCH_MAX], waiting[BATCH_MAX:]
                if rest:
                    self._waiting[event_id] = rest
                batch = [(ask, future) for ask, future in batch if not future.done()]
                if not batch:  # every one of them gave up waiting
                    continue
                try:
                    answers = await self._hold_batch(event_id, [ask for ask, _ in batch])
                except Exception as failed:  # the whole transaction: every ask's answer
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(failed)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    if future.done():  # the buyer went away; a held block runs out as any hold
                        continue
                    if isinstance(answer, BookingError):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
                batch = []
        finally:
            del self._draining[event_id]
            for _, future in batch:  # cancelled mid-batch (the server stopping)
                if not future.done():
                    future.cancel()

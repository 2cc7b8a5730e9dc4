"""One click at a time per seat on the server's loop (the hot seat of an on-sale).

At an on-sale a thousand buyers click the same seat in the same instant. Each click that finds
the seat free in the process's memory (live_seats.refusal) would take a pooled connection and
queue on the seat's row lock, only to be refused once the first one commits: a thousand
transactions, and the pool held by one seat while clicks on every other seat wait for it.
Taking turns, the first click runs its transaction; the next ones wait on the loop, and each
then asks the memory again, which by then shows the seat taken (the winner's commit is applied
to it before its turn ends), so they are refused without a transaction. Nothing is granted by
taking turns: a click whose turn comes with the seat still free goes to the database as ever.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class SeatTurns:
    """The turns of one loop: a FIFO lock per seat clicked, kept while anyone waits on it."""

    def __init__(self):
        self._turns: dict[Hashable, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, seat: Hashable) -> AsyncIterator[None]:
        """Wait for the clicks on `seat` that came before, then hold its turn."""
        lock, users = self._turns.setdefault(seat, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[seat]

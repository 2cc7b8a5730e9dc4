"""Whether an event exists, asked of the database once a minute per process: a connect storm
of thousands of sockets to one event costs one query, not one each."""

import asyncio
import time

from channels.db import database_sync_to_async

from reservations.selectors import event_exists

KNOWN_FOR_SECONDS = 60


class KnownEvents:
    def __init__(self):
        self._answers: dict[int, asyncio.Future] = {}
        self._asked_at: dict[int, float] = {}

    async def known(self, event_id: int) -> bool:
        answer = self._answers.get(event_id)
        if answer is None or (
            answer.done() and time.monotonic() - self._asked_at[event_id] > KNOWN_FOR_SECONDS
        ):
            answer = self._answers[event_id] = asyncio.ensure_future(
                database_sync_to_async(event_exists)(event_id=event_id)
            )
            self._asked_at[event_id] = time.monotonic()
        try:
            return await asyncio.shield(answer)
        except Exception:
            self._answers.pop(event_id, None)
            raise

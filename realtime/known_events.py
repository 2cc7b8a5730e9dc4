"""Whether an event exists, asked of the database once a minute per process: a connect storm
of thousands of sockets to one event costs one query, not one each.

The answers, "no such event" included, are kept in a bounded cache (cachetools' TTLCache,
`KNOWN_EVENTS_MAX` entries, each for `KNOWN_FOR_SECONDS`): a client asking for every id there
is costs one query per id and a minute, and no more memory than the bound (issue 25: an entry
for every id ever asked, ~800 B each, was never freed).
"""

import asyncio
import time

from cachetools import TTLCache
from channels.db import database_sync_to_async

from reservations.selectors import event_exists

KNOWN_FOR_SECONDS = 60
KNOWN_EVENTS_MAX = 10_000


class KnownEvents:
    def __init__(self, maxsize: int = KNOWN_EVENTS_MAX):
        # event id -> the database's answer, asked once for everyone asking meanwhile
        self._answers: TTLCache[int, asyncio.Future] = TTLCache(
            maxsize=maxsize, ttl=KNOWN_FOR_SECONDS, timer=time.monotonic
        )

    async def known(self, event_id: int) -> bool:
        answer = self._answers.get(event_id)
        if answer is None:
            answer = self._answers[event_id] = asyncio.ensure_future(
                database_sync_to_async(event_exists)(event_id=event_id)
            )
        try:
            return await asyncio.shield(answer)
        except Exception:
            self._answers.pop(event_id, None)
            raise

    def __len__(self) -> int:
        """Answers kept (never more than the bound)."""
        return len(self._answers)

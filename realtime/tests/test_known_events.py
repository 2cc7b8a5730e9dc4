"""Whether an event exists (realtime/known_events.py), on the real database: the answers, "no
such event" included, kept in a bounded cache."""

import pytest
from channels.db import database_sync_to_async

from realtime.known_events import KnownEvents
from reservations.tests.factories import event_with_seats

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_client_asking_for_every_id_there_is_fills_no_more_than_the_bound():
    event = await database_sync_to_async(event_with_seats)(rows=1, seats_per_row=1)
    known = KnownEvents(maxsize=50)

    answers = [await known.known(event.id + 1 + n) for n in range(500)]

    assert answers == [False] * 500
    assert len(known) == 50
    assert await known.known(event.id) is True

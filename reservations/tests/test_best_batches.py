"""Best available's asks on the fast path go to the database in batches (api/best_batches.py):
the queue's rules, with a stand-in for the transaction. That the batch's transaction holds the
right seats is test_best.py's (best_batch_steps on PostgreSQL, and 200 buyers on real servers)."""

import asyncio

import pytest

from reservations.api.best_batches import BATCH_MAX, BestBatches
from reservations.booking.best import Ask, BestOutcome
from reservations.exceptions import NoBlock
from reservations.seating import Request


class Database:
    """Answers each batch when the test lets it go, and keeps what each batch held."""

    def __init__(self, *, refuse: int | None = None, fail: Exception | None = None):
        self.batches: list[tuple[int, list[int]]] = []  # (event, the asks' users)
        self.go = asyncio.Event()
        self.refuse, self.fail = refuse, fail

    async def hold_batch(self, event_id, asks):
        self.batches.append((event_id, [ask.user_id for ask in asks]))
        await self.go.wait()
        if self.fail:
            raise self.fail
        return [
            NoBlock("No seat is left.")
            if ask.user_id == self.refuse
            else BestOutcome(seats=[], together=True, alternatives=[])
            for ask in asks
        ]


def ask(user_id: int) -> Ask:
    return Ask(user_id=user_id, wish=Request(count=2))


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_asks_arriving_while_a_batch_is_in_the_database_go_together_as_the_next():
    database = Database()
    batches = BestBatches(database.hold_batch)
    first = asyncio.create_task(batches.hold(7, ask(1)))
    await settle()  # the first ask goes at once, alone
    rest = [asyncio.create_task(batches.hold(7, ask(user))) for user in (2, 3, 4)]
    other_event = asyncio.create_task(batches.hold(8, ask(5)))
    await settle()
    assert database.batches == [(7, [1]), (8, [5])]  # another event does not wait
    database.go.set()
    await asyncio.gather(first, *rest, other_event)
    assert database.batches == [(7, [1]), (8, [5]), (7, [2, 3, 4])]


async def test_each_ask_gets_its_own_answer_and_one_refusal_leaves_the_others_alone():
    database = Database(refuse=2)
    database.go.set()
    batches = BestBatches(database.hold_batch)
    answers = await asyncio.gather(
        *(batches.hold(7, ask(user)) for user in (1, 2, 3)), return_exceptions=True
    )
    assert [type(answer) for answer in answers] == [BestOutcome, NoBlock, BestOutcome]
    assert database.batches == [(7, [1, 2, 3])]


async def test_a_failed_transaction_fails_every_ask_of_its_batch_and_the_queue_goes_on():
    database = Database(fail=ConnectionError("database out of reach"))
    database.go.set()
    batches = BestBatches(database.hold_batch)
    answers = await asyncio.gather(
        *(batches.hold(7, ask(user)) for user in (1, 2)), return_exceptions=True
    )
    assert all(isinstance(answer, ConnectionError) for answer in answers)
    database.fail = None
    assert isinstance(await batches.hold(7, ask(3)), BestOutcome)


async def test_a_batch_is_at_most_batch_max_asks():
    database = Database()
    batches = BestBatches(database.hold_batch)
    waiting = [asyncio.create_task(batches.hold(7, ask(user))) for user in range(BATCH_MAX + 6)]
    await settle()
    database.go.set()
    await asyncio.gather(*waiting)
    assert [len(users) for _, users in database.batches] == [BATCH_MAX, 6]


async def test_a_buyer_who_gave_up_waiting_is_not_asked_for():
    database = Database()
    batches = BestBatches(database.hold_batch)
    first = asyncio.create_task(batches.hold(7, ask(1)))
    await settle()
    gone = asyncio.create_task(batches.hold(7, ask(2)))
    stays = asyncio.create_task(batches.hold(7, ask(3)))
    await settle()
    gone.cancel()
    database.go.set()
    await asyncio.gather(first, stays)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert database.batches == [(7, [1]), (7, [3])]

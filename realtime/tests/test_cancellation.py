"""A loop that goes round again still stops when it is cancelled, whether a library turned the
cancellation into an error or dropped it (realtime/cancellation.py)."""

import asyncio
import contextlib

import pytest
import redis

from realtime.cancellation import raise_if_cancelled
from realtime.hub import EventHub
from realtime.relay import Relay


async def _failing_read():
    """A read that fails, as redis-py's does, whether Redis went away or the read was cancelled
    and the disconnect in its clean-up then failed."""
    with contextlib.suppress(BaseException):  # the error below replaces a CancelledError
        await asyncio.sleep(0.05)
    raise redis.ConnectionError("Connection closed by server.")


async def _retrying_loop(rounds: list[int]):
    for _ in range(20):  # about a second here; for ever in a server
        rounds.append(1)
        try:
            await _failing_read()
        except Exception as exc:
            raise_if_cancelled(exc)


async def _rounds_before_it_ends_when_cancelled(loop_of) -> int:
    """The rounds a loop went before it ended, cancelled during its first; a test fails if it
    goes on after the cancel."""
    rounds: list[int] = []
    loop = asyncio.ensure_future(loop_of(rounds))
    await asyncio.sleep(0.02)
    loop.cancel()
    await asyncio.wait({loop}, timeout=5)
    assert loop.cancelled(), "the loop went round again after it was cancelled"
    return len(rounds)


async def test_a_cancelled_loop_ends_though_the_cancellation_came_out_as_another_error():
    assert await _rounds_before_it_ends_when_cancelled(_retrying_loop) == 1


async def test_an_error_that_is_not_a_cancellation_lets_the_loop_go_round_again():
    rounds: list[int] = []
    await _retrying_loop(rounds)  # each read fails; nobody cancels
    assert len(rounds) == 20


async def _write_that_finished_as_the_cancel_came():
    """Python 3.11's `asyncio.wait_for` (redis-py's writes), when its awaitable ends as the
    cancel comes: it returns the result, and the CancelledError is gone."""
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(0.05)


async def _liveness_loop(rounds: list[int]):
    for _ in range(20):  # about a second here; for ever in a server
        raise_if_cancelled()
        rounds.append(1)
        await _write_that_finished_as_the_cancel_came()


async def test_a_cancelled_loop_ends_at_its_next_round_though_the_cancellation_was_dropped():
    assert await _rounds_before_it_ends_when_cancelled(_liveness_loop) == 1


@pytest.fixture
def sleeps_that_drop_a_cancel(monkeypatch):
    """Every `asyncio.sleep` of the loops under test ends at once and drops a cancel that came
    meanwhile, as a Redis write does on Python 3.11: only the loop's own check can stop it."""
    sleep = asyncio.sleep

    async def dropping(delay, result=None):
        with contextlib.suppress(asyncio.CancelledError):
            await sleep(0.01)
        return result

    monkeypatch.setattr(asyncio, "sleep", dropping)


def _rounds_of(loop):
    async def counted(rounds: list[int]):
        rounds.append(1)  # the first round; the test fails if the loop outlives the cancel
        await loop()

    return counted


async def test_the_relays_group_refresh_stops_when_its_cancel_was_dropped(
    sleeps_that_drop_a_cancel,
):
    relay = Relay(listener=None, client=None)
    refreshing = _rounds_of(relay.refresh_groups_forever)
    assert await _rounds_before_it_ends_when_cancelled(refreshing) == 1


async def test_the_hubs_presence_loop_stops_when_its_cancel_was_dropped(sleeps_that_drop_a_cancel):
    hub = EventHub()
    assert await _rounds_before_it_ends_when_cancelled(_rounds_of(hub._presence_forever)) == 1

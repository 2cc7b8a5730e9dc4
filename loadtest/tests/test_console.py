"""The console on the wire (`python -m loadtest console`) beside clicks, against the real
server: it counts each transaction once (the merged frames that follow the unmerged ones are
duplicates, PROTOCOL.md), and its counts end equal to the server's."""

import asyncio
import json
from collections import Counter

import aiohttp
import pytest

from harness.servers import manage_each
from loadtest.console import watch

from .server_stack import Stack, event_args

pytestmark = pytest.mark.slow

STAFF = ("console-test-organiser", "console-test-password-1")


async def _lock_one_by_one(stack: Stack, event_id: int, seat_ids: list[int], token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:
        await asyncio.sleep(1.0)  # the console's socket is open and told it is a console
        for seat_id in seat_ids:
            url = f"{stack.base}/api/events/{event_id}/seats/{seat_id}/lock/"
            async with session.post(url, json={}, headers=headers) as answer:
                assert answer.status == 200, await answer.text()
            await asyncio.sleep(0.05)
        for seat_id in seat_ids:
            url = f"{stack.base}/api/events/{event_id}/seats/{seat_id}/unlock/"
            async with session.post(url, json={}, headers=headers) as answer:
                assert answer.status == 200, await answer.text()


async def _server_counts(stack: Stack, event_id: int) -> Counter:
    return Counter(seat["status"] for seat in await _seats(stack, event_id))


async def _seats(stack: Stack, event_id: int) -> list[dict]:
    url = f"{stack.base}/api/events/{event_id}/seats/"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return (await answer.json())["seats"]


async def test_the_console_counts_each_transaction_once_and_ends_with_the_servers_counts(
    stack: Stack,
):
    username, password = STAFF
    # An event and a clicker of its own: holds the stack's users left on its events in other
    # tests may lapse while the console watches, which no frame tells (the sweeper's would).
    made, users, _ = manage_each(
        stack.env(),
        event_args("Console", 5, 20),
        ("create_load_users", "--count", "1", "--prefix", "console-clicker"),
        (
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as m; U = m();"
            f" U.objects.filter(username='{username}').exists()"
            f" or U.objects.create_superuser('{username}', '', '{password}')",
        ),
    )
    event_id, clicker = int(made.split()[-1]), json.loads(users)[0]["access"]
    free = [seat["id"] for seat in await _seats(stack, event_id)]
    clicks = asyncio.ensure_future(_lock_one_by_one(stack, event_id, free[:6], clicker))
    figures = await watch(stack.base, event_id, username, password, seconds=20, quiet=2)
    await clicks

    assert figures["frames"] == 12  # six locks and six unlocks: each once, no duplicate counted
    assert figures["counts_lag_ms"]["p50"] > 0
    held = {status: n for status, n in figures["counts"].items() if n}
    assert held == dict(await _server_counts(stack, event_id))

"""A Sentinel failover of the Redis primary under live sockets (harness/engines.py: real
`redis-server` primary and replica, three of Debian's `redis-sentinel`): a seat changed while
the primary is gone, with nothing changing after it, is on every watcher's map within 10 s of
the primary's death. Nothing later can reveal the lost push as a gap: only the relay's liveness
check (realtime/relay.py, closing sockets when Redis stops answering or another primary
answers) sends the watchers back for a fresh snapshot. And a counter read on a promoted replica
never hands out a `seq` already used under the same epoch.
"""

import asyncio
import time

import httpx
import pytest
import redis.asyncio

from harness.engines import redis_server, sentinel_redis
from harness.servers import server_processes, token
from harness.waiting import until
from loadtest.browser import Browser
from loadtest.stats import Recorder
from loadtest.watchers import Watcher
from realtime.sequence import RedisCounters
from realtime.tests.clients import ws_url
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = pytest.mark.slow

SETTLED_WITHIN = 10.0
WATCHERS_PER_SERVER = 3


async def maps_show(watchers: list[Watcher], seat_id: int, status: str, within: float) -> bool:
    """Whether every watcher's map shows the seat `status`, with a snapshot of the socket it
    has open now, before `within` s have passed."""
    return await until(
        lambda: all(
            not w.closed and w.ready.is_set() and (w.model.state(seat_id) or ("",))[0] == status
            for w in watchers
        ),
        within,
        every=0.1,
    )


@pytest.mark.django_db(transaction=True)
def test_a_seat_locked_while_the_primary_fails_over_is_on_every_map_within_ten_seconds(
    stack_env,
):
    event = event_with_seats(rows=1, seats_per_row=6)
    UserFactory(username="alice")
    seat_ids = list(event.seats.order_by("id").values_list("id", flat=True))  # the map's order
    with sentinel_redis() as engines:
        env = {**stack_env, **engines.env()}
        with server_processes(env, count=2) as servers:
            bases = [server.url for server in servers]
            bearer = token(bases[0], "alice")
            asyncio.run(_failover_scenario(engines, bases, event.id, seat_ids, bearer))


async def _failover_scenario(engines, bases, event_id, seat_ids, bearer) -> None:
    rec = Recorder()
    session = Browser(bases[0])
    watchers = [
        Watcher(i, ws_url(base, event_id), base, rec, session=session, seat_ids=seat_ids)
        for i, base in enumerate(bases * WATCHERS_PER_SERVER)
    ]
    seat_id = seat_ids[0]
    tasks = [asyncio.ensure_future(w.run()) for w in watchers]
    try:
        async with asyncio.timeout(10):
            await asyncio.gather(*(w.ready.wait() for w in watchers))
        assert await maps_show(watchers, seat_id, "available", within=2)

        killed = await asyncio.to_thread(engines.kill_primary)
        died = time.monotonic()
        async with httpx.AsyncClient(timeout=10) as http:
            # Sentinel waits a second before it calls the primary down: the health check
            # says the channel layer is down meanwhile.
            health = await http.get(f"{bases[1]}/api/health/")
            assert health.status_code == 503
            assert health.json()["channel_layer"] == "down"
            locked = await http.post(
                f"{bases[0]}/api/events/{event_id}/seats/{seat_id}/lock/", headers=bearer
            )
        # Booking needs PostgreSQL only (API.md "When Redis is gone"); its push is lost.
        assert locked.status_code == 200, locked.text
        await asyncio.to_thread(engines.wait_failover, killed.port)

        left = SETTLED_WITHIN - (time.monotonic() - died)
        assert await maps_show(watchers, seat_id, "locked", within=left), [
            (w.index, w.closed, w.model.state(seat_id)) for w in watchers
        ]
        assert rec.closed_by_server  # they were closed and came back: the relay's doing
        async with httpx.AsyncClient(timeout=10) as http:
            health = (await http.get(f"{bases[1]}/api/health/")).json()
        assert health == {"database": "ok", "channel_layer": "ok"}
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        session.close()


def test_a_promoted_replica_starts_a_new_epoch_instead_of_reusing_seq():
    with redis_server() as primary, redis_server() as replica:
        replica.client().replicaof("127.0.0.1", primary.port)
        asyncio.run(_promoted(primary, replica))


async def _promoted(primary, replica):
    old = RedisCounters(redis.asyncio.Redis(port=primary.port))
    epoch, seq = await old.next(7, 5)
    caught_up = await until(lambda: replica.client().get("{seatmap:event:7}:seq") == b"5")
    assert caught_up, "the replica did not catch up"
    replica.client().replicaof("NO", "ONE")  # the failover: later writes of the old are lost
    assert await old.next(7, 3) == (epoch, 8)
    promoted = RedisCounters(redis.asyncio.Redis(port=replica.port))
    new_epoch, new_seq = await promoted.next(7)
    assert new_epoch != epoch, f"seq {new_seq} under the old epoch would repeat 6..8"
    assert new_seq == 1

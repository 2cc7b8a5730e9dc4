"""The relay: the process's one channel on the channel layer, between Redis and the hub.

It joins each watched event's group once, receives every message of those groups, puts each
event's frames back in `seq` order (reorder.py) and hands them to its listener (the hub). When
the layer fails, or Redis stops answering, it tells the listener (who closes its sockets with
4503), then rejoins with backoff; it lets sockets in again (`ready`) once it hears Redis again.
"""

import asyncio
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Protocol

import redis
from channels.layers import get_channel_layer

from reservations.redis_primary import LAYER_CLIENT_NAME, SIGN_OUTS_GROUP, event_group

from .cancellation import raise_if_cancelled
from .redis_clients import group_send
from .reorder import REORDER_WAIT_SECONDS, SeqReorder

logger = logging.getLogger("realtime.relay")

# Group memberships are re-added this often: they expire on the layer after a day, and a Redis
# that lost its data without dropping connections (a FLUSHALL, a failover) forgets them.
GROUP_REFRESH_SECONDS = 30
# How often the relay asks Redis whether its primary is still the same (see _listening).
LIVENESS_INTERVAL = 1.0
# Before it lets sockets in, the relay probes Redis this often, for at most this long
# (_probe); then it fails and backs off as for any failure.
PROBE_EVERY = 0.1
PROBE_SECONDS = 5.0


class Listener(Protocol):
    def watched_events(self) -> Iterable[int]: ...

    def committed(self, event_id: int, frame: tuple, seq: int, epoch: str) -> None:
        """One committed transaction's `(ts, changes, owners)`, in `seq` order as far as the
        relay could put it."""

    def layer_failed(self) -> None: ...

    def family_revoked(self, family: str) -> None: ...

    def queue_changed(self, event_id: int, state: dict) -> None:
        """The event's waiting room's public state (PROTOCOL.md "Waiting room")."""

    def door_changed(self, event_id: int, gates: dict, revoked: list[int]) -> None:
        """A gate's counts after a check-in, or tickets revoked (PROTOCOL.md "The door")."""


async def _first_failure(*coroutines) -> None:
    """Run the coroutines until the first one raises; cancel the others and raise that."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _primary(client) -> str:
    """Which Redis process answers: its run id changes with a restart or a failover."""
    return (await client.info("server"))["run_id"]


async def _subscribers(client) -> list[int]:
    """Which of the primary's connections subscribe for this process's layer: one that Redis
    dropped (its output buffer over client-output-buffer-limit, a CLIENT KILL) and the layer
    opened again has another id."""
    clients = await client.client_list(_type="pubsub")
    return sorted(c["id"] for c in clients if c["name"] == LAYER_CLIENT_NAME)


class Relay:
    def __init__(self, listener: Listener, client):
        self._listener = listener
        self._redis = client  # None without Redis
        self._layer = get_channel_layer()
        self._channel: str | None = None
        self._joined: dict[int, asyncio.Future] = {}
        self._reorders: dict[int, SeqReorder] = {}
        self._leaving: set[asyncio.Task] = set()
        self._unheard: str | None = None  # the probe's group, until it is back (_probe)
        self._probed: tuple[str, str] | None = None  # the last probe's (group, channel) (_probe)
        self.ready = asyncio.Event()

    async def join(self, event_id: int) -> None:
        """Join the event's group (once per process); after this, its messages come here.
        Call it once `ready` is set."""
        joined = self._joined.get(event_id)
        if joined is None or (joined.done() and joined.exception() is not None):
            joined = self._joined[event_id] = asyncio.ensure_future(self._group_add(event_id))
        await asyncio.shield(joined)

    def groups(self) -> Iterable[int]:
        """The events whose groups this relay has joined (or is joining)."""
        return self._joined.keys()

    def leave(self, event_id: int) -> None:
        """Leave the event's group: its messages stop coming here, and what was kept to order
        them goes. A join after this one subscribes again: the layer takes the two in the
        order they were asked (its own lock), so the later one wins."""
        if self._joined.pop(event_id, None) is None:
            return
        reorder = self._reorders.pop(event_id, None)
        if reorder is not None:
            reorder.release_all()  # cancels its timer; the event has nobody to hear them
        if self._channel is not None:
            leaving = asyncio.ensure_future(
                self._layer.group_discard(event_group(event_id), self._channel)
            )
            self._leaving.add(leaving)
            leaving.add_done_callback(self._left)

    def _left(self, leaving: asyncio.Task) -> None:
        self._leaving.discard(leaving)
        if not leaving.cancelled() and leaving.exception() is not None:
            # The layer failed meanwhile: run() starts on a new channel without this group.
            logger.info("group discard failed: %s", leaving.exception())

    async def _group_add(self, event_id: int) -> None:
        await self._layer.group_add(event_group(event_id), self._channel)

    async def run(self) -> None:
        backoff = 0.2
        while True:
            raise_if_cancelled()
            started = time.monotonic()
            try:
                self._channel = await self._layer.new_channel(prefix="hub")
                self._joined = {}
                await self._layer.group_add(SIGN_OUTS_GROUP, self._channel)
                for event_id in list(self._listener.watched_events()):
                    self._joined[event_id] = asyncio.ensure_future(self._group_add(event_id))
                    await self._joined[event_id]
                await _first_failure(self._receive_forever(), self._listening())
            except Exception as exc:
                raise_if_cancelled(exc)
                logger.warning("channel layer failed (%s); closing sockets, rejoining", exc)
                self.ready.clear()
                self._listener.layer_failed()
                # Back off while the layer keeps failing; start afresh after a healthy spell.
                backoff = 0.2 if time.monotonic() - started > 10 else min(backoff * 2, 5.0)
                await asyncio.sleep(backoff)

    async def _receive_forever(self) -> None:
        while True:
            raise_if_cancelled()
            message = await self._layer.receive(self._channel)
            self._dispatch(message)

    async def _listening(self) -> None:
        """Let sockets in once Redis is heard; then raise once it stops answering, another
        primary answers (a Sentinel failover, a restart), or another connection subscribes
        there for this process (Redis dropped the last one): the pub/sub layer reconnects
        quietly, and messages published meanwhile are lost, so sockets must not stay open as if
        nothing happened."""
        if self._redis is None:
            self.ready.set()
            await asyncio.Event().wait()
        primary = await _primary(self._redis)
        await self._probe()
        subscribers = await _subscribers(self._redis)
        self.ready.set()
        while True:
            raise_if_cancelled()
            await asyncio.sleep(LIVENESS_INTERVAL)
            if await _primary(self._redis) != primary:
                raise redis.ConnectionError("another primary answers")
            if await _subscribers(self._redis) != subscribers:
                raise redis.ConnectionError("Redis dropped the pub/sub connection")

    async def _probe(self) -> None:
        """Join a new group and send it a probe, again every PROBE_EVERY s, until one has come
        back; then leave the last probe's group. With Redis back after a failover or a restart,
        the pub/sub layer's connection subscribes again only at its next read, up to a second
        later, and hears nothing meanwhile: sockets let in before then would miss pushes with
        nothing later to reveal it. A group new to the layer makes it subscribe at once, and the
        connection reconnects and subscribes its groups again with it.

        The group stays joined until the next probe is back: the connection then subscribes to
        something whatever events it carries, and keeps its id (_subscribers)."""
        group = f"relay.probe.{secrets.token_hex(4)}"
        await self._layer.group_add(group, self._channel)
        self._unheard = group
        deadline = time.monotonic() + PROBE_SECONDS
        while self._unheard:
            raise_if_cancelled()
            if time.monotonic() > deadline:
                raise redis.ConnectionError(f"probe not back within {PROBE_SECONDS} s")
            await group_send(group, {"type": "relay.probe", "group": group})
            await asyncio.sleep(PROBE_EVERY)
        if self._probed is not None:
            await self._layer.group_discard(*self._probed)
        self._probed = (group, self._channel)

    async def refresh_groups_forever(self) -> None:
        while True:
            raise_if_cancelled()
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            if not self.ready.is_set():  # run() is rejoining them itself
                continue
            try:
                await self._layer.group_add(SIGN_OUTS_GROUP, self._channel)
            except Exception as exc:  # run() notices a broken layer and recovers
                raise_if_cancelled(exc)
                logger.info("group refresh of sign-outs failed: %s", exc)
            for event_id in list(self._joined):
                if event_id not in self._joined:  # left while this loop ran
                    continue
                try:
                    await self._group_add(event_id)
                except Exception as exc:  # run() notices a broken layer and recovers
                    raise_if_cancelled(exc)
                    logger.info("group refresh of event %s failed: %s", event_id, exc)

    def _dispatch(self, message: dict) -> None:
        if message.get("type") == "relay.probe":
            if message["group"] == self._unheard:
                self._unheard = None
            return
        if message.get("type") == "family.revoked":
            self._listener.family_revoked(message["family"])
            return
        if message.get("event_id") not in self._joined:
            return  # sent before this process left the event's group
        if message.get("type") == "queue.message":
            self._listener.queue_changed(message["event_id"], message["state"])
            return
        if message.get("type") == "door.message":
            self._listener.door_changed(message["event_id"], message["gates"], message["revoked"])
            return
        if message.get("type") != "seats.message":
            return
        event_id, epoch = message["event_id"], message["epoch"]
        reorder = self._ordered(event_id)
        for seq, ts, changes, owners in message["frames"]:  # one per transaction, in order
            for ordered in reorder.admit((ts, changes, owners), seq, epoch):
                self._listener.committed(event_id, *ordered)

    def _ordered(self, event_id: int) -> SeqReorder:
        reorder = self._reorders.get(event_id)
        if reorder is None:
            reorder = self._reorders[event_id] = SeqReorder(
                lambda: asyncio.get_running_loop().call_later(
                    REORDER_WAIT_SECONDS, self._flush, event_id
                )
            )
        return reorder

    def _flush(self, event_id: int) -> None:
        for frame, seq, epoch in self._ordered(event_id).timer_fired():
            self._listener.committed(event_id, frame, seq, epoch)

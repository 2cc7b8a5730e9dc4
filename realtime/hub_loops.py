"""The hub's own loops (hub.py), one task each while it runs: the presence count every second
(with the live maps' re-read check on the same beat), the sockets whose write has stalled, and
the events gone idle."""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from reservations.metrics import live_events

from .frames import encoded_text
from .idle_events import SWEEP_SECONDS
from .presence import PRESENCE_INTERVAL
from .protocol import CloseCode
from .socket_metrics import PRESENCE

if TYPE_CHECKING:
    from .hub import EventHub

logger = logging.getLogger("realtime.hub")

# How often sockets are checked for a write that has stopped moving.
STALL_CHECK_INTERVAL = 1.0


async def presence_forever(hub: "EventHub") -> None:
    while True:
        await asyncio.sleep(PRESENCE_INTERVAL)
        _refresh_maps(hub)  # (a loop variable here would keep the last map after it went)
        for event_id in list(hub.watchers):
            try:
                await presence_tick(hub, event_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.info("presence of event %s not updated: %s", event_id, exc)


def _refresh_maps(hub: "EventHub") -> None:
    for live in hub.maps.values():
        live.refresh()


async def presence_tick(hub: "EventHub", event_id: int) -> None:
    local = len(hub.watchers.get(event_id, ()))
    own = hub.own.get(event_id)
    if own is not None:
        local = own.people(local)
    text = await hub.presence.message(event_id, local)
    if not local and not hub.watchers.get(event_id):  # none joined while Redis answered
        hub.watchers.pop(event_id, None)
        hub.presence_frames.pop(event_id, None)
    elif text is not None:
        frame = hub.presence_frames[event_id] = encoded_text(text)
        sockets = list(hub.watchers.get(event_id, ()))
        PRESENCE.sent(len(sockets))
        for watcher in sockets:
            watcher.deliver_presence(frame)


async def close_stalled_forever(hub: "EventHub") -> None:
    while True:
        await asyncio.sleep(STALL_CHECK_INTERVAL)
        now = time.monotonic()
        for group in [*hub.watchers.values(), *hub.waiting.values()]:
            for watcher in [w for w in group if w.stalled(now)]:
                logger.info("closing a stalled socket of event %s", watcher.event_id)
                hub.drop(watcher, CloseCode.TOO_SLOW)


async def forget_idle_forever(hub: "EventHub") -> None:
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        hub.forget_idle(time.monotonic())
        live_events.set(len(hub.kept_events()))

"""Telling an account's sockets its own seats (PROTOCOL.md "Your own seats"): the `own` frame,
made from the event's live map as soon as the map can be trusted, sent to the account's sockets
on this process. The hub tells an account when a socket says whose it is and when a committed
change concerns it; which accounts those are, OwnSeats (own_seats.py) keeps."""

import logging
import time
from typing import TYPE_CHECKING

from .frames import encoded
from .protocol import own_frame
from .socket_metrics import OWN

if TYPE_CHECKING:
    from .hub import EventHub, Watcher
    from .live_map import LiveMap

logger = logging.getLogger("realtime.hub")


def tell_own(
    hub: "EventHub", event_id: int, accounts: set[int], only: "Watcher | None" = None
) -> None:
    """Send each account's `own` frame to its sockets here (or to `only`), from the live map
    as soon as it can be trusted."""
    live = hub.maps.get(event_id)
    if live is not None and live.trusted and not live.reading:
        _tell_now(hub, event_id, live, accounts, only)
    else:
        hub.in_background(_tell_when_read(hub, event_id, accounts, only))


async def _tell_when_read(hub: "EventHub", event_id: int, accounts: set[int], only) -> None:
    try:
        live = await hub.live_map(event_id).current()
    except Exception as exc:  # the database went away: the socket's own reload says
        logger.info("own seats of event %s not told: %s", event_id, exc)
        return
    _tell_now(hub, event_id, live, accounts, only)


def _tell_now(hub: "EventHub", event_id: int, live: "LiveMap", accounts: set[int], only) -> None:
    own = hub.own.get(event_id)
    if own is None:
        return
    now = time.time()
    for account in accounts:
        sockets = own.sockets.get(account, ())
        if only is not None:
            sockets = (only,) if only in sockets else ()
        if not sockets:
            continue
        seats = live.own_seats(account, now)
        frame = own_frame(event_id=event_id, epoch=live.epoch, seq=live.seq, **seats)
        own.told(account, [seat["id"] for seat in seats["seats"]] + seats["booked"])
        text = encoded(frame)
        OWN.sent(len(sockets))
        for watcher in list(sockets):
            watcher.deliver_own(text)

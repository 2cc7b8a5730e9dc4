"""Which sockets of one event said whose they are (PROTOCOL.md "Your own seats"), and which
seats each account was last told are its own, so a committed change reaches the accounts it
concerns: the one that now holds or booked a seat, and the one that had it until then (the
stream does not say who had it: a release names nobody).

The hub (hub.py) says when to tell an account (when a socket says whose it is, and when a change
concerns it) and hands over the event's live map once it can be trusted; the `own` frame is
made from that map and sent to the account's sockets here (`tell`).
"""

import time
from collections.abc import Iterable
from typing import Generic, TypeVar

from .frames import encoded
from .live_map import LiveMap
from .protocol import own_frame
from .socket_metrics import OWN

Socket = TypeVar("Socket")


class OwnSeats(Generic[Socket]):
    def __init__(self):
        self.sockets: dict[int, set[Socket]] = {}  # account → its sockets of this event here
        self._told: dict[int, frozenset[int]] = {}  # account → the seats it was last told
        self._teller: dict[int, int] = {}  # seat → the account last told it is theirs

    def add(self, account: int, socket: Socket) -> None:
        self.sockets.setdefault(account, set()).add(socket)

    def remove(self, account: int, socket: Socket) -> None:
        sockets = self.sockets.get(account)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self.sockets[account]
            self.told(account, ())

    def concerned(self, seat_ids: Iterable[int], owners: Iterable[int | None]) -> set[int]:
        """The accounts with sockets here that a change of these seats concerns."""
        accounts = {owner for owner in owners if owner in self.sockets}
        accounts.update(self._teller[seat] for seat in seat_ids if seat in self._teller)
        return accounts

    def tell(self, live: LiveMap, accounts: Iterable[int], only: Socket | None = None) -> None:
        """Send each account's `own` frame, its seats as the map shows them now, to its sockets
        here (or only to `only`, if it is one of them)."""
        now = time.time()
        for account in accounts:
            sockets = self.sockets.get(account, ())
            if only is not None:
                sockets = (only,) if only in sockets else ()
            if not sockets:
                continue
            seats = live.own_seats(account, now)
            frame = own_frame(event_id=live.event_id, epoch=live.epoch, seq=live.seq, **seats)
            self.told(account, [seat["id"] for seat in seats["seats"]] + seats["booked"])
            text = encoded(frame)
            OWN.sent(len(sockets))
            for socket in list(sockets):
                socket.deliver_own(text)

    def told(self, account: int, seat_ids: Iterable[int]) -> None:
        """The account was just told these seats are its own (and no others)."""
        for seat in self._told.pop(account, ()):
            if self._teller.get(seat) == account:
                del self._teller[seat]
        seats = frozenset(seat_ids)
        if seats and account in self.sockets:
            self._told[account] = seats
            for seat in seats:
                self._teller[seat] = account

    def people(self, sockets: int) -> int:
        """The people among this event's `sockets` here: an account's tabs count once."""
        return sockets - sum(len(group) - 1 for group in self.sockets.values())

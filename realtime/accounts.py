"""The account socket of PROTOCOL.md "Your bookings": `ws/me/` tells a buyer's open pages that
their bookings changed (booked, cancelled, reseated or refunded by staff), so My reservations
reads them again at once, as the map follows the seats.

It is one socket per open My reservations page, not thousands per event: it takes a channel of
its own on the layer and joins its account's group once its `auth` token is good (and the
sign-outs group, to hear of its login's revocation), as Channels' own consumers do; the hub of
the events' sockets (hub.py) is not needed here. Its client frames follow the event socket's
rules (watcher_session.py): `ping`, `auth`, the flood and size limits.
"""

import asyncio
import logging
import time

import orjson

from reservations.access_tokens import TokenIdentity, access_token_account
from reservations.redis_primary import SIGN_OUTS_GROUP

from .broadcast import account_group
from .consumers import ClosingConsumer
from .protocol import BOOKINGS, INVALID, MAX_CLIENT_FRAME_BYTES, NOT_AUTHENTICATED, PONG, CloseCode
from .watcher_session import Answer, WatcherSession

logger = logging.getLogger("realtime.accounts")

CLOSES = {Answer.CLOSE_TOO_MANY: CloseCode.TOO_MANY, Answer.CLOSE_TOO_BIG: CloseCode.TOO_BIG}


class AccountConsumer(ClosingConsumer):
    account: int | None = None
    family: str | None = None  # the login its token is of

    async def connect(self):
        self.session = WatcherSession(time.monotonic(), MAX_CLIENT_FRAME_BYTES)
        self.groups = []  # Channels leaves them when the socket closes
        self._identity_ends: asyncio.TimerHandle | None = None
        await self.accept()

    async def disconnect(self, code):
        if self._identity_ends is not None:
            self._identity_ends.cancel()

    async def receive(self, text_data=None, bytes_data=None):
        frame = text_data if text_data is not None else bytes_data
        answer = self.session.frame_in(frame, time.monotonic())
        if answer in CLOSES:
            await self.close(code=CLOSES[answer])
        elif answer is Answer.PONG:
            await self._say(PONG)
        elif answer is Answer.AUTH:
            token = self.session.offered_token
            named = access_token_account(token) if token is not None else None
            if token is not None and named is None:
                await self._say(NOT_AUTHENTICATED)
            await self._identify(named)
        else:
            await self._say(INVALID)

    async def _identify(self, named: TokenIdentity | None) -> None:
        """The socket is `named`'s account's (None: nobody's) until its token expires."""
        if self._identity_ends is not None:
            self._identity_ends.cancel()
            self._identity_ends = None
        wanted = [account_group(named.account), SIGN_OUTS_GROUP] if named else []
        self.account, self.family = (named.account, named.family) if named else (None, None)
        try:
            for group in set(self.groups) - set(wanted):
                await self.channel_layer.group_discard(group, self.channel_name)
            for group in set(wanted) - set(self.groups):
                await self.channel_layer.group_add(group, self.channel_name)
        except Exception as exc:  # Redis away: the client reconnects and reads its bookings
            logger.warning("account socket not joined: %s", exc)
            await self.close(code=CloseCode.LAYER_DOWN)
            return
        self.groups = wanted
        if named is not None:
            delay = max(0.0, named.expires_at - time.time())
            self._identity_ends = asyncio.get_running_loop().call_later(delay, self._ended)

    def _ended(self) -> None:
        """Its token expired or its login was revoked: anonymous, and told, as on the event
        socket; the client sends a fresh token. (The timer is left for _identify to cancel: after
        a revocation it is still set, and would end the next login's identity.)"""
        asyncio.ensure_future(self._anonymous())

    async def _anonymous(self) -> None:
        await self._identify(None)
        await self._say(NOT_AUTHENTICATED)

    async def _say(self, frame: dict) -> None:
        await self.send(orjson.dumps(frame).decode())

    # --- the layer's messages ----------------------------------------------------------------

    async def bookings_changed(self, message):
        await self._say(BOOKINGS)

    async def family_revoked(self, message):
        if self.family is not None and message["family"] == self.family:
            self._ended()

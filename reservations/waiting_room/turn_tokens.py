"""The turn token (API.md "Waiting room"): a signed claim that an account's turn at an event
runs until a time, under the room's revocation generation. Checked with no network call: its
signature, its expiry, and the generation each process keeps in memory (rooms_in_memory.py).
"""

import time
from datetime import datetime

import jwt
from cachetools import TTLCache
from django.conf import settings
from django.utils.crypto import salted_hmac

from reservations.exceptions import QueueTurnExpired, QueueTurnRequired

from .rooms_in_memory import RoomInMemory, rooms

QUEUE_TURN_HEADER = "Queue-Turn"  # where a booking call carries it (API.md)
TOKEN_TYPE = "queue_turn"
ALGORITHM = "HS256"
# Tokens whose signature was checked already: the fast path's clicks carry the same one.
_checked: TTLCache = TTLCache(maxsize=100_000, ttl=60)


def _key() -> bytes:
    # Its own key, derived from SECRET_KEY: an access token never passes as a turn token.
    return salted_hmac(
        "seatmap.queue-turn", "key", secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()


def turn_token(*, user_id: int, event_id: int, generation: int, expires_at: datetime) -> str:
    claims = {
        "typ": TOKEN_TYPE,
        "sub": str(user_id),
        "evt": event_id,
        "gen": generation,
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, _key(), algorithm=ALGORITHM)


def _claims(token: str) -> dict | None:
    """The token's claims if its signature is ours (expiry is checked by the caller)."""
    claims = _checked.get(token)
    if claims is None:
        try:
            claims = jwt.decode(
                token, _key(), algorithms=[ALGORITHM], options={"verify_exp": False}
            )
        except jwt.InvalidTokenError:
            return None
        if claims.get("typ") != TOKEN_TYPE:
            return None
        _checked[token] = claims
    return claims


def room_refusal(
    room: RoomInMemory | None, token: str | None, *, user_id: int, event_id: int
) -> QueueTurnRequired | QueueTurnExpired | None:
    """Why a hold must be refused now on the event of `room`, its waiting room; None: the turn
    runs, or there is no room."""
    if room is None:
        return None
    claims = _claims(token) if token else None
    if (
        claims is None
        or claims.get("sub") != str(user_id)
        or claims.get("evt") != event_id
        or claims.get("gen") != room.generation
    ):
        return QueueTurnRequired()
    if claims.get("exp", 0) <= time.time():
        return QueueTurnExpired()
    return None


def turn_required(*, event_id: int, user_id: int, token: str | None) -> None:
    """Raise unless the caller may take seats of the event now (request threads)."""
    refusal = room_refusal(rooms.room_of(event_id), token, user_id=user_id, event_id=event_id)
    if refusal is not None:
        raise refusal


async def turn_required_async(*, event_id: int, user_id: int, token: str | None) -> None:
    """The same on the loop: from memory, no network call (rooms_in_memory.py)."""
    room = await rooms.room_of_async(event_id)
    refusal = room_refusal(room, token, user_id=user_id, event_id=event_id)
    if refusal is not None:
        raise refusal


def turn_owner(token: str) -> int | None:
    """The account a turn token of ours names (its other claims are room_refusal's)."""
    claims = _claims(token)
    try:
        return int(claims["sub"]) if claims else None
    except (KeyError, ValueError):
        return None

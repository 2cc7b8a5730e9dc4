"""Proof of work before a door (API.md "Challenges"): a script that tries a door thousands of
times must pay CPU for each try, a person pays about a second once.

ALTCHA's challenges (the `altcha` library; the client solves them with its `altcha/lib`): the
server picks a counter below CHALLENGE_WORK and gives the leading half of its SHA-256 key; the
client tries counters from 0 until its key starts so, and sends the solution back with the
request it was asked for. The challenge is signed (nothing kept per challenge), expires after
CHALLENGE_SECONDS, and a solution is taken once (its nonce is remembered until then).
Asked of a login or a registration from an address past LOGIN_CHALLENGE_AFTER failures
(login_limits.py), and of joining a waiting room whose organiser switched it on
(waiting_room/places.py). Each such door answers 403 `challenge_required` with a `challenge`
(exceptions.ChallengeRequired).

A challenge names its door: it is signed with a key of that door's own (LOGIN, REGISTRATION,
queue_door(event_id)), so work done for one door, solved at leisure, opens no other.
"""

import secrets
import time
from contextlib import suppress

import altcha
import redis
from django.conf import settings
from django.core.cache import cache

ALGORITHM = "SHA-256"
CHALLENGE_SECONDS = 300


LOGIN = "login"
REGISTRATION = "registration"


def queue_door(event_id: int) -> str:
    return f"queue:{event_id}"


def _secret(door: str) -> str:
    return f"challenge:{door}:{settings.SECRET_KEY}"


def challenge_new(door: str) -> dict:
    """A fresh challenge as the client takes it (`altcha/lib`'s Challenge)."""
    work = settings.CHALLENGE_WORK
    counter = work // 10 + secrets.randbelow(max(1, work - work // 10))
    challenge = altcha.create_challenge(
        ALGORITHM,
        1,
        counter=counter,
        hmac_secret=_secret(door),
        expires_at=int(time.time()) + CHALLENGE_SECONDS,
    )
    return challenge.to_dict()


def challenge_passed(payload: object, door: str) -> bool:
    """Whether `payload` solves a challenge of ours for this door that has not been used
    before."""
    if not isinstance(payload, str) or len(payload) > 4096:
        return False
    result = altcha.verify_solution(payload, _secret(door))
    if not result.verified:
        return False
    nonce = altcha.Payload.from_base64(payload).challenge.parameters.nonce
    with suppress(redis.RedisError, OSError):
        return cache.add(f"challenge-used:{nonce}", 1, timeout=CHALLENGE_SECONDS)
    return True  # Redis away: a solution may be used twice until it expires

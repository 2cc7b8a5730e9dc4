"""The fast path of an on-sale: every booking call with a bearer token, on the loop.

At an on-sale nearly every request is one of six: `POST .../seats/{id}/lock/` or `.../unlock/`,
`POST /api/events/{id}/lock/` (several seats), `.../best/`, `.../reserve/` and
`POST /api/reservations/{id}/cancel/`. Through Django's request cycle (middleware, DRF, the ORM,
a worker thread) one costs ~2.6 ms of CPU or more; here the same booking steps
(`services.hold_one_steps`, `release_one_steps`, `hold_all_steps`, `reserve_steps`,
`cancel_steps`, and `best.best_batch_steps` for best available's asks, in batches:
best_batches.py) run on an async psycopg connection on the server's event loop, driven by
`services.runner.run_async`. Nothing about the answer changes: the same token check
(simplejwt's validation, done once per token until it expires, with the account checked under
the user row lock the steps take), the same body checks (`inputs.py`), the same limits
(`booking_limits`), the same JSON bodies and errors (`presenters`, `errors.exception_response`),
the same headers (`Idempotent-Replayed` on a replayed reserve), the same announcement after
commit (`signals.seats_changed_committed`).

config/asgi.py mounts it in front of Django's HTTP app.

Browsers send an `Origin` header with every POST; the shipped client's calls (a bearer token,
reservations/api/browser_tokens.py) are answered here too, with the CORS headers that
django-cors-headers itself computes for that origin (its preflight stays Django's). Every answer
of the fast path says so in `X-Seatmap-Path: fast`.

A lock of one seat is refused from the process's memory when it shows the seat someone else's
(live_seats.py), and clicks on one seat take turns (seat_turns.py), so that a crowd on one seat
costs one transaction.

Anything else goes to Django untouched: other routes and methods, requests without a bearer
token (sessions and CSRF are Django's), a host not in ALLOWED_HOSTS, plain HTTP where HTTPS is
required.
"""

import asyncio
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson
from django.conf import settings
from rest_framework import exceptions as drf_exceptions
from rest_framework.utils import json as drf_json

from reservations import services
from reservations.live_seats import refusal
from reservations.services.best import Answer as BestAnswer
from reservations.services.best import (
    Ask,
    best_batch_steps,
    room_is_kept,
    room_is_ready,
    room_steps,
)
from reservations.services.runner import run_async
from reservations.signals import seats_changed_committed

from .best_batches import BestBatches
from .booking_limits import booking_allowed_async
from .client_address import scope_client_address
from .errors import too_large_response
from .inputs import SeatActionInput, best_request_of, idempotency_key_of, seat_ids_of
from .loop_database import loop_database_enabled, loop_pool
from .loop_requests import (
    PATH_HEADER,
    api_headers,
    api_request_of,
    as_asgi,
    cors_headers_for,
    drf_rendered,
    error_answer,
    proxy_header_of_settings,
    user_id_of_token,
)
from .presenters import best_json, cancel_json, reserve_json, seat_action_json, seats_lock_json
from .seat_turns import SeatTurns

logger = logging.getLogger("reservations.api")

# Ids of at most 18 digits fit PostgreSQL's bigint; longer ones go to Django (a JSON 404).
_ID = "([0-9]{1,18})"
_SEAT_ROUTE = re.compile(rf"/api/events/{_ID}/seats/{_ID}/(lock|unlock)/")
_EVENT_ROUTE = re.compile(rf"/api/events/{_ID}/(lock|reserve|best)/")
_CANCEL_ROUTE = re.compile(rf"/api/reservations/{_ID}/cancel/")
_SEAT_STEPS = {"lock": services.hold_one_steps, "unlock": services.release_one_steps}
_EVENT_ACTIONS = {"lock": "lock_several", "reserve": "reserve", "best": "best"}


class Call(NamedTuple):
    """A request the fast path answers: what, on which ids, and who asks how."""

    action: str  # lock, unlock (one seat), lock_several, reserve, best, cancel
    ids: tuple[int, ...]  # (event, seat), (event,) or (reservation,)
    token: str
    secure: bool
    origin: str | None


def _route(path: str) -> tuple[str, tuple[int, ...]] | None:
    if route := _SEAT_ROUTE.fullmatch(path):
        return route[3], (int(route[1]), int(route[2]))
    if route := _EVENT_ROUTE.fullmatch(path):
        return _EVENT_ACTIONS[route[2]], (int(route[1]),)
    if route := _CANCEL_ROUTE.fullmatch(path):
        return "cancel", (int(route[1]),)
    return None


class Answer(NamedTuple):
    status: int
    body: dict
    headers: list[tuple[bytes, bytes]]
    event_id: int  # whose watchers hear of the change


def _prepared(call: Call, user_id: int, data, headers: dict[bytes, str]):
    """(steps, answer): the call's booking steps (for best available, its ask), its body and
    headers checked as Django's view checks them (raising the same errors), and how its view
    answers the outcome."""
    if call.action in _SEAT_STEPS:
        _no_fields(data)
        event_id, seat_id = call.ids
        steps = _SEAT_STEPS[call.action](user_id=user_id, event_id=event_id, seat_id=seat_id)
        return steps, lambda outcome: Answer(
            200, seat_action_json(call.action, outcome.seats[0], user_id=user_id), [], event_id
        )
    if call.action == "lock_several":
        (event_id,) = call.ids
        steps = services.hold_all_steps(
            user_id=user_id, event_id=event_id, seat_ids=seat_ids_of(data)
        )
        return steps, lambda outcome: Answer(
            200, seats_lock_json(outcome.seats, user_id=user_id), [], event_id
        )
    if call.action == "best":  # not steps of its own: an ask of a batch (best_batches.py)
        (event_id,) = call.ids
        ask = Ask(user_id=user_id, wish=best_request_of(data))
        return ask, lambda outcome: Answer(200, best_json(outcome, user_id=user_id), [], event_id)
    if call.action == "reserve":
        steps = services.reserve_steps(
            user_id=user_id,
            event_id=call.ids[0],
            seat_ids=seat_ids_of(data),
            idempotency_key=idempotency_key_of(headers.get(b"idempotency-key", "")),
        )
        return steps, _reserve_answer
    _no_fields(data)
    steps = services.cancel_steps(user_id=user_id, reservation_id=call.ids[0])
    return steps, lambda outcome: Answer(
        200, cancel_json(outcome.booking), [], outcome.booking.event_id
    )


def _reserve_answer(outcome: services.BookingOutcome) -> Answer:
    replayed = [(b"idempotent-replayed", b"true")] if outcome.replayed else []
    return Answer(201, reserve_json(outcome.booking), replayed, outcome.booking.event_id)


def _no_fields(data) -> None:
    """Lock, unlock and cancel take no fields, but their body must be one Django's path takes."""
    if data != {}:
        SeatActionInput(data=data).is_valid(raise_exception=True)


class FastSeatActions:
    """ASGI middleware in front of Django's HTTP app; see the module docstring."""

    def __init__(self, django_app):
        self.django_app = django_app
        self.enabled = loop_database_enabled()
        self._proxy_header = proxy_header_of_settings()
        self._state: tuple[asyncio.AbstractEventLoop, _OnLoop] | None = None

    async def __call__(self, scope, receive, send):
        call = self._claim(scope) if self.enabled else None
        if call is None:
            return await self.django_app(scope, receive, send)
        status, body, extra = await self._answer(receive, scope, call)
        headers = api_headers(call.secure) + extra
        headers.append((b"content-length", str(len(body)).encode()))
        if call.origin is not None:
            headers.extend(cors_headers_for(call.origin))
        headers.append(PATH_HEADER)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _claim(self, scope) -> Call | None:
        """The call, if this request is ours; else None."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        route = _route(scope["path"])
        if route is None:
            return None
        request = api_request_of(scope, self._proxy_header)
        if request is None or request.token is None:
            return None
        action, ids = route
        return Call(action, ids, request.token, request.secure, request.origin)

    async def _answer(self, receive, scope, call: Call):
        body = await _read_body(receive, scope)
        if body is None:
            return as_asgi(too_large_response())
        try:
            user_id = user_id_of_token(call.token)
            verdict = await booking_allowed_async(user_id, scope_client_address(scope))
            if not verdict.allowed:
                raise drf_exceptions.Throttled(wait=verdict.wait)
            headers = _headers(scope)
            work, answer = _prepared(call, user_id, _body_data(body, headers), headers)
            if isinstance(work, Ask):
                await self._room_ready(call.ids[0])
                outcome = await self._on_loop().batches.hold(call.ids[0], work)
                answered = _announced(answer(outcome), outcome)
            elif call.action == "lock":  # the hot seat: seat_turns.py, live_seats.py
                event_id, seat_id = call.ids
                async with self._on_loop().seat_turns.turn(call.ids):
                    if refused := refusal(user_id=user_id, event_id=event_id, seat_id=seat_id):
                        raise refused  # from memory, no connection taken
                    outcome = await self._run(work)
                    # In the memory before the turn ends, for the clicks waiting for it.
                    answered = _announced(answer(outcome), outcome)
            else:
                outcome = await self._run(work)
                answered = _announced(answer(outcome), outcome)
        except Exception as exc:  # every error in the API's one shape (errors.py)
            return error_answer(exc)
        return answered.status, drf_rendered(answered.body), answered.headers

    async def _run(self, steps):
        """Drive the booking steps on a pooled async connection, in one transaction."""
        pool = await loop_pool()
        async with pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            return await run_async(steps, cursor)

    async def _hold_batch(self, event_id: int, asks: Sequence[Ask]) -> list[BestAnswer]:
        return await self._run(best_batch_steps(event_id=event_id, asks=asks))

    def _on_loop(self) -> "_OnLoop":
        """The fast path's state on the running loop (the server has one; tests make many)."""
        loop = asyncio.get_running_loop()
        if self._state is None or self._state[0] is not loop:
            self._state = (loop, _OnLoop(BestBatches(self._hold_batch)))
        return self._state[1]

    async def _room_ready(self, event_id: int) -> None:
        """Best available's room of the event on the shelf (services/best.py). A missing one
        is built by one request at a time, so a rush of buyers at a cold process builds it
        once; a stale one goes on serving while a task of its own reads it again, so a long
        on-sale does not stop for it every ROOM_SECONDS."""
        if room_is_ready(event_id):
            return
        if not room_is_kept(event_id):
            return await self._build_room(event_id)
        refreshing = self._on_loop().refreshing
        if event_id not in refreshing:
            task = asyncio.get_running_loop().create_task(self._build_room(event_id))
            refreshing[event_id] = task
            task.add_done_callback(functools.partial(_room_read_again, refreshing, event_id))

    async def _build_room(self, event_id: int) -> None:
        async with self._on_loop().building:
            if not room_is_ready(event_id):
                pool = await loop_pool()
                async with pool.connection() as conn, conn.cursor() as cursor:
                    await run_async(room_steps(event_id=event_id), cursor)


@dataclass
class _OnLoop:
    """The fast path's state bound to one event loop: best available's batches of asks, the
    lock under which a missing room is built and the stale rooms being read again; the turns
    of clicks on one seat."""

    batches: BestBatches
    building: asyncio.Lock = field(default_factory=asyncio.Lock)
    refreshing: dict[int, asyncio.Task] = field(default_factory=dict)
    seat_turns: SeatTurns = field(default_factory=SeatTurns)


def _announced(answered: Answer, outcome) -> Answer:
    """`answered`, once its changes are announced to the watchers (signals.py)."""
    seats_changed_committed(event_id=answered.event_id, seats=outcome.changed)
    return answered


def _room_read_again(refreshing: dict, event_id: int, task: asyncio.Task) -> None:
    del refreshing[event_id]
    if not task.cancelled() and task.exception() is not None:  # the stale room goes on
        logger.warning(
            "best available: event %s's room not read again: %s", event_id, task.exception()
        )


async def _read_body(receive, scope) -> bytes | None:
    """The request's body, or None when it is over API_MAX_BODY_BYTES."""
    limit = settings.API_MAX_BODY_BYTES
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _headers(scope) -> dict[bytes, str]:
    """The request's headers as Django's WSGI side reads them: names with `_` as `-`, repeats
    joined by commas (a2wsgi), values as Latin-1."""
    headers: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        name = name.replace(b"_", b"-")
        text = value.decode("latin-1")
        headers[name] = f"{headers[name]},{text}" if name in headers else text
    return headers


def _body_data(body: bytes, headers: dict[bytes, str]):
    """The body as DRF's `request.data` has it: nothing without a body or a content type, JSON
    only (DRF's parser; anything else is refused with the same errors)."""
    content_type = headers.get(b"content-type")
    if not body or content_type is None:  # DRF reads no body without a content type
        return {}
    if content_type.partition(";")[0].strip().lower() != "application/json":
        raise drf_exceptions.UnsupportedMediaType(content_type)
    if not _LONG_NUMBER.search(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    # What orjson refuses and DRF's parser takes, and integers past 64 bits, which orjson
    # would read as floats (an id DRF takes, then not found, would be refused as not an id).
    try:
        return drf_json.loads(body.decode("utf-8"), parse_constant=drf_json.strict_constant)
    except ValueError as exc:
        raise drf_exceptions.ParseError() from exc


# Twenty digits in a row: maybe an integer past 64 bits.
_LONG_NUMBER = re.compile(rb"[0-9]{20}")

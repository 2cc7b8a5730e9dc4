"""The fast path of an on-sale: every booking call with a bearer token, on the loop.

At an on-sale nearly every request is one of six: `POST .../seats/{id}/lock/` or `.../unlock/`,
`POST /api/events/{id}/lock/` (several seats), `.../best/`, `.../reserve/` and `POST
/api/reservations/{id}/cancel/`; at a venue's opening, a door's scan. Through Django's request
cycle (middleware, DRF, the ORM, a worker thread) one costs ~2.6 ms of CPU or more; here the
same steps run on an async psycopg connection on the server's event loop, driven by
`booking.runner.run_async` (best available's asks in batches: best_batches.py). Both paths are
built from one row per call (operations.py): its route, body checks, steps, answer, status and
headers, and both run its one guard sequence (`operations.guarded`: the turn, the seat's turn,
the memory's refusal, the steps, the announcement), each step done the loop's way here
(`_LoopEdge`). What else could differ is shared too: the token check (simplejwt's validation,
done once per token until it expires, with the account checked under the user row lock the steps
take), the limits (`booking_limits`), the errors (`errors.exception_response`), the body's
reading (`request_bodies.body_within`), the headers of Django's security and CORS middleware
(loop_requests.py), the announcement after commit (`signals.seats_changed_committed`).

Its routes are rows of the one loop app (loop_app.py), which says what Django answers instead
(anything without a bearer token: sessions and CSRF are Django's).

Browsers send an `Origin` header with every POST; the shipped client's calls (a bearer token,
reservations/api/browser_tokens.py) are answered here too, with the CORS headers that
django-cors-headers itself computes for that origin (its preflight stays Django's). Every answer
of the fast path says so in `X-Seatmap-Path: fast`.

A lock of one seat is refused from the process's memory when it shows the seat someone else's
(live_seats.py), and clicks on one seat take turns (seat_turns.py), so that a crowd on one seat
costs one transaction.
"""

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import orjson
import psycopg
from django.conf import settings
from rest_framework import exceptions as drf_exceptions
from rest_framework.utils import json as drf_json

from reservations.booking.best import Answer as BestAnswer
from reservations.booking.best import Ask, best_batch_steps
from reservations.booking.rooms import room_is_kept, room_is_ready, room_steps
from reservations.booking.runner import door_news, run_async
from reservations.booking.sql import Steps, T
from reservations.client_address import holds_key, scope_client_address
from reservations.exceptions import BookingError
from reservations.ledger.context import seat_changes
from reservations.ledger.models import Via
from reservations.metrics import booking_answered
from reservations.signals import (
    bookings_changed_committed,
    door_changed_committed,
    seats_changed_committed,
)
from reservations.waiting_room.path_health import connection_waited, hold_answered
from reservations.waiting_room.turn_tokens import turn_required_async

from .best_batches import BestBatches
from .booking_limits import booking_allowed_async
from .errors import too_large_response
from .loop_app import Answer, LoopCall, Route, route
from .loop_database import loop_database_enabled, loop_pool, loop_sessions_said
from .loop_requests import as_asgi, drf_rendered, error_answer, user_id_of_token
from .operations import OPERATIONS, Call, Operation, announced_event, guarded
from .request_bodies import body_within
from .seat_turns import SeatTurns

logger = logging.getLogger("reservations.api")


class FastPath:
    """The booking calls answered on the loop, with their state on the running loop."""

    def __init__(self):
        self._state: tuple[asyncio.AbstractEventLoop, _OnLoop] | None = None

    def routes(self) -> list[Route]:
        return [
            route(
                ("POST",),
                operation.route,
                functools.partial(self.answer, operation),
                allow=b"POST, OPTIONS",
                bearer_only=True,
                available=loop_database_enabled,
            )
            for operation in OPERATIONS
            if operation.on_loop
        ]

    async def answer(self, operation: Operation, call: LoopCall) -> Answer:
        started = time.perf_counter()
        status, body, extra = await self._answer(operation, call)
        seconds = time.perf_counter() - started
        if operation.takes_seats:
            hold_answered(seconds, status, call.ids["event_id"])
        booking_answered(
            operation=operation.label, path="fast", status=status, body=body, seconds=seconds
        )
        return Answer(status, body, extra)

    async def _answer(self, operation: Operation, loop_call: LoopCall):
        scope, ids = loop_call.scope, loop_call.ids
        body = await body_within(scope, loop_call.receive, settings.API_MAX_BODY_BYTES)
        if body is None:
            return as_asgi(too_large_response())
        try:
            user_id = user_id_of_token(loop_call.request.token)
            address = scope_client_address(scope)
            if operation.throttled:
                verdict = await booking_allowed_async(user_id, address)
                if not verdict.allowed:
                    raise drf_exceptions.Throttled(wait=verdict.wait)
            headers = _headers(scope)
            call = Call(
                user_id=user_id,
                ids=ids,
                data=_body_data(body, headers),
                header=lambda name: headers.get(name.lower().encode(), ""),
                account_checked=False,
                address=holds_key(address),
            )
            outcome = await guarded(operation, call, _LoopEdge(self, call))
            answer = operation.present(outcome, user_id)
        except Exception as exc:  # every error in the API's one shape (errors.py)
            return error_answer(exc)
        extra = [
            (name.lower().encode(), value.encode())
            for name, value in operation.headers(outcome).items()
        ]
        return operation.status, drf_rendered(answer), extra

    async def _run(self, steps: Steps[T], changes: AbstractContextManager) -> T:
        """Drive the booking steps on a pooled async connection, in one transaction that
        begins with their first statements (runner.run_async)."""
        pool = await loop_pool()
        asked = time.perf_counter()
        async with pool.connection() as conn:
            connection_waited(time.perf_counter() - asked)
            with changes:  # the ledger's: a buyer's own call, or staff's (operations.py)
                try:
                    outcome = await run_async(
                        steps, conn, begin=True, settings_sent=loop_sessions_said()
                    )
                except BaseException:
                    with contextlib.suppress(psycopg.Error):  # a broken one the pool drops
                        await conn.rollback()
                    raise
                await conn.commit()
                return outcome

    async def _hold_batch(self, event_id: int, asks: Sequence[Ask]) -> list[BestAnswer]:
        steps = best_batch_steps(event_id=event_id, asks=asks)
        answers = await self._run(steps, seat_changes(Via.ONLINE))
        # Told here, once committed: a buyer who went away meanwhile is answered by no one.
        held = [a for a in answers if not isinstance(a, BookingError)]
        seats_changed_committed(event_id=event_id, seats=[s for a in held for s in a.changed])
        return answers

    def _on_loop(self) -> "_OnLoop":
        """The fast path's state on the running loop (the server has one; tests make many)."""
        loop = asyncio.get_running_loop()
        if self._state is None or self._state[0] is not loop:
            self._state = (loop, _OnLoop(BestBatches(self._hold_batch)))
        return self._state[1]

    async def _room_ready(self, event_id: int) -> None:
        """Best available's room of the event on the shelf (booking/best.py). A missing one
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
                async with pool.connection() as conn:
                    await run_async(room_steps(event_id=event_id), conn)


@dataclass(frozen=True)
class _LoopEdge:
    """The guard sequence's steps (operations.guarded) on the loop, for one call."""

    fast: FastPath
    call: Call

    async def turn_required(self, *, event_id: int, user_id: int, token: str | None) -> None:
        await turn_required_async(event_id=event_id, user_id=user_id, token=token)

    async def best(self, event_id: int, ask: Ask):
        await self.fast._room_ready(event_id)
        return await self.fast._on_loop().batches.hold(event_id, ask)  # told by _hold_batch

    def seat_turn(self, seat: tuple[int, ...]):
        return self.fast._on_loop().seat_turns.turn(seat)

    async def run(self, work, changes: AbstractContextManager):
        outcome = await self.fast._run(work, changes)
        # In the memory before a seat's turn ends, for the clicks waiting for it.
        _announce(self.call, outcome)
        return outcome


@dataclass
class _OnLoop:
    """The fast path's state bound to one event loop: best available's batches of asks, the
    lock under which a missing room is built and the stale rooms being read again; the turns
    of clicks on one seat."""

    batches: BestBatches
    building: asyncio.Lock = field(default_factory=asyncio.Lock)
    refreshing: dict[int, asyncio.Task] = field(default_factory=dict)
    seat_turns: SeatTurns = field(default_factory=SeatTurns)


def _announce(call: Call, outcome) -> None:
    """Tell the watchers of the outcome's changes (signals.py), once committed."""
    seats_changed_committed(event_id=announced_event(call, outcome), seats=outcome.changed)
    # A reserve's or cancel's buyer (bookings.ReservationChange); a hold's outcome names none.
    bookings_changed_committed(accounts=[getattr(outcome, "buyer", None)])
    if news := door_news(outcome):
        door_changed_committed(event_id=outcome.event_id, **news)


def _room_read_again(refreshing: dict, event_id: int, task: asyncio.Task) -> None:
    del refreshing[event_id]
    if not task.cancelled() and task.exception() is not None:  # the stale room goes on
        logger.warning(
            "best available: event %s's room not read again: %s", event_id, task.exception()
        )


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

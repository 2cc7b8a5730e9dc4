"""An arriving buyer's reads answered on the server's loop: `GET /api/events/{id}/` and the
stored documents of `GET .../map/` and `GET .../layout/` (map_document.py), each with one
query of one row on the loop's pool (loop_database.py) rather than Django's request cycle.

At an on-sale everyone arrives in the same minute, and through Django each of these cost
~6-7 ms of CPU (middleware, DRF, the ORM, a worker thread) for an answer that is one row and
what the process already holds: the documents as built and compressed, the seat counts in the
live map (live_seats.category_counts). Nothing about the answer changes (test_loop_reads.py
compares them with Django's, header by header).

Only what is plainly ours and ready is answered here; the rest goes to Django as it is:
requests without a bearer token (anonymous reads are limited per address there,
AnonReadThrottle), a host not in ALLOWED_HOSTS, plain HTTP where HTTPS is required, an event
whose counts the process has no live map for (Django counts them in the database), and a
document version not stored in this process yet (Django builds it, once). A bearer token is
checked as everywhere on the loop (loop_requests.user_id_of_token): these reads are public,
so a valid token of an account since disabled is answered as an anonymous reader would be.
"""

import functools
import re

from reservations import selectors
from reservations.exceptions import NotFound
from reservations.live_seats import category_counts
from reservations.models import Event, PriceCategory
from reservations.waiting_room.rooms_in_memory import rooms

from .content_coding import IDENTITY
from .loop_database import loop_database_enabled, loop_pool
from .loop_requests import (
    PATH_HEADER,
    api_headers,
    api_request_of,
    cors_headers_for,
    drf_rendered,
    error_answer,
    header_of,
    proxy_header_of_settings,
    user_id_of_token,
)
from .map_document import CACHE_CONTROL, LAYOUT, SEAT_MAP, document_version, stored_answer
from .presenters import EventDetailOutput

_ROUTE = re.compile(r"/api/events/([0-9]{1,18})/(?:(map|layout)/)?")
_DOCUMENTS = {"map": SEAT_MAP, "layout": LAYOUT}
_ALLOW = b"GET, HEAD, OPTIONS"


def _columns(model) -> tuple[list[str], str]:
    fields = [field.attname for field in model._meta.concrete_fields]
    return fields, ", ".join(model._meta.get_field(name).column for name in fields)


_EVENT_FIELDS, _EVENT_COLUMNS = _columns(Event)
_CATEGORY_FIELDS, _CATEGORY_COLUMNS = _columns(PriceCategory)
_EVENT_SQL = f"SELECT {_EVENT_COLUMNS} FROM {Event._meta.db_table} WHERE id = %s"
_CATEGORIES_SQL = (
    f"SELECT {_CATEGORY_COLUMNS} FROM {PriceCategory._meta.db_table}"
    " WHERE event_id = %s ORDER BY position, id"
)
_VERSION_SQL = (
    f"SELECT map_version, created_at, layout_id FROM {Event._meta.db_table} WHERE id = %s"
)


class _ToDjango(Exception):
    """Not answered here: Django answers it."""


class LoopReads:
    """ASGI middleware in front of the HTTP app; see the module docstring."""

    def __init__(self, app):
        self.app = app
        self.enabled = loop_database_enabled()
        self._proxy_header = proxy_header_of_settings()

    async def __call__(self, scope, receive, send):
        route = (
            _ROUTE.fullmatch(scope["path"])
            if self.enabled and scope["type"] == "http" and scope["method"] == "GET"
            else None
        )
        request = api_request_of(scope, self._proxy_header) if route else None
        if request is None or request.token is None:
            return await self.app(scope, receive, send)
        event_id, document = int(route[1]), _DOCUMENTS.get(route[2])
        try:
            user_id_of_token(request.token)
            if document is None:
                status, body, extra = 200, await _event_detail(event_id), []
            else:
                status, body, extra = await _stored_document(scope, document, event_id)
        except _ToDjango:
            return await self.app(scope, receive, send)
        except Exception as exc:  # every error in the API's one shape (errors.py)
            status, body, extra = error_answer(exc)
        vary = b"origin" if document is None or status >= 400 else b"Accept-Encoding, origin"
        headers = api_headers(request.secure, allow=_ALLOW, vary=vary) + extra
        if status == 304:
            headers = [header for header in headers if header[0] != b"content-type"]
        headers.append((b"content-length", str(len(body)).encode()))
        if request.origin is not None:
            headers.extend(cors_headers_for(request.origin))
        headers.append(PATH_HEADER)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _event_detail(event_id: int) -> bytes:
    """The body of GET /api/events/{id}/, as EventDetailApi gives it."""
    pool = await loop_pool()
    async with pool.connection() as conn, conn.cursor() as cursor:
        row = await _event_row(cursor, _EVENT_SQL, event_id)
        map_version = row[_EVENT_FIELDS.index("map_version")]
        counts = category_counts(event_id=event_id, map_version=map_version)
        if counts is None:
            raise _ToDjango()
        await cursor.execute(_CATEGORIES_SQL, (event_id,))
        categories = await cursor.fetchall()
    room = await rooms.room_of_async(event_id)
    queue = (room.opens_at, room.on_sale_at) if room else ()
    return _event_detail_body(tuple(row), tuple(categories), tuple(sorted(counts.items())), queue)


async def _event_row(cursor, sql: str, event_id: int) -> tuple:
    """The event's row as `sql` reads it; the API's 404 for no such event."""
    await cursor.execute(sql, (event_id,))
    row = await cursor.fetchone()
    if row is None:
        raise NotFound("No such event.")
    return row


@functools.lru_cache(maxsize=256)
def _event_detail_body(
    event_row: tuple, category_rows: tuple, counts: tuple, queue_times: tuple
) -> bytes:
    """The detail of the event as these rows and counts have it: DRF's serializer costs ~1 ms,
    as much as the rest of the answer, and a crowd arriving at once reads the same rows."""
    event = Event.from_db("default", _EVENT_FIELDS, event_row)
    categories = [PriceCategory.from_db("default", _CATEGORY_FIELDS, r) for r in category_rows]
    detail = selectors.event_counted(event, categories, dict(counts))
    detail.queue_times = queue_times
    return drf_rendered(EventDetailOutput(detail).data)


async def _stored_document(scope, document, event_id: int):
    """(status, body, headers) of a map document this process stores; _ToDjango otherwise."""
    pool = await loop_pool()
    async with pool.connection() as conn, conn.cursor() as cursor:
        map_version, created_at, layout_id = await _event_row(cursor, _VERSION_SQL, event_id)
    version = document_version(
        document, selectors.MapVersion(event_id, map_version, created_at, layout_id is not None)
    )
    answer = stored_answer(
        document,
        version,
        header_of(scope, b"accept-encoding"),
        header_of(scope, b"if-none-match"),
    )
    if answer is None:
        raise _ToDjango()
    headers = [(b"etag", answer.etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
    if answer.status == 200 and answer.coding != IDENTITY:
        headers.append((b"content-encoding", answer.coding.encode()))
    return answer.status, answer.body, headers

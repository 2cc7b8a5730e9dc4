"""An arriving buyer's reads answered on the server's loop: `GET /api/events/{id}/` and the
stored documents of `GET .../map/` and `GET .../layout/` (map_document.py), each with one
query of one row on the loop's pool (loop_database.py) rather than Django's request cycle
(loop_app.py).

At an on-sale everyone arrives in the same minute, and through Django each of these cost
~6-7 ms of CPU (middleware, DRF, the ORM, a worker thread) for an answer that is one row and
what the process already holds: the documents as built and compressed, the seat counts in the
live map (live_seats.category_counts). Nothing about the answer changes (test_loop_reads.py
compares them with Django's, header by header).

Only what is plainly ours and ready is answered here (loop_app.py says what goes to Django; a
request without a bearer token does: anonymous reads are limited per address there,
ReadThrottle); here also an event whose counts the process has no live map for (Django
counts them in the database), and a document version not stored in this process yet (Django
builds it, once). A bearer token is
checked as everywhere on the loop (loop_requests.user_id_of_token): these reads are public,
so a valid token of an account since disabled is answered as an anonymous reader would be.
"""

import functools

from channels.db import database_sync_to_async

from reservations import selectors
from reservations.exceptions import NotFound
from reservations.live_seats import category_counts
from reservations.models import Event, PriceCategory
from reservations.waiting_room.rooms_in_memory import rooms

from .content_coding import IDENTITY
from .loop_app import Answer, LoopCall, ToDjango, route
from .loop_database import loop_database_enabled, loop_pool
from .loop_requests import drf_rendered, error_answer, header_of, user_id_of_token
from .map_document import CACHE_CONTROL, LAYOUT, SEAT_MAP, document_version, stored_answer
from .presenters import EventDetailOutput


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


async def _detail(call: LoopCall) -> Answer:
    try:
        user_id_of_token(call.request.token)
        return Answer(200, await _event_detail(call.ids["event_id"]), [])
    except ToDjango:
        raise
    except Exception as exc:  # every error in the API's one shape (errors.py)
        return Answer(*error_answer(exc))


def _document(document):
    async def answer(call: LoopCall) -> Answer:
        try:
            user_id_of_token(call.request.token)
            status, body, headers = await _stored_document(
                call.scope, document, call.ids["event_id"]
            )
        except ToDjango:
            raise
        except Exception as exc:
            return Answer(*error_answer(exc))
        return Answer(
            status, body, headers, vary=b"Accept-Encoding, origin" if status < 400 else b"origin"
        )

    return answer


async def _event_detail(event_id: int) -> bytes:
    """The body of GET /api/events/{id}/, as EventDetailApi gives it."""
    pool = await loop_pool()
    async with pool.connection() as conn, conn.cursor() as cursor:
        row = await _event_row(cursor, _EVENT_SQL, event_id)
        map_version = row[_EVENT_FIELDS.index("map_version")]
        counts = category_counts(event_id=event_id, map_version=map_version)
        if counts is None:
            raise ToDjango()
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


async def map_version_of(event_id: int) -> selectors.MapVersion:
    """selectors.map_version_get on the loop's database (one row); NotFound for no event."""
    if not loop_database_enabled():
        return await database_sync_to_async(selectors.map_version_get)(event_id=event_id)
    pool = await loop_pool()
    async with pool.connection() as conn, conn.cursor() as cursor:
        map_version, created_at, layout_id = await _event_row(cursor, _VERSION_SQL, event_id)
    return selectors.MapVersion(event_id, map_version, created_at, layout_id is not None)


async def _stored_document(scope, document, event_id: int):
    """(status, body, headers) of a map document this process stores; ToDjango otherwise."""
    version = document_version(document, await map_version_of(event_id))
    answer = stored_answer(
        document,
        version,
        header_of(scope, b"accept-encoding"),
        header_of(scope, b"if-none-match"),
    )
    if answer is None:
        raise ToDjango()
    headers = [(b"etag", answer.etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
    if answer.status == 200 and answer.coding != IDENTITY:
        headers.append((b"content-encoding", answer.coding.encode()))
    return answer.status, answer.body, headers


ROUTES = [
    route(
        ("GET",),
        f"events/<id:event_id>/{path}",
        handler,
        allow=b"GET, HEAD, OPTIONS",
        bearer_only=True,
        available=loop_database_enabled,
    )
    for path, handler in (
        ("", _detail),
        ("map/", _document(SEAT_MAP)),
        ("layout/", _document(LAYOUT)),
    )
]

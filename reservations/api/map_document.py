"""The documents an arriving buyer's page loads whole, each built once and compressed once:

* ``SEAT_MAP``, GET /api/events/{id}/map/: everything about the seats that does not change
  while they are on sale (map_presenters.seat_plan_json);
* ``LAYOUT``, GET /api/events/{id}/layout/: the room's drawing, byte for byte as it always was.

Both are named by the event's map version (selectors.map_version_get, one query of one row),
which every write of what they show bumps (services/map_version.py). Each process keeps, in its
document store (stored_documents.py: bounded by bytes, least recently used out first), per
document, event and version, the ETag of each content-coding and each coded body
(api/content_coding.py). A revalidation whose If-None-Match holds the current tag is answered
304 from the tags alone, and a 200 sends the stored body of the coding the request takes:
neither reads a seat nor hashes a byte. Only a version not seen yet, or pushed out of the
cache, is read and built, by one thread at a time per key; the others wait and find it built.
"""

import threading
from collections.abc import Callable
from typing import NamedTuple

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from reservations import selectors
from reservations.exceptions import NoLayout
from reservations.selectors import MapVersion

from . import map_presenters
from .content_coding import IDENTITY, Encoded, coding_for, encode
from .stored_documents import documents

# Stored by browsers and CDNs, and asked again with If-None-Match each time: a reprice shows at
# once, and a 304 costs the version's one-row read.
CACHE_CONTROL = "public, no-cache"


class Document(NamedTuple):
    name: str
    build: Callable[[MapVersion], bytes]
    needs_layout: bool  # a grid event has none: 404


SEAT_MAP = Document(
    "map",
    lambda version: orjson.dumps(
        map_presenters.seat_plan_json(selectors.seat_plan_get(version=version))
    ),
    needs_layout=False,
)
LAYOUT = Document(
    "layout",
    lambda version: orjson.dumps(
        map_presenters.layout_json(selectors.layout_get(event_id=version.event_id))
    ),
    needs_layout=True,
)

# Builds of one key queue on one lock (of a fixed few), so a crowd arriving at a new version
# builds it once per process.
_build_locks = tuple(threading.Lock() for _ in range(16))


class DocumentAnswer(NamedTuple):
    status: int  # 200, or 304 with no body
    body: bytes
    etag: str
    coding: str


def document_response(request: HttpRequest, document: Document, *, event_id: int) -> HttpResponse:
    """200 with the body in the coding the request takes, or 304; 404 for no such event."""
    version = document_version(document, selectors.map_version_get(event_id=event_id))
    accept_encoding = request.headers.get("Accept-Encoding", "")
    if_none_match = request.headers.get("If-None-Match", "")
    answer = stored_answer(document, version, accept_encoding, if_none_match, build=True)
    response = HttpResponse(answer.body, status=answer.status, content_type="application/json")
    if answer.status == 304:
        del response["Content-Type"]
    elif answer.coding != IDENTITY:
        response["Content-Encoding"] = answer.coding
    response["ETag"] = answer.etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def document_version(document: Document, version: MapVersion) -> MapVersion:
    """`version`, or the 404 of a layout asked of an event that has none."""
    if document.needs_layout and not version.has_layout:
        raise NoLayout()
    return version


def stored_answer(
    document: Document,
    version: MapVersion,
    accept_encoding: str,
    if_none_match: str,
    *,
    build: bool = False,
) -> DocumentAnswer | None:
    """The answer from what this process stores (304 from the tags alone), or None when the
    version is not stored here (`build`: build and store it then, Django's path)."""
    coding = coding_for(accept_encoding)
    key = _key(document, version)
    encoded = documents().get(key)
    if encoded is None:
        if not build:
            return None
        encoded = _built(document, version, key)
    etag = encoded.etags[coding]
    if _revalidated(if_none_match, etag):
        return DocumentAnswer(304, b"", etag, coding)
    return DocumentAnswer(200, encoded.bodies[coding], etag, coding)


def _revalidated(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names `etag`, by the weak comparison (RFC 9110 §13.1.2), as
    Django's conditional GET compares it."""
    if not if_none_match:
        return False
    tags = parse_etags(if_none_match)
    if tags == ["*"]:
        return True
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


def _key(document: Document, version: MapVersion) -> str:
    created = version.created_at.timestamp()
    return f"{document.name}:{version.event_id}:{created}:{version.version}"


def _built(document: Document, version: MapVersion, key: str) -> Encoded:
    """The document of `version`, encoded: as stored, or built, encoded and stored now."""
    with _build_locks[hash(key) % len(_build_locks)]:
        if (encoded := documents().get(key)) is not None:
            return encoded
        encoded = encode(document.build(version))
        documents().set(key, encoded)
        return encoded

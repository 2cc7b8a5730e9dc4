"""`GET /api/events/{id}/seats/` from the event's live map, at its `(epoch, seq)`, compressed.

The list of the 19,671-seat arena is 4.7 MB of JSON; built from the database per logged-in
read it cost ~100 ms of CPU. Here it is kept as chunks of CHUNK_SEATS seats, each chunk's JSON
compressed on its own as raw deflate ending in a full flush, so that chunks concatenate into
one deflate stream. A chunk is encoded again only when one of its seats changed since (the
live map tells which: `LiveMap.take_changed`) or a hold in it ended. Each seat's static part
(label, section, row, number, price, category, flags) is written once per map version from
the event's plan (`selectors.seat_plan_get`), its changing part (status, version, locked_until,
mine) from the map.

Anonymous readers share one body per view of the map (as `state/`'s); a logged-in reader's few
own seats (`mine: true`) are spliced in by encoding just their chunks again. The whole is sent
as `deflate` (RFC 1950: a zlib header, the chunks, a final empty block and the Adler-32 of the
whole, which combines the chunks' in O(1) each) or `gzip` (CRC-32 combined the same way); `br`
and identity, which cannot be spliced, are made from the whole body (rare: every client that
takes br takes gzip).
"""

import asyncio
import bisect
import functools
import struct
import time
import weakref
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import brotli
import orjson
from channels.db import database_sync_to_async

from reservations.live_seats import LiveMapsUnavailable
from reservations.rules import effective_status
from reservations.selectors import MapVersion, SeatPlan, seat_plan_get
from reservations.wire_values import money

from .live_map import LiveMap
from .live_map_seat import AVAILABLE, LOCKED, LiveSeat

CHUNK_SEATS = 64
# Measured on the arena: chunks of 64 at level 6 make 247 KB (one stream: 195 KB); 256 make
# 210 KB but cost four times as much to encode again for one changed seat.
_LEVEL = 6
_BROTLI_QUALITY = 5

# --- checksums of a whole from its parts ------------------------------------------------------

_ADLER_BASE = 65521


def adler32_combine(adler1: int, adler2: int, length2: int) -> int:
    """The Adler-32 of A+B from A's, B's and B's length (zlib's adler32_combine)."""
    remainder = length2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (remainder * sum1) % _ADLER_BASE
    sum1 += (adler2 & 0xFFFF) + _ADLER_BASE - 1
    sum2 += (adler1 >> 16) + (adler2 >> 16) + _ADLER_BASE - remainder
    sum1 %= _ADLER_BASE
    sum2 %= _ADLER_BASE
    return sum1 | sum2 << 16


_CRC_POLY = 0xEDB88320


def _multiply_mod_p(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial, bit-reflected (zlib's multmodp)."""
    product = 0
    mask = 1 << 31
    while a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1
    return product


def _powers_of_x() -> list[int]:
    powers = [1 << 30]  # x^1
    for _ in range(31):
        powers.append(_multiply_mod_p(powers[-1], powers[-1]))
    return powers


_X_TO_2_TO_THE = _powers_of_x()  # x^(2^k) modulo the polynomial


@functools.lru_cache(maxsize=1024)
def crc32_shift(length: int) -> int:
    """x^(8 * length) modulo the polynomial: what moves a CRC past `length` bytes."""
    power, k = 1 << 31, 3
    while length:
        if length & 1:
            power = _multiply_mod_p(_X_TO_2_TO_THE[k & 31], power)
        length >>= 1
        k += 1
    return power


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A+B from A's, B's and B's length (zlib's crc32_combine)."""
    return _multiply_mod_p(crc32_shift(length2), crc1) ^ crc2


# --- pieces of the body -----------------------------------------------------------------------


class Piece(NamedTuple):
    """Some of the body's JSON as raw deflate ending on a byte (it concatenates), with what the
    checksums of the whole need, and the first hold in it to end (it is stale from then)."""

    deflated: bytes
    length: int
    adler: int
    crc: int
    stale_at: float


def piece_of(text: str, stale_at: float = float("inf")) -> Piece:
    data = text.encode()
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
    return Piece(deflated, len(data), zlib.adler32(data), zlib.crc32(data), stale_at)


_FINAL_BLOCK = b"\x03\x00"  # an empty final block of fixed codes: the stream's end
_ZLIB_HEADER = b"\x78\x9c"
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS


class _Sums(NamedTuple):
    """A checksum of every prefix and every suffix of a body's pieces."""

    prefix: list[int]  # [i]: of pieces[:i]
    suffix: list[int]  # [i]: of pieces[i:]
    suffix_length: list[int]


# coding: (its checksum of the whole, combined how, from which field of a piece, of nothing)
_CHECKSUMS = {"deflate": (adler32_combine, "adler", 1), "gzip": (crc32_combine, "crc", 0)}


class Body:
    """A list's pieces, and what makes each coding of it or of it with some pieces replaced (a
    logged-in caller's chunks) cost what the replaced pieces do: the checksums of every prefix
    and suffix, per coding, made when first asked."""

    def __init__(self, pieces: list[Piece]):
        self.pieces = pieces
        self.length = sum(piece.length for piece in pieces)
        self._sums: dict[str, _Sums] = {}

    def encoded(self, coding: str, replaced: dict[int, Piece] | None = None) -> bytes:
        """The body in `coding` (one of live_seats.SEAT_LIST_CODINGS), `replaced` (by index)
        put in place of those pieces."""
        replaced = replaced or {}
        pieces = [replaced.get(i, piece) for i, piece in enumerate(self.pieces)]
        stream = b"".join([piece.deflated for piece in pieces]) + _FINAL_BLOCK
        if coding == "deflate":
            return _ZLIB_HEADER + stream + struct.pack(">I", self._checksum(coding, replaced))
        if coding == "gzip":
            length = self.length + sum(
                p.length - self.pieces[i].length for i, p in replaced.items()
            )
            checksum = self._checksum(coding, replaced)
            return _GZIP_HEADER + stream + struct.pack("<II", checksum, length & 0xFFFFFFFF)
        body = zlib.decompress(stream, -15)
        if coding == "br":
            return brotli.compress(body, mode=brotli.MODE_TEXT, quality=_BROTLI_QUALITY)
        return body

    def _checksum(self, coding: str, replaced: dict[int, Piece]) -> int:
        combine, field, _ = _CHECKSUMS[coding]
        sums = self._sums.get(coding)
        if sums is None:
            sums = self._sums[coding] = self._sums_of(coding)
        if not replaced:
            return sums.prefix[-1]
        first, last = min(replaced), max(replaced)
        checksum = sums.prefix[first]
        for index in range(first, last + 1):
            piece = replaced.get(index, self.pieces[index])
            checksum = combine(checksum, getattr(piece, field), piece.length)
        return combine(checksum, sums.suffix[last + 1], sums.suffix_length[last + 1])

    def _sums_of(self, coding: str) -> _Sums:
        combine, field, empty = _CHECKSUMS[coding]
        prefix, suffix, suffix_length = [empty], [empty], [0]
        for piece in self.pieces:
            prefix.append(combine(prefix[-1], getattr(piece, field), piece.length))
        for piece in reversed(self.pieces):
            suffix.append(combine(getattr(piece, field), suffix[-1], suffix_length[-1]))
            suffix_length.append(piece.length + suffix_length[-1])
        return _Sums(prefix, suffix[::-1], suffix_length[::-1])


# --- the static part, once per map version ----------------------------------------------------


@dataclass(frozen=True)
class SeatTemplates:
    """Each chunk's JSON but for its seats' changing fields, with a NUL where each seat's go
    (JSON text never holds a raw NUL), kept compressed: the arena's are 3.6 MB of text, ~0.3 MB
    so, and a chunk encoded again is decompressed in ~20 us."""

    map_version: int
    ids: tuple[int, ...]  # in layout order (by id), as the live map has them
    chunks: list[bytes]
    head: Piece
    tail: Piece

    def chunk_of(self, seat_id: int) -> int | None:
        """The index of the chunk holding the seat; None for a seat not in the list."""
        index = bisect.bisect_left(self.ids, seat_id)
        found = index < len(self.ids) and self.ids[index] == seat_id
        return index // CHUNK_SEATS if found else None


def seat_templates(event_id: int, plan: SeatPlan) -> SeatTemplates:
    """The seat list's static parts from `plan`, written as presenters.seat_json writes them
    (the database path's list; a test holds the two byte for byte)."""
    prices = {row[0]: orjson.dumps(money(row[2])).decode() for row in plan.categories}
    statics: list[str] = []
    for seat in plan.seats:
        start = orjson.dumps(
            {
                "id": seat.id,
                "label": seat.label,
                "section": seat.section,
                "row": seat.row,
                "number": seat.number,
            }
        ).decode()
        end = orjson.dumps(
            {
                "category": seat.category_id,
                "accessible": seat.accessible,
                "companion": seat.companion,
                "restricted_view": seat.restricted_view,
                "blocked": seat.blocked,
            }
        ).decode()
        statics.append(f'{start[:-1]},"price":{prices[seat.category_id]},"status":\0,{end[1:]}')
    ids = tuple(seat.id for seat in plan.seats)
    return SeatTemplates(
        map_version=plan.version.version,
        ids=ids,
        chunks=[
            zlib.compress(",".join(statics[start : start + CHUNK_SEATS]).encode(), 1)
            for start in range(0, len(statics), CHUNK_SEATS)
        ],
        head=piece_of(f'{{"event_id":{event_id},"seats":['),
        tail=piece_of("]}"),
    )


# --- the changing part ------------------------------------------------------------------------


def _changing(seat: LiveSeat, user_id: int | None, now: float) -> tuple[str, float]:
    """A seat's status, version, locked_until and mine as the list writes them, and when that
    stops being true (its hold's end)."""
    state = seat.state
    status = effective_status(state.status, seat.deadline, now)
    if status == LOCKED:
        until, stale_at = f'"{state.locked_until}"', seat.deadline
    else:
        until, stale_at = "null", float("inf")
    mine = (
        "true" if status != AVAILABLE and user_id is not None and seat.owner == user_id else "false"
    )
    text = f'"{status}","version":{state.version},"locked_until":{until},"mine":{mine}'
    return text, stale_at


def chunk_piece(
    templates: SeatTemplates, index: int, live: LiveMap, user_id: int | None, now: float
) -> Piece:
    """Chunk `index` of the list as `user_id` sees it (None: anonymous) from the map now."""
    statics = zlib.decompress(templates.chunks[index]).decode().split("\0")
    start = index * CHUNK_SEATS
    parts = ["," + statics[0] if index else statics[0]]
    stale_at = float("inf")
    seats = live.seats
    for offset, static in enumerate(statics[1:]):
        text, ends = _changing(seats[templates.ids[start + offset]], user_id, now)
        parts.append(text)
        parts.append(static)
        stale_at = min(stale_at, ends)
    return piece_of("".join(parts), stale_at)


class SeatList:
    """An event's list as chunks, kept on its live map (so it goes when the map goes)."""

    def __init__(self, templates: SeatTemplates):
        self.templates = templates
        self._pieces: list[Piece | None] = [None] * len(templates.chunks)
        self._fitted_read = -1  # the map's read whose seats these templates were checked on

    def fits(self, live: LiveMap, map_version: int) -> bool:
        """Whether these templates are at least of `map_version` and of the map's seats."""
        if self.templates.map_version < map_version:
            return False
        if self._fitted_read != live.reads:
            ids = self.templates.ids
            if len(live.seats) != len(ids) or any(
                a != b for a, b in zip(live.seats, ids, strict=True)
            ):
                return False
            self._fitted_read = live.reads
        return True

    def anonymous_body(self, live: LiveMap, now: float) -> Body:
        """The whole list for anyone, every chunk encoded again whose seats changed or whose
        hold ended since it was encoded."""
        changed = live.take_changed()
        if changed is None:  # the map was read again whole
            self._pieces = [None] * len(self._pieces)
        else:
            for seat_id in changed:
                if (chunk := self.templates.chunk_of(seat_id)) is not None:
                    self._pieces[chunk] = None
        for index, piece in enumerate(self._pieces):
            if piece is None or piece.stale_at <= now:
                self._pieces[index] = chunk_piece(self.templates, index, live, None, now)
        return Body([self.templates.head, *self._pieces, self.templates.tail])

    def own_chunks(self, live: LiveMap, user_id: int, now: float) -> dict[int, Piece]:
        """The chunks of the caller's own seats encoded again from the map, `mine` set, by
        their index in the body (after its head)."""
        chunks = {self.templates.chunk_of(seat_id) for seat_id in live.owned_by(user_id)}
        chunks.discard(None)
        return {i + 1: chunk_piece(self.templates, i, live, user_id, now) for i in chunks}


def seat_list_body(live: LiveMap, user_id: int | None, coding: str) -> bytes:
    """The list in `coding`, from `live` (current, its SeatList fitting it)."""
    seat_list: SeatList = live.seat_list
    view = live.view("seat_list", lambda now: seat_list.anonymous_body(live, now))
    if user_id is None or not live.owned_by(user_id):
        body = view.encodings.get(coding)
        if body is None:
            body = view.encodings[coding] = view.value.encoded(coding)
        return body
    return view.value.encoded(coding, seat_list.own_chunks(live, user_id, time.time()))


_plans_read: "weakref.WeakKeyDictionary[LiveMap, asyncio.Future]" = weakref.WeakKeyDictionary()


async def seat_list_answer(
    live: LiveMap, version: MapVersion, user_id: int | None, coding: str
) -> bytes:
    """The list of `live`'s event for `user_id` in `coding`: its state as the map has it now,
    its static part of `version` or newer (read first, as the event's row says it)."""
    for _ in range(3):
        await live.current()
        if live.seat_list is not None and live.seat_list.fits(live, version.version):
            return seat_list_body(live, user_id, coding)
        # One read of the plan at a time per map; everyone else waits for it.
        reading = _plans_read.get(live)
        if reading is None:
            reading = _plans_read[live] = asyncio.ensure_future(_read_plan(live, version))
        try:
            await asyncio.shield(reading)
        finally:
            if _plans_read.get(live) is reading and reading.done():
                del _plans_read[live]
    raise LiveMapsUnavailable()  # the map and the plan keep disagreeing: the database answers


async def _read_plan(live: LiveMap, version: MapVersion) -> None:
    plan = await database_sync_to_async(seat_plan_get)(version=version)
    seat_list = SeatList(seat_templates(live.event_id, plan))
    if tuple(seat.id for seat in plan.seats) != tuple(live.seats):
        live.forget()  # seats added or removed since the map was read: read it again
    live.seat_list = seat_list
    live.forget_view("seat_list")

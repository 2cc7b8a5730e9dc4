"""The seat list from the live map (realtime/seat_list.py), in this process on PostgreSQL: byte
for byte the database path's list in every state, kept by its dirty chunks as frames come, and
in each coding a client may take."""

import asyncio
import gzip
import random
import time
import zlib
from datetime import timedelta

import brotli
import orjson
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime.live_map import LiveMap
from realtime.protocol import seat_change
from realtime.seat_list import (
    CHUNK_SEATS,
    Body,
    SeatList,
    adler32_combine,
    chunk_piece,
    crc32_combine,
    piece_of,
    seat_list_body,
    seat_templates,
)
from reservations import selectors
from reservations.api import presenters
from reservations.models import Seat
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db


@given(st.binary(max_size=300), st.binary(max_size=70_000))
def test_the_adler32_of_a_whole_combines_from_its_parts_as_zlib_computes_it(first, second):
    combined = adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


@given(st.binary(max_size=300), st.binary(max_size=70_000))
def test_the_crc32_of_a_whole_combines_from_its_parts_as_zlib_computes_it(first, second):
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


DECODERS = {
    "deflate": zlib.decompress,
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "identity": bytes,
}


@given(st.lists(st.text(max_size=400), min_size=1, max_size=8), st.data())
def test_pieces_concatenate_into_one_body_in_every_coding_with_any_of_them_replaced(texts, data):
    body = Body([piece_of(text) for text in texts])
    replacing = data.draw(st.dictionaries(st.integers(0, len(texts) - 1), st.text(max_size=400)))
    replaced = {index: piece_of(text) for index, text in replacing.items()}
    whole = "".join(replacing.get(i, text) for i, text in enumerate(texts)).encode()

    for coding, decode in DECODERS.items():
        assert decode(body.encoded(coding)) == "".join(texts).encode()
        assert decode(body.encoded(coding, replaced)) == whole


# --- the list against the database's ----------------------------------------------------------

STATES = ("available", "held", "hold ended", "reserved", "blocked")


def live_map_of(event_id: int) -> LiveMap:
    """The event's live map read as the hub reads it (hub._read_live_map), and its seat list."""
    map_version, rows = selectors.live_seats_get(event_id=event_id)
    seats = [(seat_change(*row[:4]), row[4], row[5], row[6]) for row in rows]

    async def read(_event_id):
        return "epoch", 1, seats, map_version

    live = LiveMap(event_id, read)
    live.max_age = 0  # every read sees every change (the window is the server's business)
    asyncio.run(live.current())
    version = selectors.map_version_get(event_id=event_id)
    live.seat_list = SeatList(seat_templates(event_id, selectors.seat_plan_get(version=version)))
    return live


def database_list(event_id: int, user_id: int | None) -> bytes:
    seats = selectors.seat_map_get(event_id=event_id)
    return orjson.dumps(presenters.seat_map_json(event_id, seats, user_id=user_id))


def from_scratch(live: LiveMap, user_id: int | None) -> bytes:
    """The list encoded whole from the map as it stands, no chunk kept."""
    templates, now = live.seat_list.templates, time.time()
    chunks = [chunk_piece(templates, i, live, user_id, now) for i in range(len(templates.chunks))]
    return Body([templates.head, *chunks, templates.tail]).encoded("identity")


def set_states(event, states: list[tuple[str, int, int]], users) -> None:
    """Each seat's (state, owner index, version) written to the database."""
    now = timezone.now()
    seats = list(event.seats.order_by("id"))
    for seat, (state, owner, version) in zip(seats, states, strict=False):
        user = users[owner]
        seat.version = version
        seat.blocked = state == "blocked"
        seat.off_sale = "killed" if seat.blocked else ""
        seat.held_by = user if state in ("held", "hold ended") else None
        seat.held_until = {
            "held": now + timedelta(minutes=10),
            "hold ended": now - timedelta(minutes=10),
        }.get(state)
        seat.reserved_by = user if state == "reserved" else None
        seat.status = {"available": "available", "reserved": "reserved", "blocked": "reserved"}.get(
            state, "locked"
        )
    Seat.objects.bulk_update(
        seats, ["version", "blocked", "off_sale", "held_by", "held_until", "reserved_by", "status"]
    )


@pytest.fixture
def priced_event():
    """Two chunks and a bit, with a second price, flags and labels that need escaping."""
    event = event_with_seats(rows=3, seats_per_row=50)
    first = event.seats.order_by("id").first()
    Seat.objects.filter(pk=first.pk).update(label='Box "1" é\u2028', accessible=True)
    Seat.objects.filter(event=event, number__gt=45).update(companion=True, restricted_view=True)
    return event


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_list_is_byte_for_byte_the_databases_in_any_state_for_anyone(priced_event, data):
    users = [UserFactory(username=f"u{i}-{random.random()}") for i in range(2)]
    states = data.draw(
        st.lists(
            st.tuples(st.sampled_from(STATES), st.integers(0, 1), st.integers(0, 9)),
            min_size=150,
            max_size=150,
        )
    )
    set_states(priced_event, states, users)
    live = live_map_of(priced_event.id)

    for user in (None, *users):
        user_id = user.pk if user else None
        for coding in ("identity", "deflate"):
            body = seat_list_body(live, user_id, coding)
            plain = zlib.decompress(body) if coding == "deflate" else body
            assert plain == database_list(priced_event.id, user_id)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_chunk_is_encoded_again_whenever_a_frame_changed_one_of_its_seats(priced_event, data):
    alice = UserFactory(username=f"alice-{random.random()}")
    live = live_map_of(priced_event.id)
    ids = list(live.seats)
    seat_list_body(live, None, "deflate")  # every chunk encoded once
    until = (timezone.now() + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")

    for seq in range(2, 2 + data.draw(st.integers(1, 4))):
        chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=5, unique=True))
        changes, owners = [], []
        for seat_id in chosen:
            status = data.draw(st.sampled_from(["available", "locked", "reserved"]))
            version = live.seats[seat_id].state.version + 1
            locked_until = until if status == "locked" else None
            changes.append(
                {"id": seat_id, "status": status, "version": version, "locked_until": locked_until}
            )
            owners.append(alice.pk if status != "available" else None)
        live.apply("epoch", seq, changes, owners)

        for user_id in (None, alice.pk):
            assert zlib.decompress(seat_list_body(live, user_id, "deflate")) == from_scratch(
                live, user_id
            )


def test_a_hold_that_ends_shows_available_without_any_frame(priced_event):
    alice = UserFactory(username="alice")
    seat = priced_event.seats.order_by("id")[CHUNK_SEATS + 1]
    Seat.objects.filter(pk=seat.pk).update(
        status="locked", held_by=alice, held_until=timezone.now() + timedelta(seconds=1), version=1
    )
    live = live_map_of(priced_event.id)

    def status_of_seat(user_id):
        listed = orjson.loads(zlib.decompress(seat_list_body(live, user_id, "deflate")))
        return next((s["status"], s["mine"]) for s in listed["seats"] if s["id"] == seat.pk)

    assert status_of_seat(alice.pk) == ("locked", True)
    assert status_of_seat(None) == ("locked", False)
    time.sleep(1.2)
    assert status_of_seat(None) == ("available", False)
    assert status_of_seat(alice.pk) == ("available", False)

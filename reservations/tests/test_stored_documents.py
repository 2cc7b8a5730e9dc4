"""Each process's documents are kept by bytes, not by entries (api/stored_documents.py): a
season of events' maps stays stored while used, past `DOCUMENTS_CACHE_BYTES` the least recently
used go first, and one unused for `LIVE_EVENT_IDLE_SECONDS` goes with nobody asking."""

import sys
import time

import pytest

from reservations import selectors
from reservations.api.content_coding import Encoded
from reservations.api.map_document import SEAT_MAP, stored_answer
from reservations.api.stored_documents import DocumentStore, stored_size

from .factories import event_with_seats


def encoded(size: int) -> Encoded:
    return Encoded({"br": b"x" * size, "gzip": b"", "identity": b""}, {"br": '"t"'})


def test_the_store_keeps_what_fits_in_its_bytes_and_lets_the_least_recently_used_go():
    store = DocumentStore(max_bytes=11_000, idle_seconds=60)
    for name in "abcd":
        store.set(name, encoded(2_000))
    assert store.bytes_used == 4 * stored_size(encoded(2_000)) <= 11_000
    store.get("a")  # used again: it stays
    store.set("e", encoded(2_000))  # one too many: the least recently used goes ("b")
    assert store.get("b") is None
    assert all(store.get(name) is not None for name in "acde")
    assert store.bytes_used <= 11_000


def test_a_document_larger_than_the_whole_store_is_not_kept_and_pushes_nothing_out():
    store = DocumentStore(max_bytes=10_000, idle_seconds=60)
    store.set("small", b"x" * 100)
    store.set("huge", encoded(20_000))
    assert store.get("huge") is None and store.get("small") == b"x" * 100


def test_a_document_stays_while_asked_for_and_goes_at_rest_with_nobody_asking():
    store = DocumentStore(max_bytes=100_000, idle_seconds=0.3)
    body = b"x" * 2_000
    unheld = sys.getrefcount(body)
    store.set("map", Encoded({"br": body}, {"br": '"t"'}))
    for _ in range(12):  # asked for over twice the idle time: it stays
        assert store.get("map") is not None
        time.sleep(0.05)
    deadline = time.monotonic() + 5
    while sys.getrefcount(body) > unheld:  # then nobody asks anything, as in a process at rest
        assert time.monotonic() < deadline, "the store still holds a document unused at rest"
        time.sleep(0.05)


@pytest.mark.django_db
def test_sixty_events_maps_all_stay_stored_where_two_hundred_entries_thrashed_past_fifty(api):
    events = [event_with_seats(name=f"Night {n}", rows=2, seats_per_row=5) for n in range(60)]
    for event in events:
        assert api.get(f"/api/events/{event.pk}/map/").status_code == 200
    for event in events:  # each answered from what is stored: nothing built again
        version = selectors.map_version_get(event_id=event.pk)
        assert stored_answer(SEAT_MAP, version, "br", "") is not None


@pytest.mark.django_db
def test_past_the_settings_bytes_the_first_events_map_is_built_again_when_asked(api, settings):
    settings.DOCUMENTS_CACHE_BYTES = 20_000
    events = [event_with_seats(name=f"Night {n}", rows=2, seats_per_row=5) for n in range(40)]
    for event in events:
        assert api.get(f"/api/events/{event.pk}/map/").status_code == 200
    first = selectors.map_version_get(event_id=events[0].pk)
    assert stored_answer(SEAT_MAP, first, "br", "") is None  # let go of
    assert api.get(f"/api/events/{events[0].pk}/map/").status_code == 200  # and served again
    assert stored_answer(SEAT_MAP, first, "br", "") is not None

"""Lists a page at a time (reservations/api/pagination.py): the body is the page's array; the
next and previous pages are in `Link`, the count of all in `X-Total-Count`."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reservations.waiting_room import rooms_in_memory

from .conftest import bearer_client
from .factories import UserFactory, event_with_seats

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<([^>]+)>; rel="(next|prev)"')


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.get("Link", ""))}


def test_events_come_a_page_at_a_time_and_the_link_header_leads_through_all(api, settings):
    for n in range(5):
        event_with_seats(rows=1, seats_per_row=2, name=f"Show {n}")

    first = api.get("/api/events/?page_size=2")
    second = api.get(links(first)["next"])
    last = api.get(links(second)["next"])

    assert first["X-Total-Count"] == "5"
    assert [len(r.json()) for r in (first, second, last)] == [2, 2, 1]
    assert "next" not in links(last)
    assert links(second)["prev"].endswith("page_size=2")
    names = [e["name"] for r in (first, second, last) for e in r.json()]
    assert names == [f"Show {n}" for n in range(5)]


def test_the_default_page_is_api_page_size(api, settings):
    for n in range(3):
        event_with_seats(rows=1, seats_per_row=1, name=f"Show {n}")
    settings.API_PAGE_SIZE = 2

    response = api.get("/api/events/")

    assert len(response.json()) == 2
    assert "next" in links(response)


def test_a_page_of_events_counts_its_seats_in_a_constant_number_of_queries(api, monkeypatch):
    for n in range(6):
        event_with_seats(rows=2, seats_per_row=5, name=f"Show {n}")
    # The waiting rooms' copy in memory is read again once a second: on a slow machine, between
    # the two pages (one query more in one of them, whatever their size).
    monkeypatch.setattr(rooms_in_memory, "ROOMS_MAX_AGE", 3600)
    api.get("/api/events/?page_size=1")

    with CaptureQueriesContext(connection) as few:
        api.get("/api/events/?page_size=2")
    with CaptureQueriesContext(connection) as more:
        api.get("/api/events/?page_size=6")

    assert len(few) == len(more)


def test_a_page_past_the_last_is_a_json_404(api):
    event_with_seats(rows=1, seats_per_row=1)

    response = api.get("/api/events/?page=9")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_reservations_are_paginated_newest_first(alice):
    client = bearer_client(alice)
    event = event_with_seats(rows=1, seats_per_row=3)
    made = []
    for n, seat_id in enumerate(event.seats.order_by("id").values_list("id", flat=True)):
        client.post(f"/api/events/{event.id}/seats/{seat_id}/lock/", {}, format="json")
        booked = client.post(
            f"/api/events/{event.id}/reserve/",
            {"seat_ids": [seat_id]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"key-{n}",
        )
        made.append(booked.json()["reservation"]["id"])
    UserFactory(username="bob")

    first = client.get("/api/reservations/?page_size=2")
    rest = client.get(links(first)["next"])

    assert first["X-Total-Count"] == "3"
    assert [r["id"] for r in first.json() + rest.json()] == made[::-1]

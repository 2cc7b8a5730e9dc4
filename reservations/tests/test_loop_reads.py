"""A logged-in arrival's event detail and map documents, answered on the loop (api/loop_reads.py):
the same answers Django gives, header by header, and Django's answer whenever the loop has not
got what it needs."""

import asyncio
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reservations import live_seats, selectors
from reservations.api.loop_app import LoopApp
from reservations.api.loop_database import close_loop_pool
from reservations.services.blocking import seats_block
from reservations.services.categories import category_price_set

from .factories import UserFactory, event_with_seats
from .fast_calls import DjangoStandIn, bearer
from .test_map_document import theatre

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://localhost:5173"


@pytest.fixture
def counts_in_memory():
    """The process's memory of events' seats, as realtime's live map keeps it: here the
    database's count of each event the test names, read when it names it."""
    memory: dict[int, dict] = {}
    live_seats.live_seats_register(lambda *_: None, lambda event_id, _: memory.get(event_id))
    yield lambda event: memory.__setitem__(
        event.pk, selectors._category_counts_counted(event.pk, timezone.now())
    )
    from realtime.hub_live_maps import category_counts, seat_taken_by_other

    live_seats.live_seats_register(seat_taken_by_other, category_counts)


def on_loop(app, requests):
    """Each (path, headers) sent one after the other on a fresh loop: (status, body, headers)."""

    async def scenario():
        try:
            answers = []
            for path, headers in requests:
                answers.append(await _get(app, path, headers))
            return answers
        finally:
            await close_loop_pool()

    return asyncio.run(scenario())


async def _get(app, path, headers):
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "scheme": "http",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 40000),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start, body = sent
    return start["status"], body["body"], {k.decode(): v.decode() for k, v in start["headers"]}


def from_django(path, token, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token.decode(), **headers)
    response = client.get(path)
    return response.status_code, response.content, dict(response.headers)


def lowered(headers, *without):
    return {k.lower(): v for k, v in headers.items() if k.lower() not in without}


def test_the_event_detail_is_django_s_answer_read_on_the_loop(counts_in_memory, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    alice = UserFactory(username="alice")
    event = theatre()
    seats_block(event_id=event.pk, seat_ids=list(event.seats.values_list("id", flat=True)[:3]))
    category = event.categories.order_by("position", "id").first()
    category_price_set(category_id=category.pk, price="99.50")
    counts_in_memory(event)
    token = bearer(alice)
    django_app = DjangoStandIn()
    app = LoopApp(django_app)
    path = f"/api/events/{event.pk}/"
    cases = [
        {},
        {"HTTP_ORIGIN": ORIGIN},
    ]
    for extra in cases:
        asgi_headers = [(b"authorization", token)] + [
            (b"origin", v.encode()) for k, v in extra.items() if k == "HTTP_ORIGIN"
        ]
        [(status, body, headers)] = on_loop(app, [(path, asgi_headers)])
        d_status, d_body, d_headers = from_django(path, token, **extra)
        assert (status, body) == (d_status, d_body)
        assert headers.pop("x-seatmap-path") == "fast"
        assert lowered(headers) == lowered(d_headers)
    assert json.loads(body)["purchase_limit"] == settings.SEAT_PURCHASE_LIMIT  # the default
    # What changes shows at once: a name, the organiser's purchase limit, a price, the counts.
    event.name, event.purchase_limit = "Theatre night, moved", 4
    event.save(update_fields=["name", "purchase_limit"])
    category_price_set(category_id=category.pk, price="12.00")
    seats_block(event_id=event.pk, seat_ids=list(event.seats.values_list("id", flat=True)[3:5]))
    counts_in_memory(event)
    [(status, body, _)] = on_loop(app, [(path, [(b"authorization", token)])])
    assert (status, body) == from_django(path, token)[:2]
    assert b"Theatre night, moved" in body and b'"12.00"' in body
    assert json.loads(body)["purchase_limit"] == 4
    assert django_app.paths == []


def test_a_map_document_is_answered_from_what_the_process_stores(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    alice = UserFactory(username="alice")
    event = theatre()
    token = bearer(alice)
    django_app = DjangoStandIn()
    app = LoopApp(django_app)
    for name in ("map", "layout"):
        path = f"/api/events/{event.pk}/{name}/"
        # Not built in this process yet: Django builds it.
        [(status, _, _)] = on_loop(app, [(path, [(b"authorization", token)])])
        assert status == 299 and django_app.paths == [path]
        django_app.paths.clear()
        for coding in ("br", "gzip", "identity"):
            accept = {"HTTP_ACCEPT_ENCODING": coding}
            d_status, d_body, d_headers = from_django(path, token, **accept)
            assert d_status == 200
            tag = d_headers["ETag"]
            for extra in (accept, {**accept, "HTTP_IF_NONE_MATCH": tag}, {"HTTP_ORIGIN": ORIGIN}):
                asgi_headers = [(b"authorization", token)] + [
                    (k.removeprefix("HTTP_").lower().replace("_", "-").encode(), v.encode())
                    for k, v in extra.items()
                ]
                [(status, body, headers)] = on_loop(app, [(path, asgi_headers)])
                expected_status, expected_body, expected_headers = from_django(path, token, **extra)
                assert (status, body) == (expected_status, expected_body), (name, extra)
                assert status == (304 if "HTTP_IF_NONE_MATCH" in extra else 200)
                assert headers.pop("x-seatmap-path") == "fast"
                # Django's CSP middleware puts a page's policy on a 304 (it has no type, so
                # it might be a page); the stored JSON it revalidates needs none.
                without = ("content-security-policy",) if status == 304 else ()
                assert lowered(headers) == lowered(expected_headers, *without), (name, extra)
    assert django_app.paths == []


def test_errors_on_the_loop_are_django_s_errors(counts_in_memory):
    alice = UserFactory(username="alice")
    grid = event_with_seats(rows=1, seats_per_row=2)
    token = bearer(alice)
    app = LoopApp(DjangoStandIn())
    cases = [
        (f"/api/events/{grid.pk + 1000}/", token),  # no such event
        (f"/api/events/{grid.pk + 1000}/map/", token),
        (f"/api/events/{grid.pk}/layout/", token),  # a grid has no layout
        (f"/api/events/{grid.pk}/", b"Bearer not-a-token"),
    ]
    for path, sent_token in cases:
        [(status, body, headers)] = on_loop(app, [(path, [(b"authorization", sent_token)])])
        d_status, d_body, d_headers = from_django(path, sent_token)
        assert status in (401, 404)
        assert (status, body) == (d_status, d_body), path
        headers.pop("x-seatmap-path")
        assert lowered(headers) == lowered(d_headers), path


def test_what_the_loop_has_not_got_goes_to_django():
    """Anonymous reads (limited per address there), other methods, and an event this process
    has no counts of in memory."""
    alice = UserFactory(username="alice")
    event = event_with_seats(rows=1, seats_per_row=2)
    django_app = DjangoStandIn()
    app = LoopApp(django_app)
    token = bearer(alice)
    detail = f"/api/events/{event.pk}/"
    requests = [
        (detail, []),  # anonymous
        (f"{detail}map/", []),
        (detail, [(b"authorization", token)]),  # no live map of it here
    ]
    answers = on_loop(app, requests)
    assert [status for status, _, _ in answers] == [299, 299, 299]
    assert django_app.paths == [detail, f"{detail}map/", detail]

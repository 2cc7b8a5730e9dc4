"""The seat map's static document (GET .../map/) and the layout: what they say, how they are
encoded, revalidated and built once per version of the event's map."""

import gzip
import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import brotli
import orjson
import pytest
from django.utils import timezone

from reservations import selectors
from reservations.api import map_presenters
from reservations.api.content_coding import coding_for
from reservations.services.blocking import seats_block
from reservations.services.categories import category_price_set, seats_category_set
from reservations.services.venues import event_create_from_layout_file

from .admin_forms import event_change_form
from .factories import event_with_seats

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "venues" / "examples"
BITS = {"accessible": 1, "companion": 2, "restricted_view": 4, "blocked": 8}


def theatre():
    return event_create_from_layout_file(
        data=(EXAMPLES / "theatre.json").read_bytes(),
        name="Theatre night",
        starts_at=timezone.now() + timedelta(days=9),
    )


def seat_map(api, event, **headers):
    answer = api.get(f"/api/events/{event.pk}/map/", **headers)
    assert answer.status_code == 200, answer.content[:300]
    return answer


def decoded(answer) -> bytes:
    coding = answer.get("Content-Encoding", "identity")
    return {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}[coding](
        answer.content
    )


def seats_of(document) -> list[dict]:
    """The document's columns back as one dict per seat, in the seat list's terms."""
    columns, categories = document["seats"], document["categories"]
    seats = []
    for i, seat_id in enumerate(columns["id"]):
        category = categories[columns["category"][i]]
        seat = {
            "id": seat_id,
            "label": columns["label"][i],
            "section": document["sections"][columns["section"][i]],
            "row": columns["row"][i],
            "number": columns["number"][i],
            "category": category["id"],
            "price": category["price"],
            **{flag: bool(columns["flags"][i] & bit) for flag, bit in BITS.items()},
        }
        if "x" in columns:
            seat.update(x=columns["x"][i], y=columns["y"][i], rotation=columns["rotation"][i])
        seats.append(seat)
    return seats


STATIC = ("id", "label", "section", "row", "number", "category", "price", *BITS)


def test_a_theatre_map_says_what_the_seat_list_and_the_layout_say_of_every_seat(api):
    event = theatre()
    some = list(event.seats.order_by("id").values_list("id", flat=True)[40:43])
    seats_block(event_id=event.pk, seat_ids=some, reason="camera")
    document = orjson.loads(decoded(seat_map(api, event, HTTP_ACCEPT_ENCODING="br")))
    listed = api.get(f"/api/events/{event.pk}/seats/").json()["seats"]
    layout = api.get(f"/api/events/{event.pk}/layout/").json()

    assert len(listed) == 1986 and document["seats_total"] == 1986
    mapped = seats_of(document)
    assert [{k: s[k] for k in STATIC} for s in mapped] == [
        {k: s[k] for k in STATIC} for s in listed
    ]
    assert [(s["id"], s["x"], s["y"], s["rotation"]) for s in mapped] == [
        (s["id"], s["x"], s["y"], s["rotation"]) for s in layout["seats"]
    ]
    assert document["plan"] == {k: layout[k] for k in ("width", "height", "shapes")}
    assert sum(s["blocked"] for s in mapped) == 3
    assert {s["accessible"] for s in mapped} == {True, False}  # the flags are exercised
    detail = api.get(f"/api/events/{event.pk}/").json()["categories"]
    assert document["categories"] == [
        {k: c[k] for k in ("id", "name", "price", "colour")} for c in detail
    ]


def test_a_grid_map_has_no_plan_and_the_seat_list_s_places(api):
    event = event_with_seats(rows=3, seats_per_row=4, sections=2, price="12.50")
    document = seat_map(api, event).json()
    listed = api.get(f"/api/events/{event.pk}/seats/").json()["seats"]
    assert document["plan"] is None and "x" not in document["seats"]
    assert document["sections"] == ["Floor", "Balcony"]
    assert [{k: s[k] for k in STATIC} for s in seats_of(document)] == [
        {k: s[k] for k in STATIC} for s in listed
    ]
    assert document["categories"][0]["price"] == "12.50"


@pytest.mark.parametrize("path", ["map", "layout"])
def test_each_coding_decodes_to_the_identity_body_under_a_tag_of_its_own(api, path):
    event = theatre()
    url = f"/api/events/{event.pk}/{path}/"
    plain = api.get(url)
    assert "Content-Encoding" not in plain
    answers = [plain]
    for accept, coding in (("gzip", "gzip"), ("gzip, deflate, br, zstd", "br")):
        answer = api.get(url, HTTP_ACCEPT_ENCODING=accept)
        assert answer["Content-Encoding"] == coding
        assert decoded(answer) == plain.content
        assert len(answer.content) < len(plain.content) / 3
        answers.append(answer)
    tags = {answer["ETag"] for answer in answers}
    for answer in answers:
        assert "Accept-Encoding" in answer["Vary"]
        assert answer["Cache-Control"] == "public, no-cache"
        assert answer["Content-Type"] == "application/json"
    assert len(tags) == 3 and not any(tag.startswith("W/") for tag in tags)


def test_the_layout_is_byte_for_byte_what_it_was_with_the_same_tag(api):
    event = theatre()
    before = orjson.dumps(map_presenters.layout_json(selectors.layout_get(event_id=event.pk)))
    answer = api.get(f"/api/events/{event.pk}/layout/")
    assert answer.content == before
    assert answer["ETag"] == f'"{hashlib.sha256(before).hexdigest()[:32]}"'


@pytest.mark.parametrize("path", ["map", "layout"])
@pytest.mark.parametrize("accept", ["", "gzip", "br, gzip"])
def test_a_revalidation_is_a_304_read_from_one_row(api, path, accept, django_assert_num_queries):
    event = theatre()
    url = f"/api/events/{event.pk}/{path}/"
    tag = api.get(url, HTTP_ACCEPT_ENCODING=accept)["ETag"]
    with django_assert_num_queries(1):
        again = api.get(url, HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=tag)
    assert (again.status_code, again.content) == (304, b"")
    assert again["ETag"] == tag and "Accept-Encoding" in again["Vary"]
    assert again["Cache-Control"] == "public, no-cache"
    listed = api.get(url, HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=f'"x", {tag}')
    assert listed.status_code == 304
    stale = api.get(url, HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH='"stale"')
    assert stale.status_code == 200


def test_another_coding_s_tag_is_answered_with_the_coding_asked_for(api):
    event = theatre()
    url = f"/api/events/{event.pk}/map/"
    gzip_tag = api.get(url, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    answer = api.get(url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=gzip_tag)
    assert (answer.status_code, answer["Content-Encoding"]) == (200, "br")


def test_the_second_request_is_not_built_again(api, monkeypatch, django_assert_num_queries):
    event = theatre()
    built = []
    build = map_presenters.seat_plan_json
    monkeypatch.setattr(
        map_presenters, "seat_plan_json", lambda plan: built.append(1) or build(plan)
    )
    first = seat_map(api, event, HTTP_ACCEPT_ENCODING="br")
    with django_assert_num_queries(1):
        second = seat_map(api, event, HTTP_ACCEPT_ENCODING="br")
    with django_assert_num_queries(1):
        third = seat_map(api, event)
    assert built == [1]
    assert second.content == first.content and decoded(third) == decoded(first)


def test_a_reprice_changes_the_tag_and_the_price(api):
    event = theatre()
    before = seat_map(api, event, HTTP_ACCEPT_ENCODING="br")
    category = event.categories.get(name="Premium")
    category_price_set(category_id=category.pk, price=Decimal("99.50"))

    revalidated = api.get(
        f"/api/events/{event.pk}/map/",
        HTTP_ACCEPT_ENCODING="br",
        HTTP_IF_NONE_MATCH=before["ETag"],
    )
    assert revalidated.status_code == 200 and revalidated["ETag"] != before["ETag"]
    document = orjson.loads(decoded(revalidated))
    (premium,) = [c for c in document["categories"] if c["id"] == category.pk]
    assert premium["price"] == "99.50"
    assert document["version"] == orjson.loads(decoded(before))["version"] + 1
    premium_seats = set(event.seats.filter(category=category).values_list("id", flat=True))
    assert {s["id"] for s in seats_of(document) if s["price"] == "99.50"} == premium_seats


def test_moving_seats_to_another_category_and_blocking_change_the_document(api):
    event = theatre()
    first_id = event.seats.order_by("id").values_list("id", flat=True)[0]
    economy = event.categories.get(name="Economy")
    tags = [seat_map(api, event)["ETag"]]
    seats_category_set(event_id=event.pk, category_id=economy.pk, seat_ids=[first_id])
    tags.append(seat_map(api, event)["ETag"])
    seats_block(event_id=event.pk, seat_ids=[first_id])
    answer = seat_map(api, event)
    tags.append(answer["ETag"])
    first = seats_of(answer.json())[0]
    assert (first["category"], first["blocked"]) == (economy.pk, True)
    assert len(set(tags)) == 3


def test_a_category_renamed_in_the_admin_changes_the_document(api, admin_client):
    event = event_with_seats(rows=1, seats_per_row=2)
    (category,) = event.categories.all()
    tag = seat_map(api, event)["ETag"]
    response = admin_client.post(
        f"/admin/reservations/event/{event.pk}/change/",
        event_change_form(event, category, name="Stalls", colour="#123456"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    answer = api.get(f"/api/events/{event.pk}/map/", HTTP_IF_NONE_MATCH=tag)
    assert answer.status_code == 200
    assert answer.json()["categories"][0] | {"id": 0} == {
        "id": 0,
        "name": "Stalls",
        "price": f"{category.price:.2f}",
        "colour": "#123456",
    }


@pytest.mark.parametrize("path", ["map", "layout"])
def test_an_unknown_event_is_the_json_404(api, path):
    answer = api.get(f"/api/events/999999/{path}/", HTTP_ACCEPT_ENCODING="br")
    assert answer.status_code == 404
    assert answer.json() == {"error": "No such event.", "code": "not_found"}


def test_a_grid_event_has_a_map_but_no_layout(api):
    event = event_with_seats(rows=1, seats_per_row=3)
    assert seat_map(api, event).json()["seats_total"] == 3
    answer = api.get(f"/api/events/{event.pk}/layout/")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_other_methods_are_the_json_405(api):
    event = event_with_seats(rows=1, seats_per_row=3)
    answer = api.post(f"/api/events/{event.pk}/map/", {}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("", "identity"),
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", "identity"),
        ("x-gzip", "gzip"),
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("identity;q=0, *;q=0", "identity"),  # nothing it takes: identity after all
        ("BR;Q=1", "br"),
        ("br;q=junk, gzip", "gzip"),
        ("deflate, zstd", "identity"),
    ],
)
def test_the_coding_follows_accept_encoding(accept, coding):
    assert coding_for(accept) == coding

"""Venues: a room from a layout file, events sold in it, the drawing, and the file back out."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from reservations.models import Event, LayoutSeat, PriceCategory, Seat, VenueLayout
from reservations.services.categories import category_price_set
from reservations.services.venues import (
    event_create_from_layout_file,
    event_create_on_layout,
    layout_spec_of_event,
)
from reservations.venues.layout_file import LayoutError, layout_document, parse_layout

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "venues" / "examples"
SMALL = {
    "format": "seatmap-layout/1",
    "name": "Studio",
    "width": 100,
    "height": 60,
    "categories": [
        {"name": "Front", "price": "40.00", "colour": "#aa0000"},
        {"name": "Back", "price": "20.00", "colour": "#0000aa"},
    ],
    "shapes": [{"kind": "rect", "x": 30, "y": 0, "width": 40, "height": 8, "role": "stage"}],
    "sections": [
        {
            "name": "Stalls",
            "rows": [
                {
                    "name": "A",
                    "category": "Front",
                    "seats": [
                        {"number": 1, "x": 40, "y": 20, "accessible": True},
                        {"number": 2, "x": 48, "y": 20, "companion": True},
                        {"number": 3, "x": 56, "y": 20, "rotation": 5},
                    ],
                },
                {
                    "name": "B",
                    "category": "Back",
                    "seats": [
                        {"number": 1, "x": 40, "y": 30, "restricted_view": True},
                        {"number": 2, "x": 48, "y": 30},
                    ],
                },
            ],
        }
    ],
}


def starts():
    return timezone.now() + timedelta(days=10)


def studio(**document_changes) -> Event:
    document = {**SMALL, **document_changes}
    return event_create_from_layout_file(
        data=json.dumps(document), name="Studio night", starts_at=starts()
    )


def test_an_event_from_a_layout_file_has_its_rooms_seats_prices_and_flags():
    event = studio()
    seats = list(event.seats.order_by("id"))
    assert [s.label for s in seats] == [s.label for s in parse_layout(json.dumps(SMALL)).seats]
    assert [(s.row, s.number) for s in seats] == [("A", 1), ("A", 2), ("A", 3), ("B", 1), ("B", 2)]
    assert [s.price for s in seats] == [Decimal("40.00")] * 3 + [Decimal("20.00")] * 2
    assert (seats[0].accessible, seats[1].companion, seats[3].restricted_view) == (True,) * 3
    assert (seats[2].x, seats[2].y, seats[2].rotation) == (56, 20, 5)
    assert list(event.categories.values_list("name", "price", "colour", "position")) == [
        ("Front", Decimal("40.00"), "#aa0000", 0),
        ("Back", Decimal("20.00"), "#0000aa", 1),
    ]
    assert event.layout.shapes == SMALL["shapes"]


def test_a_layout_is_reusable_and_each_event_gets_its_own_seats_and_prices():
    first = studio()
    second = event_create_on_layout(layout=first.layout, name="Matinee", starts_at=starts())
    assert second.seats.count() == first.seats.count() == 5
    assert not set(first.seats.values_list("id", flat=True)) & set(
        second.seats.values_list("id", flat=True)
    )
    front = second.categories.get(name="Front")
    category_price_set(category_id=front.pk, price=Decimal("45.00"))
    assert set(first.seats.filter(row="A").values_list("price", flat=True)) == {Decimal("40.00")}
    assert VenueLayout.objects.count() == 1


@pytest.mark.parametrize(
    "change, place",
    [
        (
            {
                "sections": [
                    {
                        "name": "Stalls",
                        "rows": [{"name": "A", "seats": [{"number": 1, "x": 1, "y": 1}]}],
                    }
                ]
            },
            "/sections/0/rows/0/seats/0",
        ),
        ({"assignments": [{"category": "Front", "section": "Circle"}]}, "/assignments/0/section"),
        (
            {"categories": [{"name": "Front", "price": "x", "colour": "#aa0000"}]},
            "/categories/0/price",
        ),
    ],
    ids=["seat without category", "unknown section", "bad price"],
)
def test_a_bad_layout_file_names_the_place_and_writes_nothing(change, place):
    with pytest.raises(LayoutError) as refusal:
        studio(**change)
    assert refusal.value.place.startswith(place)
    assert (Event.objects.count(), VenueLayout.objects.count(), LayoutSeat.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_duplicate_label_writes_nothing():
    row = SMALL["sections"][0]["rows"][0]
    twice = {**row, "seats": [*row["seats"], {"number": 9, "x": 80, "y": 20, "label": row_label()}]}
    with pytest.raises(LayoutError) as refusal:
        studio(sections=[{"name": "Stalls", "rows": [twice]}])
    assert "label" in refusal.value.message.lower() or "label" in refusal.value.place
    assert Seat.objects.count() == 0 and VenueLayout.objects.count() == 0


def row_label() -> str:
    return parse_layout(json.dumps(SMALL)).seats[0].label


def test_malformed_json_is_refused_with_its_place():
    with pytest.raises(LayoutError) as refusal:
        event_create_from_layout_file(data=b'{"format": ', name="x", starts_at=starts())
    assert refusal.value.place == "/"
    assert Event.objects.count() == 0


@pytest.mark.parametrize("example", ["theatre.json", "arena.json"])
def test_an_example_round_trips_through_an_event(example):
    data = (EXAMPLES / example).read_bytes()
    event = event_create_from_layout_file(data=data, name=example, starts_at=starts())

    exported = layout_spec_of_event(event_id=event.pk)
    again = event_create_from_layout_file(
        data=json.dumps(layout_document(exported)), name="again", starts_at=starts()
    )

    assert exported == parse_layout(data)
    assert layout_spec_of_event(event_id=again.pk) == exported


def test_export_writes_the_events_current_prices(tmp_path):
    event = studio()
    back = event.categories.get(name="Back")
    category_price_set(category_id=back.pk, price=Decimal("25.00"))
    out = StringIO()
    call_command("export_layout", str(event.pk), stdout=out)
    spec = parse_layout(out.getvalue())
    assert {c.name: c.price for c in spec.categories} == {
        "Front": Decimal("40.00"),
        "Back": Decimal("25.00"),
    }


def test_create_event_with_a_layout_prints_the_id_alone_on_its_last_line(tmp_path):
    file = tmp_path / "studio.json"
    file.write_text(json.dumps(SMALL))
    out = StringIO()
    call_command("create_event", "--name", "From a file", "--layout", str(file), stdout=out)
    event_id = int(out.getvalue().strip().splitlines()[-1])
    assert Event.objects.get(pk=event_id).seats.count() == 5


def test_create_event_with_a_bad_layout_says_where_and_writes_nothing(tmp_path):
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({**SMALL, "categories": []}))
    with pytest.raises(CommandError, match=r"bad\.json/"):
        call_command("create_event", "--name", "Nope", "--layout", str(file))
    assert Event.objects.count() == 0 and PriceCategory.objects.count() == 0


# --- The drawing -------------------------------------------------------------------------------


def test_the_layout_answers_positions_and_shapes_with_an_etag(api):
    event = studio()
    answer = api.get(f"/api/events/{event.pk}/layout/")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["event_id"], body["width"], body["height"]) == (event.pk, 100, 60)
    first = event.seats.order_by("id").first()
    assert body["seats"][0] == {"id": first.pk, "x": 40.0, "y": 20.0, "rotation": 0.0}
    assert body["shapes"] == SMALL["shapes"]
    etag = answer["ETag"]

    again = api.get(f"/api/events/{event.pk}/layout/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    other = api.get(f"/api/events/{event.pk}/layout/", HTTP_IF_NONE_MATCH='"stale"')
    assert other.status_code == 200


def test_a_grid_event_has_no_layout(api, event):
    answer = api.get(f"/api/events/{event.pk}/layout/")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert api.get("/api/events/999999/layout/").status_code == 404


def test_seat_list_of_a_layout_event_carries_categories_and_flags(api):
    event = studio()
    body = api.get(f"/api/events/{event.pk}/seats/").json()
    front = event.categories.get(name="Front").pk
    first, second = body["seats"][:2]
    assert (first["category"], first["accessible"], second["companion"]) == (front, True, True)
    assert first["price"] == "40.00"

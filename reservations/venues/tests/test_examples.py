"""The example layouts (examples/) have what docs/LAYOUT.md says they have, read back from
what they write, and are what examples/generate.py writes."""

import json
import re
from collections import defaultdict

import pytest

from reservations.venues.examples import generate
from reservations.venues.layout_file import LayoutSpec, SeatSpec, layout_document, parse_layout

from .documents import example_text


@pytest.fixture(scope="module")
def theatre() -> LayoutSpec:
    return parse_layout(example_text("theatre.json"))


@pytest.fixture(scope="module")
def arena() -> LayoutSpec:
    return parse_layout(example_text("arena.json"))


def _rows(spec: LayoutSpec) -> dict[tuple[str, str], list[SeatSpec]]:
    rows = defaultdict(list)
    for seat in spec.seats:
        rows[(seat.section, seat.row)].append(seat)
    return rows


def _beside(spec: LayoutSpec, seat: SeatSpec) -> list[SeatSpec]:
    return [
        other
        for other in _rows(spec)[(seat.section, seat.row)]
        if abs(other.number - seat.number) == 1
    ]


@pytest.mark.parametrize("name", ["theatre.json", "arena.json"])
def test_an_example_written_back_reads_as_the_same_layout(name):
    spec = parse_layout(example_text(name))

    assert parse_layout(json.dumps(layout_document(spec))) == spec


@pytest.mark.parametrize(
    ("name", "text_of"),
    [("theatre.json", generate.theatre_text), ("arena.json", generate.arena_text)],
)
def test_the_committed_examples_are_what_the_script_writes(name, text_of):
    assert text_of() == example_text(name), "run: python -m reservations.venues.examples.generate"


def test_the_theatre_has_about_two_thousand_seats_in_its_sections(theatre):
    assert 1_900 <= len(theatre.seats) <= 2_100
    assert theatre.sections == ("Stalls", "Boxes", "Dress Circle", "Upper Circle")


def test_the_arena_has_about_twenty_thousand_seats_around_its_floor(arena):
    assert 19_000 <= len(arena.seats) <= 21_000
    assert len(arena.sections) == 45
    floor = next(s for s in arena.shapes if s.get("label", "").startswith("Floor"))
    inside = [
        seat
        for seat in arena.seats
        if floor["x"] <= seat.x <= floor["x"] + floor["width"]
        and floor["y"] <= seat.y <= floor["y"] + floor["height"]
    ]
    assert inside == []


def test_the_theatre_has_three_price_categories_of_distinct_colours_all_sold(theatre):
    names = [category.name for category in theatre.categories]

    assert names == ["Premium", "Standard", "Economy"]
    assert len({category.colour for category in theatre.categories}) == 3
    assert {seat.category for seat in theatre.seats} == set(names)
    prices = [category.price for category in theatre.categories]
    assert prices == sorted(prices, reverse=True)


def test_the_arena_has_three_categories_all_sold(arena):
    assert len({category.colour for category in arena.categories}) == 3
    assert {seat.category for seat in arena.seats} == {c.name for c in arena.categories}


@pytest.mark.parametrize("name", ["theatre", "arena"])
def test_every_wheelchair_space_has_a_companion_seat_beside_it(name, request):
    spec = request.getfixturevalue(name)
    spaces = [seat for seat in spec.seats if seat.accessible]
    companions = [seat for seat in spec.seats if seat.companion]

    assert len(spaces) >= 4
    assert len(companions) == len(spaces)
    for seat in spaces:
        assert any(other.companion for other in _beside(spec, seat)), seat.label
    for seat in companions:
        assert any(other.accessible for other in _beside(spec, seat)), seat.label


def test_the_theatres_restricted_view_seats_are_at_the_ends_of_rows(theatre):
    rows = _rows(theatre)
    restricted = [seat for seat in theatre.seats if seat.restricted_view]

    assert len(restricted) >= 20
    for seat in restricted:
        row = rows[(seat.section, seat.row)]
        assert seat in row[:2] + row[-2:], seat.label


def test_the_theatres_stalls_are_curved_rows_split_by_a_centre_aisle(theatre):
    for (section, _), seats in _rows(theatre).items():
        if section != "Stalls":
            continue
        aisle = [seat for seat in seats if seat.aisle]
        assert [seat.number for seat in aisle] == [len(seats) // 2, len(seats) // 2 + 1]
        gaps = [b.x - a.x for a, b in zip(seats, seats[1:], strict=False)]
        assert max(gaps) == pytest.approx(aisle[1].x - aisle[0].x)
        assert max(gaps) > 1.5 * min(gaps)
        assert seats[0].rotation > 0 > seats[-1].rotation  # turned towards the stage
        assert seats[0].y < seats[len(seats) // 2].y  # the ends are nearer the stage


def test_the_theatre_has_boxes_labelled_box_a1_and_so_on(theatre):
    boxes = [seat for seat in theatre.seats if seat.section == "Boxes"]

    assert [seat.label for seat in boxes[:4]] == ["Box A1", "Box A2", "Box A3", "Box A4"]
    assert {seat.row for seat in boxes} == {"A", "B", "C", "D"}
    assert {seat.category for seat in boxes} == {"Premium"}


@pytest.mark.parametrize("name", ["theatre", "arena"])
def test_an_example_has_a_stage_and_its_section_names_drawn(name, request):
    spec = request.getfixturevalue(name)
    stages = [s for s in spec.shapes if s["kind"] == "rect" and s.get("role") == "stage"]
    texts = {s["text"] for s in spec.shapes if s["kind"] == "text"}

    assert len(stages) == 1
    if name == "theatre":
        assert {"Stalls", "Dress Circle", "Upper Circle"} <= texts
    else:
        assert set(spec.sections) <= texts


def test_the_theatre_paints_categories_at_every_level_the_format_has():
    document = json.loads(example_text("theatre.json"))
    sections = document["sections"]
    rows = [row for section in sections for row in section["rows"]]
    seats = [seat for row in rows for seat in row["seats"]]

    assert all("category" in section for section in sections)
    assert any("category" in row for row in rows)
    assert any("category" in seat for seat in seats)
    assert any("rows" in assignment for assignment in document["assignments"])


def test_the_arena_file_is_compact():
    text = example_text("arena.json")

    assert text.count("\n") == 1 and text.endswith("}\n")
    assert ": " not in text and ", " not in text
    assert not re.search(r"[:,\[]-?[0-9]+\.[0-9]{2}", text)  # numbers have one decimal at most
    sections = json.loads(text)["sections"]
    seats = [seat for section in sections for row in section["rows"] for seat in row["seats"]]
    assert not any("label" in seat for seat in seats)  # every label is the default one

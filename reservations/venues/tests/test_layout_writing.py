"""Writing a layout file back (docs/LAYOUT.md, "Writing a layout"): short, and read again it
gives the same room. Pure: no database."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reservations.venues.layout_file import LAYOUT_FORMAT, layout_document, parse_layout

from .documents import read, small_hall


def test_writing_a_layout_and_reading_it_again_gives_the_same_layout():
    spec = read(small_hall())

    assert parse_layout(json.dumps(layout_document(spec))) == spec


def test_a_written_layout_says_each_category_once_where_it_can():
    hall = small_hall()
    hall["sections"][0]["rows"][1]["seats"].append({"number": 3, "x": 190, "y": 130})

    written = layout_document(read(hall))

    stalls, balcony = written["sections"]
    assert written["format"] == LAYOUT_FORMAT
    assert "assignments" not in written
    assert stalls["category"] == "Standard"
    assert "category" not in stalls["rows"][0]
    assert stalls["rows"][1]["category"] == "Economy"
    assert stalls["rows"][1]["seats"][0]["category"] == "Premium"
    assert balcony["category"] == "Premium"
    assert written["categories"][0] == {"name": "Premium", "price": "85.00", "colour": "#c0392b"}


def test_a_written_layout_gives_labels_only_where_the_prefix_does_not():
    hall = small_hall()
    hall["sections"][1]["prefix"] = "Bal"

    balcony = layout_document(read(hall))["sections"][1]

    assert balcony["prefix"] == "Bal"
    assert [seat.get("label") for row in balcony["rows"] for seat in row["seats"]] == [None, None]


def test_a_written_layout_writes_whole_numbers_without_a_point_and_leaves_out_what_is_false():
    seat = layout_document(read(small_hall()))["sections"][0]["rows"][0]["seats"][2]

    assert json.dumps(seat) == '{"number": 3, "x": 190, "y": 100, "companion": true, "aisle": true}'


@st.composite
def layouts(draw) -> dict:
    """A valid layout of a few seats using every feature the format has, at random."""
    names = st.text("abcdefgh", min_size=1, max_size=8)
    category_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    category = st.sampled_from(category_names)
    width = draw(st.floats(1, 1e6))
    height = draw(st.floats(1, 1e6))
    section_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    sections = []
    assignments = []
    label_count = 0
    for index, name in enumerate(section_names):
        section = {"name": name}
        if draw(st.booleans()):
            section["prefix"] = f"P{index}"  # names have no capitals: no label of another
        if draw(st.booleans()):
            section["category"] = draw(category)
        else:
            assignments.append({"category": draw(category), "section": name})
        row_names = draw(
            st.lists(st.text("AB1", min_size=1, max_size=3), min_size=1, max_size=3, unique=True)
        )
        section["rows"] = []
        for row_name in row_names:
            row = {"name": row_name, "seats": []}
            if draw(st.booleans()):
                row["category"] = draw(category)
            for number in draw(st.lists(st.integers(1, 999), min_size=1, max_size=4, unique=True)):
                seat = {
                    "number": number,
                    "x": draw(st.floats(0, width)),
                    "y": draw(st.floats(0, height)),
                }
                if draw(st.booleans()):
                    seat["rotation"] = draw(st.floats(-360, 360))
                if draw(st.booleans()):
                    label_count += 1
                    seat["label"] = f"L{label_count}"
                if draw(st.booleans()):
                    seat["category"] = draw(category)
                for flag in ("accessible", "companion", "restricted_view", "aisle"):
                    if draw(st.booleans()):
                        seat[flag] = draw(st.booleans())
                row["seats"].append(seat)
            section["rows"].append(row)
        if draw(st.booleans()):
            bounds = draw(st.lists(st.sampled_from(row_names), min_size=1, max_size=2))
            assignments.append({"category": draw(category), "section": name, "rows": bounds})
        sections.append(section)
    return {
        "format": LAYOUT_FORMAT,
        "name": draw(names),
        "width": width,
        "height": height,
        "categories": [
            {
                "name": name,
                "price": f"{draw(st.integers(0, 10**6))}.{draw(st.integers(0, 99))}",
                "colour": draw(st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True)),
            }
            for name in category_names
        ],
        "shapes": [
            {"kind": "rect", "x": 0, "y": 0, "width": width, "height": height / 2, "label": "x"},
            {"kind": "text", "x": width, "y": height, "text": "t"},
        ],
        "sections": sections,
        "assignments": assignments,
    }


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_any_layout_written_and_read_again_is_the_same_layout(document):
    spec = read(document)

    again = parse_layout(json.dumps(layout_document(spec)))

    assert again == spec
    assert layout_document(again) == layout_document(spec)

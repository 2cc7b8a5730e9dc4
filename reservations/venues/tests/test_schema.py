"""layout.schema.json, for people who check their files with their own tools, agrees with
the importer: what the importer reads the schema accepts, and what the schema refuses the
importer refuses too (the importer checks more: references, uniqueness, the plan's bounds)."""

import copy
import json

import jsonschema
import pytest

from reservations.venues.layout_file import LAYOUT_FORMAT, LayoutError, layout_document

from .documents import SCHEMA, example_text, read, small_hall


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_is_draft_2020_12_of_this_format():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"] == {"const": LAYOUT_FORMAT}
    assert set(schema["required"]) == {"format", "name", "width", "height", "categories"} | {
        "sections"
    }


@pytest.mark.parametrize("name", ["theatre.json", "arena.json"])
def test_the_examples_are_valid_under_the_schema(validator, name):
    assert list(validator.iter_errors(json.loads(example_text(name)))) == []


def test_a_small_layout_and_what_the_importer_writes_are_valid_under_the_schema(validator):
    hall = small_hall()

    assert list(validator.iter_errors(hall)) == []
    assert list(validator.iter_errors(layout_document(read(hall)))) == []


def _changed(path: tuple, value) -> dict:
    hall = copy.deepcopy(small_hall())
    target = hall
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return hall


SEAT = ("sections", 0, "rows", 0, "seats", 0)
REFUSED_BY_BOTH = {
    "another format": (("format",), "seatmap-layout/2"),
    "missing name": (("name",), KeyError),
    "width a string": (("width",), "400"),
    "no categories": (("categories",), []),
    "colour a name": (("categories", 0, "colour"), "red"),
    "negative price": (("categories", 0, "price"), "-1.00"),
    "price a number": (("categories", 0, "price"), 85),
    "price of three places": (("categories", 0, "price"), "1.005"),
    "unknown key": (("sections", 0, "seating"), "yes"),
    "rect role": (("shapes", 0, "role"), "bar"),
    "shape kind": (("shapes", 0, "kind"), "circle"),
    "no sections": (("sections",), []),
    "row without seats": (("sections", 0, "rows", 0, "seats"), []),
    "seat number zero": ((*SEAT, "number"), 0),
    "seat number a fraction": ((*SEAT, "number"), 1.5),
    "negative x": ((*SEAT, "x"), -1),
    "label too long": ((*SEAT, "label"), "L" * 21),
    "row name too long": (("sections", 0, "rows", 0, "name"), "R" * 11),
    "flag a string": ((*SEAT, "aisle"), "yes"),
    "name with a space at the end": (("sections", 0, "name"), "Stalls "),
    "name ending in a newline": (("sections", 0, "name"), "Stalls\n"),
    "colour ending in a newline": (("categories", 0, "colour"), "#c0392b\n"),
    "assignment of three rows": (("assignments", 0, "rows"), ["A", "B", "A"]),
}


@pytest.mark.parametrize(("path", "value"), REFUSED_BY_BOTH.values(), ids=REFUSED_BY_BOTH)
def test_what_the_schema_refuses_the_importer_refuses(validator, path, value):
    hall = _changed(path, value)

    assert list(validator.iter_errors(hall)) != []
    with pytest.raises(LayoutError):
        read(hall)

"""Every way a layout file can be wrong: a LayoutError naming the place of the fault and what
to change there. Pure: no database."""

import json
import pickle
import sys

import pytest

from reservations.venues.layout_file import references

from .documents import read, reading_fails, small_hall

STALLS_A = "/sections/0/rows/0"
STALLS_B = "/sections/0/rows/1"


def test_a_layout_error_is_a_value_error_that_says_its_place_first():
    error = reading_fails("{")

    assert isinstance(error, ValueError)
    assert str(error) == f"{error.place}: {error.message}"
    assert pickle.loads(pickle.dumps(error)).place == "/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        ('{"format": "seatmap-layout/1",\n "name": }', "(line 2, column 10)"),
        ('{"format": "seatmap-layout/1"} trailing', "Extra data (line 1, column 32)"),
        (b"\xff\xfe\xff", "not text"),
        ("[" * 100_000, "nested too deeply"),
        ("[]", "a layout file is a JSON object, not an array"),
        ("null", "not null"),
    ],
)
def test_what_is_not_a_layout_object_is_an_error_of_the_whole_file(data, message):
    error = reading_fails(data)

    assert error.place == "/"
    assert message in error.message


def _without(key):
    return lambda hall: hall.pop(key)


def _seat(section=0, row=0, seat=0):
    return lambda hall: hall["sections"][section]["rows"][row]["seats"][seat]


def _set(target, **changes):
    return lambda hall: target(hall).update(changes)


def _remove(target, key):
    return lambda hall: target(hall).pop(key)


def _root(hall):
    return hall


def _category(index):
    return lambda hall: hall["categories"][index]


def _section(index):
    return lambda hall: hall["sections"][index]


def _row(section, row):
    return lambda hall: hall["sections"][section]["rows"][row]


def _shape(index):
    return lambda hall: hall["shapes"][index]


def _assignment(index):
    return lambda hall: hall["assignments"][index]


SEAT = f"{STALLS_A}/seats/0"

BAD_FILES = {
    # format and fields
    "missing format": (_without("format"), "/format", "missing"),
    "another format": (_set(_root, format="seatmap-layout/2"), "/format", "seatmap-layout/2"),
    "missing name": (_without("name"), "/name", 'a layout needs "name"'),
    "missing sections": (_without("sections"), "/sections", "missing"),
    "unknown key": (_set(_root, colour="red"), "/colour", "not a key of a layout"),
    "name not a string": (_set(_root, name=7), "/name", "must be a string, not a number"),
    "width a string": (_set(_root, width="400"), "/width", "must be a number, not a string"),
    "width zero": (_set(_root, width=0), "/width", "more than 0"),
    "width true": (_set(_root, width=True), "/width", "must be a number, not true"),
    "blank name": (_set(_root, name="  "), "/name", "must not begin or end with a space"),
    "empty name": (_set(_root, name=""), "/name", "must not be empty"),
    # categories
    "no categories": (_set(_root, categories=[]), "/categories", "at least one category"),
    "categories an object": (_set(_root, categories={}), "/categories", "is an array"),
    "category missing colour": (_remove(_category(1), "colour"), "/categories/1/colour", "needs"),
    "duplicate category": (
        _set(_category(2), name="Premium"),
        "/categories/2/name",
        '"Premium" is already the name of /categories/0',
    ),
    "negative price": (_set(_category(0), price="-1.00"), "/categories/0/price", "negative"),
    "price of three places": (
        _set(_category(0), price="1.005"),
        "/categories/0/price",
        "at most two decimal places",
    ),
    "price a number": (_set(_category(0), price=85.0), "/categories/0/price", "not a number"),
    "price not a decimal": (_set(_category(0), price="1e3"), "/categories/0/price", '"1e3"'),
    "price too big": (_set(_category(0), price="123456789"), "/categories/0/price", "under"),
    "colour a name": (_set(_category(0), colour="red"), "/categories/0/colour", "#rrggbb"),
    "colour short": (_set(_category(0), colour="#fff"), "/categories/0/colour", "#rrggbb"),
    "colour not hex": (_set(_category(0), colour="#12345g"), "/categories/0/colour", "#rrggbb"),
    "category name long": (_set(_category(0), name="P" * 51), "/categories/0/name", "at most 50"),
    # shapes
    "shapes an object": (_set(_root, shapes={}), "/shapes", "is an array"),
    "shape unknown kind": (_set(_shape(0), kind="circle"), "/shapes/0/kind", '"rect" or "text"'),
    "shape without kind": (_remove(_shape(0), "kind"), "/shapes/0/kind", "missing"),
    "rect off the plan": (_set(_shape(0), width=301), "/shapes/0/width", "reaches 401"),
    "rect below the plan": (_set(_shape(0), y=290), "/shapes/0/height", "reaches 330"),
    "rect of no height": (_set(_shape(0), height=0), "/shapes/0/height", "more than 0"),
    "rect role": (_set(_shape(0), role="bar"), "/shapes/0/role", '"stage", "section" or "other"'),
    "rect label": (_set(_shape(0), label=1), "/shapes/0/label", "must be a string"),
    "rect with text": (_set(_shape(0), text="Stage"), "/shapes/0/text", "not a key of a rect"),
    "text without text": (_remove(_shape(1), "text"), "/shapes/1/text", "missing"),
    "text blank": (_set(_shape(1), text=" "), "/shapes/1/text", "a string to show"),
    "text size negative": (_set(_shape(1), size=-1), "/shapes/1/size", "more than 0"),
    "text off the plan": (_set(_shape(1), x=401), "/shapes/1/x", "off the plan"),
    # sections and rows
    "no sections": (_set(_root, sections=[]), "/sections", "no seats"),
    "section without rows": (_set(_section(1), rows=[]), "/sections/1/rows", "at least one row"),
    "row without seats": (_set(_row(1, 0), seats=[]), "/sections/1/rows/0/seats", "one seat"),
    "section name long": (_set(_section(0), name="S" * 51), "/sections/0/name", "at most 50"),
    "row name long": (_set(_row(0, 0), name="R" * 11), f"{STALLS_A}/name", "at most 10"),
    "duplicate section": (
        _set(_section(1), name="Stalls"),
        "/sections/1/name",
        "already the name of /sections/0",
    ),
    "duplicate row": (
        _set(_row(0, 1), name="A"),
        f"{STALLS_B}/name",
        f"already {STALLS_A}",
    ),
    "unknown section category": (
        _set(_section(0), category="Gold"),
        "/sections/0/category",
        'no category is named "Gold" (there are "Premium", "Standard", "Economy")',
    ),
    "unknown row category": (_set(_row(0, 1), category="Gold"), f"{STALLS_B}/category", "Gold"),
    "unknown section key": (_set(_section(0), price="1"), "/sections/0/price", "not a key"),
    "prefix too long": (_set(_section(0), prefix="P" * 21), "/sections/0/prefix", "at most 20"),
    # seats
    "seat not an object": (
        lambda hall: hall["sections"][0]["rows"][0]["seats"].append(1),
        f"{STALLS_A}/seats/3",
        "a seat is an object, not a number",
    ),
    "seat without x": (_remove(_seat(), "x"), f"{SEAT}/x", 'a seat needs "x"'),
    "seat x a string": (_set(_seat(), x="150"), f"{SEAT}/x", "must be a number, not a string"),
    "misspelt key": (_set(_seat(), catgeory="Premium"), f"{SEAT}/catgeory", "not a key of a seat"),
    "seat number zero": (_set(_seat(), number=0), f"{SEAT}/number", "from 1"),
    "seat number a fraction": (_set(_seat(), number=1.5), f"{SEAT}/number", "whole number"),
    "seat number a string": (_set(_seat(), number="1"), f"{SEAT}/number", "whole number"),
    "seat number true": (_set(_seat(), number=True), f"{SEAT}/number", "whole number"),
    "unknown seat category": (
        _set(_seat(), category="Gold"),
        f"{SEAT}/category",
        'no category is named "Gold"',
    ),
    "duplicate number": (
        _set(_seat(0, 0, 2), number=1),
        f"{STALLS_A}/seats/2/number",
        f'row "A" of "Stalls" already has seat 1, at {STALLS_A}/seats/0',
    ),
    "duplicate label": (
        _set(_seat(1, 1, 0), label="Stalls A2"),
        "/sections/1/rows/1/seats/0/label",
        f'"Stalls A2" is already the label of the seat at {STALLS_A}/seats/1',
    ),
    "duplicate default label": (
        _set(_section(1), prefix="Stalls"),
        "/sections/1/rows/0/seats/0/label",
        f'"Stalls A1" is already the label of the seat at {SEAT}',
    ),
    "label too long": (_set(_seat(), label="L" * 21), f"{SEAT}/label", "at most 20 characters"),
    "default label too long": (
        _set(_section(1), name="The Grand Balcony Left"),
        "/sections/1/rows/0/seats/0/label",
        'would get, "The Grand Balcony Left A1", is over 20 characters',
    ),
    "seat without category": (
        _remove(_section(0), "category"),
        f"{SEAT}/category",
        "this seat has no category",
    ),
    "negative x": (_set(_seat(), x=-0.5), f"{SEAT}/x", "must not be negative"),
    "negative y": (_set(_seat(), y=-1), f"{SEAT}/y", "must not be negative"),
    "x off the plan": (_set(_seat(), x=400.5), f"{SEAT}/x", "off the plan, whose width is 400"),
    "y off the plan": (_set(_seat(), y=301), f"{SEAT}/y", "off the plan, whose height is 300"),
    "x overflowing to infinity": (_set(_seat(), x=10**400), f"{SEAT}/x", "finite"),
    "rotation not finite": (_set(_seat(), rotation=float("nan")), f"{SEAT}/rotation", "finite"),
    "flag not a boolean": (
        _set(_seat(), accessible="yes"),
        f"{SEAT}/accessible",
        "true or false, not a string",
    ),
    # assignments
    "assignments an object": (_set(_root, assignments={}), "/assignments", "is an array"),
    "unknown assignment section": (
        _set(_assignment(0), section="Circle"),
        "/assignments/0/section",
        'no section is named "Circle" (there are "Stalls", "Balcony")',
    ),
    "unknown assignment category": (
        _set(_assignment(0), category="Gold"),
        "/assignments/0/category",
        "Gold",
    ),
    "unknown assignment row": (
        _set(_assignment(0), rows=["A", "Z"]),
        "/assignments/0/rows/1",
        'section "Balcony" has no row "Z"',
    ),
    "assignment of three rows": (
        _set(_assignment(0), rows=["A", "B", "C"]),
        "/assignments/0/rows",
        "the first and last",
    ),
    "assignment of no rows": (_set(_assignment(0), rows=[]), "/assignments/0/rows", "one row"),
    "assignment without section": (
        _remove(_assignment(0), "section"),
        "/assignments/0/section",
        "missing",
    ),
}


@pytest.mark.parametrize(("change", "place", "message"), BAD_FILES.values(), ids=BAD_FILES)
def test_a_bad_file_is_refused_at_the_place_of_the_fault(change, place, message):
    hall = small_hall()
    change(hall)

    error = reading_fails(hall)

    assert error.place == place, str(error)
    assert message in error.message, str(error)


@pytest.mark.parametrize(
    ("literal", "message"), [("NaN", "not nan"), ("Infinity", "not inf"), ("1e999", "not inf")]
)
def test_a_coordinate_that_json_reads_as_not_finite_is_refused(literal, message):
    text = json.dumps(small_hall()).replace(
        '"x": 150, "y": 100, "rotation"', f'"x": {literal}, "y": 100, "rotation"'
    )

    error = reading_fails(text)

    assert (error.place, error.message) == (f"{SEAT}/x", f"must be a finite number, {message}")


def test_a_key_given_twice_is_refused_rather_than_the_last_one_kept():
    text = json.dumps(small_hall()).replace('"rotation": -5', '"rotation": -5, "x": 160', 1)

    error = reading_fails(text)

    assert error.place == f"{SEAT}/x"
    assert "given twice" in error.message


def test_a_key_with_a_slash_is_named_as_a_json_pointer_names_it():
    hall = small_hall()
    hall["a/b~c"] = 1

    assert reading_fails(hall).place == "/a~1b~0c"


def test_a_layout_of_more_than_100000_seats_is_refused():
    hall = small_hall()
    hall["sections"] = [
        {
            "name": "Floor",
            "category": "Standard",
            "rows": [
                {
                    "name": f"R{r}",
                    "seats": [{"number": n, "x": 1, "y": 1} for n in range(1, 1001)],
                }
                for r in range(101)
            ],
        }
    ]

    error = reading_fails(hall)

    assert error.place == "/sections"
    assert error.message.startswith("more than 100,000 seats")
    assert "/sections/0/rows/100/seats/0" in error.message


def test_a_layout_of_exactly_the_most_seats_is_read(monkeypatch):
    monkeypatch.setattr(references, "MAX_SEATS", 7)
    assert len(read(small_hall()).seats) == 7

    monkeypatch.setattr(references, "MAX_SEATS", 6)
    assert reading_fails(small_hall()).place == "/sections"


def _nested_as_deep_as_json_reads(place: str) -> str:
    """The small hall with an array at `place` nested as deep as json.loads still reads here."""
    hall = small_hall()
    where = {"number": _seat(), "role": _shape(0), "price": _category(0)}[place]
    where(hall)[place] = "DEEP"
    for depth in range(sys.getrecursionlimit(), 0, -10):
        text = json.dumps(hall).replace('"DEEP"', "[" * depth + "]" * depth)
        try:
            json.loads(text)
        except RecursionError:
            continue
        return text
    raise AssertionError("unreachable")


@pytest.mark.parametrize("place", ["number", "role", "price"])
def test_a_value_nested_as_deep_as_json_reads_is_refused_by_its_kind(place):
    error = reading_fails(_nested_as_deep_as_json_reads(place))

    assert "an array" in error.message, str(error)

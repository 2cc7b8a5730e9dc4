"""Reading a layout file (docs/LAYOUT.md): what a file means, and which category each seat
gets. Pure: no database."""

from decimal import Decimal

import pytest

from reservations.venues.layout_file import CategorySpec, SeatSpec

from .documents import read, small_hall

# What a file means.


def test_a_file_reads_into_its_room_with_seats_in_layout_order():
    spec = read(small_hall())

    assert spec.name == "Small Hall"
    assert (spec.width, spec.height) == (400.0, 300.0)
    assert spec.sections == ("Stalls", "Balcony")
    assert [seat.label for seat in spec.seats] == [
        "Stalls A1",
        "Stalls A2",
        "Stalls A3",
        "Stalls B1",
        "Stalls B2",
        "Balcony A1",
        "Bal B1",
    ]
    assert spec.seats[0] == SeatSpec(
        section="Stalls",
        row="A",
        number=1,
        label="Stalls A1",
        x=150.0,
        y=100.0,
        rotation=-5.0,
        category="Standard",
        accessible=False,
        companion=False,
        restricted_view=False,
        aisle=False,
    )
    assert spec.shapes == (
        {"kind": "rect", "x": 100.0, "y": 10.0, "width": 200.0, "height": 40.0, "role": "stage"},
        {"kind": "text", "x": 200.0, "y": 70.0, "text": "Stalls", "size": 16.0},
    )


def test_layout_order_is_file_order_not_number_order():
    hall = small_hall()
    hall["sections"][0]["rows"][0]["seats"].reverse()
    hall["sections"].reverse()

    spec = read(hall)

    assert spec.sections == ("Balcony", "Stalls")
    assert [(s.section, s.row, s.number) for s in spec.seats][:5] == [
        ("Balcony", "A", 1),
        ("Balcony", "B", 1),
        ("Stalls", "A", 3),
        ("Stalls", "A", 2),
        ("Stalls", "A", 1),
    ]


def test_flags_are_false_unless_given():
    seats = read(small_hall()).seats

    assert [(s.accessible, s.companion, s.aisle) for s in seats[:3]] == [
        (False, False, False),
        (True, False, False),
        (False, True, True),
    ]
    assert [s.restricted_view for s in seats] == [False] * 4 + [True, False, False]


def test_prices_have_two_places_and_colours_are_lower_case():
    hall = small_hall()
    hall["categories"][0].update(price="85", colour="#C0392B")
    hall["categories"][1]["price"] = "55.5"

    categories = read(hall).categories

    assert categories[0] == CategorySpec(name="Premium", price=Decimal("85.00"), colour="#c0392b")
    assert str(categories[0].price) == "85.00"
    assert str(categories[1].price) == "55.50"


def test_a_price_may_be_zero():
    hall = small_hall()
    hall["categories"][2]["price"] = "0"

    assert str(read(hall).categories[2].price) == "0.00"


def test_a_default_label_is_prefix_row_and_number_with_a_dash_after_a_digit():
    hall = small_hall()
    stalls = hall["sections"][0]
    stalls["rows"][1]["name"] = "12"
    hall["sections"][1]["prefix"] = "Bal"
    hall["sections"][1]["rows"][1]["seats"][0].pop("label")

    labels = [seat.label for seat in read(hall).seats]

    assert labels[3:] == ["Stalls 12-1", "Stalls 12-2", "Bal A1", "Bal B1"]


def test_an_empty_prefix_labels_seats_by_row_and_number_alone():
    hall = small_hall()
    hall["sections"] = hall["sections"][:1]
    hall["sections"][0]["prefix"] = ""
    hall["assignments"] = []

    assert [seat.label for seat in read(hall).seats] == ["A1", "A2", "A3", "B1", "B2"]


# Which category a seat has: the most specific one given.


def _categories(document: dict) -> dict[str, str]:
    return {seat.label: seat.category for seat in read(document).seats}


def test_a_seats_category_wins_over_its_rows_and_a_rows_over_its_sections():
    categories = _categories(small_hall())

    assert categories["Stalls A1"] == "Standard"  # the section's
    assert categories["Stalls B2"] == "Economy"  # the row's
    assert categories["Stalls B1"] == "Premium"  # the seat's


def test_an_assignment_paints_over_the_sections_category_but_not_a_rows_or_a_seats():
    hall = small_hall()
    hall["assignments"].append({"category": "Premium", "section": "Stalls"})

    categories = _categories(hall)

    assert categories["Stalls A1"] == "Premium"
    assert categories["Stalls B2"] == "Economy"
    assert categories["Stalls B1"] == "Premium"


def test_a_later_assignment_paints_over_an_earlier_one():
    hall = small_hall()
    hall["assignments"].append({"category": "Economy", "section": "Balcony", "rows": ["B"]})

    categories = _categories(hall)

    assert categories["Balcony A1"] == "Premium"
    assert categories["Bal B1"] == "Economy"


def _five_rows() -> dict:
    hall = small_hall()
    hall["sections"] = [
        {
            "name": "Stalls",
            "category": "Standard",
            "rows": [
                {"name": name, "seats": [{"number": 1, "x": 10, "y": 10 + 20 * i}]}
                for i, name in enumerate("EDCBA")  # file order, not alphabetical
            ],
        }
    ]
    hall["assignments"] = []
    return hall


@pytest.mark.parametrize("bounds", [["D", "B"], ["B", "D"]])
def test_an_assignment_of_rows_is_an_inclusive_range_in_file_order(bounds):
    hall = _five_rows()
    hall["assignments"] = [{"category": "Premium", "section": "Stalls", "rows": bounds}]

    categories = _categories(hall)

    assert [categories[f"Stalls {row}1"] for row in "EDCBA"] == [
        "Standard",
        "Premium",
        "Premium",
        "Premium",
        "Standard",
    ]


def test_an_assignment_of_one_row_paints_that_row():
    hall = _five_rows()
    hall["assignments"] = [{"category": "Economy", "section": "Stalls", "rows": ["C"]}]

    categories = _categories(hall)

    assert [row for row in "EDCBA" if categories[f"Stalls {row}1"] == "Economy"] == ["C"]

"""Small layout files for the tests, as dicts to change before reading."""

import json
from pathlib import Path

import pytest

from reservations.venues.layout_file import LAYOUT_FORMAT, LayoutError, LayoutSpec, parse_layout

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCHEMA = Path(__file__).resolve().parent.parent / "layout.schema.json"


def small_hall() -> dict:
    """Two sections of two rows, every way of giving a category used once."""
    return {
        "format": LAYOUT_FORMAT,
        "name": "Small Hall",
        "width": 400,
        "height": 300,
        "categories": [
            {"name": "Premium", "price": "85.00", "colour": "#c0392b"},
            {"name": "Standard", "price": "55.00", "colour": "#2471a3"},
            {"name": "Economy", "price": "30.00", "colour": "#1e8449"},
        ],
        "shapes": [
            {"kind": "rect", "x": 100, "y": 10, "width": 200, "height": 40, "role": "stage"},
            {"kind": "text", "x": 200, "y": 70, "text": "Stalls", "size": 16},
        ],
        "sections": [
            {
                "name": "Stalls",
                "category": "Standard",
                "rows": [
                    {
                        "name": "A",
                        "seats": [
                            {"number": 1, "x": 150, "y": 100, "rotation": -5},
                            {"number": 2, "x": 170, "y": 100, "accessible": True},
                            {"number": 3, "x": 190, "y": 100, "companion": True, "aisle": True},
                        ],
                    },
                    {
                        "name": "B",
                        "category": "Economy",
                        "seats": [
                            {"number": 1, "x": 150, "y": 130, "category": "Premium"},
                            {"number": 2, "x": 170, "y": 130, "restricted_view": True},
                        ],
                    },
                ],
            },
            {
                "name": "Balcony",
                "rows": [
                    {"name": "A", "seats": [{"number": 1, "x": 150, "y": 250}]},
                    {"name": "B", "seats": [{"number": 1, "x": 150, "y": 280, "label": "Bal B1"}]},
                ],
            },
        ],
        "assignments": [{"category": "Premium", "section": "Balcony"}],
    }


def read(document: dict) -> LayoutSpec:
    return parse_layout(json.dumps(document))


def example_text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def reading_fails(document: dict | str | bytes) -> LayoutError:
    data = document if isinstance(document, str | bytes) else json.dumps(document)
    with pytest.raises(LayoutError) as caught:
        parse_layout(data)
    return caught.value

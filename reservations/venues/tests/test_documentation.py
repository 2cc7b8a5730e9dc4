"""docs/LAYOUT.md says what the code does: its example reads as its table says, and its
figures for the example files are theirs."""

import re
from pathlib import Path

import pytest

from reservations.venues.layout_file import parse_layout

from .documents import EXAMPLES

LAYOUT_MD = Path(__file__).resolve().parents[3] / "docs" / "LAYOUT.md"


@pytest.fixture(scope="module")
def layout_md() -> str:
    return LAYOUT_MD.read_text(encoding="utf-8")


def test_the_small_example_reads_as_the_documentation_says(layout_md):
    example = re.search(r"```json\n(.*?)\n```", layout_md, re.DOTALL).group(1)

    seats = parse_layout(example).seats

    assert [(seat.label, seat.category) for seat in seats] == [
        ("Stalls A1", "Premium"),
        ("Stalls A2", "Premium"),
        ("Stalls A3", "Premium"),
        ("Stalls A4", "Standard"),
        ("Stalls B1", "Standard"),
        ("Stalls B2", "Standard"),
        ("Stalls B3", "Standard"),
        ("Stalls B4", "Standard"),
        ("Gal 1-1", "Standard"),
        ("Gal Box", "Standard"),
    ]
    assert (seats[0].accessible, seats[1].companion) == (True, True)


@pytest.mark.parametrize("name", ["theatre.json", "arena.json"])
def test_the_documented_size_of_each_example_is_its_size(layout_md, name):
    data = (EXAMPLES / name).read_bytes()
    seats = len(parse_layout(data).seats)

    assert f"| `{name}` | {seats:,} | {len(data):,} |" in layout_md

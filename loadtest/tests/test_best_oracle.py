"""The load tester's orphan figure (loadtest/profiles/best.py `orphans_left`) is its own,
written from docs/BEST_AVAILABLE.md, not the server's seating code: here the two are held to the
same answer on the example rooms with random seats taken, so either one's bug shows as a
disagreement."""

import functools
import random
from pathlib import Path

import pytest

from loadtest.profiles.best import orphans_left
from reservations.seating import Room, SeatInfo, lone_free_seats
from reservations.venues.layout_file import parse_layout

EXAMPLES = Path(__file__).resolve().parents[2] / "reservations" / "venues" / "examples"


@functools.cache
def example(room: str):
    """The example room's layout, read once for all its shares: the arena's ~20,000 seats take
    a second of CPU to parse."""
    return parse_layout((EXAMPLES / f"{room}.json").read_bytes())


@pytest.mark.parametrize("room", ["theatre", "arena"])
@pytest.mark.parametrize("taken_share", [0.1, 0.5, 0.9])
def test_the_orphan_figure_agrees_with_the_servers_seating_rules(room, taken_share):
    layout = example(room)
    chance = random.Random(f"{room}{taken_share}")
    seats = [
        {
            "id": n,
            "section": s.section,
            "row": s.row,
            "number": s.number,
            "status": "reserved" if chance.random() < taken_share else "available",
        }
        for n, s in enumerate(layout.seats)
    ]
    places = {n: (s.x, s.y) for n, s in enumerate(layout.seats)}
    servers = Room.from_seats(
        SeatInfo(
            id=seat["id"],
            section=seat["section"],
            row=seat["row"],
            number=seat["number"],
            x=places[seat["id"]][0],
            y=places[seat["id"]][1],
            free=seat["status"] == "available",
        )
        for seat in seats
    )

    assert orphans_left(seats, places) == len(lone_free_seats(servers))

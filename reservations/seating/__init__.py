"""Seating: where a party sits, as pure logic over plain values (no Django, no database).

* ``room``: the room as rows of seats, side by side or across an aisle, ranked from the stage;
* ``rules``: what a hold must respect (orphans per ``OrphanMode``, companion seats);
* ``picker``: best available, the best N seats together in one click (docs/BEST_AVAILABLE.md):
  ``picks`` (what is asked and answered), ``kinds`` (which seats a look uses), ``search``
  (blocks and splits), ``row_reader`` (a row's runs and windows) and ``scans`` (what a row
  keeps of them).

The database layer reads an event's seats into ``SeatInfo`` values and builds a ``Room`` (once
per event, then ``Room.with_changes`` per request for the seats taken or freed since), asks
``candidates`` and holds the first candidate whose seats it can still lock.
"""

from .hold_rules import (
    OrphanCheck,
    OrphanMode,
    check_orphans,
    companions_without_accessible,
    lone_free_seats,
    orphan_seats_left,
)
from .picker import Candidate, Pick, Request, Weights, best_available, candidates
from .room import Room, Row, SeatInfo

__all__ = [
    "Candidate",
    "OrphanCheck",
    "OrphanMode",
    "Pick",
    "Request",
    "Room",
    "Row",
    "SeatInfo",
    "Weights",
    "best_available",
    "candidates",
    "check_orphans",
    "companions_without_accessible",
    "lone_free_seats",
    "orphan_seats_left",
]

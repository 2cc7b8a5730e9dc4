"""The one list of seat columns, and the three writes.

A seat changes state in four ways only: held, booked, freed, paid for (the order awaiting
payment: ``PAY``), and an organiser's block. Each is
one ``SeatWrite``, and both of its forms come from it: ``update_sql`` for the SQL of the steps
(hold, release, reserve, cancel), ``apply`` for the Seat in memory that the steps return, or
that the ORM then saves (expire, block). Neither form is written by hand.
"""

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ...models import Seat

Status = Seat.Status
SEAT_TABLE = Seat._meta.db_table

# The seat columns every seat read returns, in this order: the hold steps build Seats from them,
# selectors read the seat map with them, presenters unpack them.
SEAT_FIELDS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "price",
    "status",
    "version",
    "held_until",
    "held_by_id",
    "reserved_by_id",
    "category_id",
    "accessible",
    "companion",
    "restricted_view",
    "blocked",
)
SEAT_COLUMNS = ", ".join(SEAT_FIELDS)
# A seat as read in those columns, for what only reads it back: a Seat model instance costs
# many times a tuple to make, even from its fields in order (seat_from_row).
SeatRow = namedtuple("SeatRow", SEAT_FIELDS)


def _seat_plan() -> list[tuple[int | None, Any]]:
    """For each of Seat's fields, in the model's order: its place in a row of SEAT_FIELDS, or
    None and the value a Seat made without it has (the event's id, its default)."""
    at = {name: index for index, name in enumerate(SEAT_FIELDS)}
    plan = []
    for field in Seat._meta.concrete_fields:
        if field.attname in at or field.attname == "event_id":
            plan.append((at.get(field.attname), None))
        elif field.has_default() and callable(field.default):
            raise TypeError(f"Seat.{field.name}: a default made anew each time is not kept")
        else:
            plan.append((None, field.get_default()))
    return plan


_SEAT_PLAN = _seat_plan()
_EVENT_AT = [field.attname for field in Seat._meta.concrete_fields].index("event_id")


def seat_from_row(row: Sequence, event_id: int) -> Seat:
    # Made from its fields in the model's order: Django's keyword form takes several times as
    # long, and a hold makes two.
    if len(row) != len(SEAT_FIELDS):
        raise ValueError(f"a seat row has {len(SEAT_FIELDS)} columns, not {len(row)}")
    values = [default if index is None else row[index] for index, default in _SEAT_PLAN]
    values[_EVENT_AT] = event_id
    return Seat(*values)


# What a SeatWrite changes, as the ORM's update_fields names it.
WRITTEN_FIELDS = [
    "status",
    "held_by",
    "held_until",
    "held_since",
    "held_from",
    "reserved_by",
    "released_by",
    "released_held_since",
    "released_at",
    "released_from",
    "version",
]


# The columns a seating rule reads (reservations/seating: SeatInfo), then the state.
SEAT_INFO_FIELDS = (
    "id",
    "section",
    "row",
    "number",
    "x",
    "y",
    "category_id",
    "accessible",
    "companion",
    "aisle",
    "status",
    "held_until",
)


class Param(NamedTuple):
    """A value a SeatWrite takes from its caller, by name."""

    name: str

    @property
    def placeholder(self) -> str:
        return f"%({self.name})s"


@dataclass(frozen=True)
class SeatWrite:
    """One change of a seat's state. Each column is NULL (None, the default) or a `Param`."""

    status: str
    held_by_id: Param | None = None
    held_until: Param | None = None
    held_since: Param | None = None
    reserved_by_id: Param | None = None
    held_from: Param | None = None
    # Whether the hold it ends is kept as the seat's last ended hold (rules.py, one run, one
    # cap); a seat without one (booked, blocked) keeps the hold it remembers already.
    remembers_hold: bool = False

    def _columns(self) -> dict[str, Param | None]:
        return {
            "held_by_id": self.held_by_id,
            "held_until": self.held_until,
            "held_since": self.held_since,
            "reserved_by_id": self.reserved_by_id,
            "held_from": self.held_from,
        }

    def update_sql(self, **from_sql: str) -> str:
        """The UPDATE ... SET of this write; `from_sql` gives a parameter's column its value
        from an SQL expression instead (a column of a table the statement joins)."""
        assignments = [f"status = '{self.status}'"]
        if self.remembers_hold:  # the right-hand sides read the row as it was before the write
            assignments += [
                f"{ended} = CASE WHEN held_by_id IS NULL THEN {ended} ELSE {hold} END"
                for ended, hold in _REMEMBERED
            ]
        for column, value in self._columns().items():
            if column in from_sql:
                assignments.append(f"{column} = {from_sql[column]}")
            else:
                assignments.append(f"{column} = {'NULL' if value is None else value.placeholder}")
        assignments.append("version = version + 1")
        return f"UPDATE {SEAT_TABLE} SET {', '.join(assignments)}"

    def apply(self, seat: Seat, **values: Any) -> None:
        """The same write on a Seat in memory, as update_sql writes it in the database."""
        if self.remembers_hold and seat.held_by_id is not None:
            for ended, hold in _REMEMBERED:
                setattr(seat, ended, getattr(seat, hold))
        seat.status = self.status
        for column, value in self._columns().items():
            setattr(seat, column, None if value is None else values[value.name])
        seat.version += 1


# The seat's last ended hold (rules.py) and the columns of the hold it is taken from.
_REMEMBERED = (
    ("released_by_id", "held_by_id"),
    ("released_held_since", "held_since"),
    ("released_at", "held_until"),
    ("released_from", "held_from"),
)

HOLD = SeatWrite(
    Status.LOCKED.value,
    held_by_id=Param("user_id"),
    held_until=Param("until"),
    held_since=Param("since"),  # the run's start (buyer_policy.py)
    held_from=Param("address"),
)
BOOK = SeatWrite(
    Status.RESERVED.value,
    reserved_by_id=Param("user_id"),
    remembers_hold=True,  # the booked hold's run goes on in the buyer's next holds
)
# In an order awaiting payment (payments/): its buyer's, neither free nor sold; BOOK once paid,
# FREE once its window ends.
PAY = SeatWrite(Status.PAYING.value, reserved_by_id=Param("user_id"), remembers_hold=True)
# Off sale (an organiser's block): reserved with nobody's reservation; `blocked` says why not.
BLOCK = SeatWrite(Status.RESERVED.value)
FREE = SeatWrite(Status.AVAILABLE.value, remembers_hold=True)

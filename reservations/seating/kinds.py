"""Which seats one look at the room may use: a general request looks at plain seats first,
then at any; a request for wheelchair spaces only at those and their companion seats."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .picks import Request
from .room import Room, SeatInfo


@dataclass(frozen=True, slots=True)
class SeatKind:
    """Which seats one look at the room may use, and which mixes of them make a valid pick."""

    name: str  # what it admits: the key of what the rows keep of its scans (Row.scans)
    admits: Callable[[SeatInfo], bool]
    # (wheelchair spaces, companion seats) of a whole pick -> is it a valid pick?
    valid: Callable[[int, int], bool]
    # Each companion seat must be side by side with a wheelchair space of its own part.
    companions_beside: bool = False


def seat_kinds(room: Room, request: Request) -> Iterator[SeatKind]:
    """The looks at the room a request takes, in order. A general request looks a second time
    only after the first found nothing, and only when a free wheelchair or companion seat
    could make the second look any different."""
    if request.accessible:
        wanted = request.accessible
        yield SeatKind(
            name="accessible",
            admits=lambda seat: seat.accessible or seat.companion,
            valid=lambda wheelchairs, _: wheelchairs == wanted,
            companions_beside=True,
        )
        return
    yield SeatKind(name="plain", admits=is_plain, valid=lambda *_: True)
    if any(seat.free and not is_plain(seat) for seat in room.seats):
        yield SeatKind(name="any", admits=lambda seat: True, valid=_companions_accompanied)


def is_plain(seat: SeatInfo) -> bool:
    return not seat.accessible and not seat.companion


def _companions_accompanied(wheelchairs: int, companions: int) -> bool:
    return wheelchairs > 0 or companions == 0

"""What a buyer asks the picker for, how it scores seats, and what it answers."""

from dataclasses import astuple, dataclass


@dataclass(frozen=True, slots=True)
class Request:
    """`count` seats, optionally of one price `category` or in one `section`; `accessible` of
    them wheelchair spaces (the others then companion seats)."""

    count: int
    category: int | None = None
    section: str | None = None
    accessible: int = 0

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be at least 1")
        if not 0 <= self.accessible <= self.count:
            raise ValueError("accessible must be between 0 and count")


@dataclass(frozen=True, slots=True)
class Weights:
    """The score's terms, in rows: a seat off centre costs a fifth of a row by default."""

    row: float = 1.0
    centre: float = 0.2
    orphan: float = 3.0
    aisle: float = 0.0
    split_offset: float = 0.5
    accessible_use: float = 1.0

    def __post_init__(self) -> None:
        # The search stops early on bounds that only hold for weights of zero or more.
        if min(astuple(self)) < 0:
            raise ValueError("weights cannot be negative")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A choice of seats (in row order; a split's front part first), what it scored and which
    free seats it would leave alone."""

    seats: tuple[int, ...]
    together: bool
    score: float
    orphans: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Pick:
    """What the buyer is offered: `together` is false for a split over two rows."""

    seats: tuple[int, ...]
    together: bool
    alternatives: tuple[tuple[int, ...], ...]

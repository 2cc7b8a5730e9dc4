"""Best available: the best N seats together in one click.

The rule (docs/BEST_AVAILABLE.md says it at length). A *block* is N free seats side by side in
one row that pass the request's filter (price category, section). Its score, lower is better:

    weights.row            x the row's rank by distance from the stage (0 for the nearest)
  + weights.centre         x seats between the block's centre and the centre of the whole row
                             (counted along the row, seat to seat, free seats or not)
  + weights.orphan         x free seats the block would leave alone beside it (orphans)
  - weights.aisle          when the block ends on an aisle seat (0 by default: no preference)
  + weights.accessible_use x wheelchair or companion seats a general request falls back on

The first of these steps that finds anything gives the answer:

1. a block that strands no seat;
2. a block that strands one: never in ``strict`` mode, in ``lenient`` mode only now that no
   block avoids it; in ``off`` mode steps 1 and 2 are one, and an orphan only costs its weight;
3. a *split*: two parts in two adjacent rows of a section, one behind the other, scored as the
   seat-weighted mean of the two parts plus ``weights.split_offset`` per seat between their
   centres. The buyer is told: ``together`` is false. Strict mode strands no seat here either,
   and lenient mode only when no split avoids it.

A general request (``accessible=0``) keeps wheelchair and companion seats out of all three
steps, and only when they find nothing does it look again with them (a companion seat only
with a wheelchair space in the same pick). A request for ``accessible=K`` of N seats looks only
at wheelchair spaces and companion seats: K spaces, and N - K companion seats each side by side
with one of the spaces.

Equal scores are ordered by a ``random.Random(seed)``, so the same seed gives the same answer.
``candidates`` gives the best few choices of the step that answered, sharing no seat, for the
caller that finds its first choice taken under contention; ``best_available`` is the first of
them, with up to three of the others as alternatives.
"""

import random

from .hold_rules import OrphanMode
from .kinds import seat_kinds
from .picks import DEFAULT_WEIGHTS, Candidate, Pick, Request, Weights
from .room import Room
from .search import Search

__all__ = ["Candidate", "Pick", "Request", "Weights", "best_available", "candidates"]


def best_available(
    room: Room,
    request: Request,
    *,
    orphan_mode: OrphanMode | str,
    weights: Weights = DEFAULT_WEIGHTS,
    seed: int = 0,
) -> Pick | None:
    """The best seats for `request`, with up to three other choices sharing none of them; None
    when nothing fits (the endpoint's 409 ``no_block``)."""
    found = candidates(room, request, orphan_mode=orphan_mode, weights=weights, seed=seed, limit=4)
    if not found:
        return None
    first, *others = found
    return Pick(
        seats=first.seats,
        together=first.together,
        alternatives=tuple(other.seats for other in others),
    )


def candidates(
    room: Room,
    request: Request,
    *,
    orphan_mode: OrphanMode | str,
    weights: Weights = DEFAULT_WEIGHTS,
    seed: int = 0,
    limit: int = 8,
) -> list[Candidate]:
    """The best `limit` choices for `request`, best first, no two sharing a seat, all from the
    first step of the cascade that finds any (so all together, or all split). Empty when
    nothing fits.

    Under contention the caller tries them in order and, when all are gone, asks again with a
    fresh room: a later step may be allowed only once the earlier ones have nothing."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    mode = OrphanMode(orphan_mode)
    rng = random.Random(seed)
    for kind in seat_kinds(room, request):
        search = Search(room, request, kind, weights, limit, rng)
        for together, orphans_allowed in _STEPS[mode]:
            found = search.together(orphans_allowed) if together else search.split(orphans_allowed)
            if found:
                return found
    return []


# Per mode, the cascade's steps: (together, may strand a seat).
_STEPS = {
    OrphanMode.OFF: [(True, True), (False, True)],
    OrphanMode.LENIENT: [(True, False), (True, True), (False, False), (False, True)],
    OrphanMode.STRICT: [(True, False), (False, False)],
}

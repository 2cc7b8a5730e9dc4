"""Best available on the database: the picker's choice (reservations/seating) held for buyers.

Written once as steps (holds.py says what steps are), so the same rules run through Django
(``best_hold``, a batch of one ask) and on the fast path's loop (reservations/api/fast.py, which
sends an event's asks that arrive together as one batch: api/best_batches.py). Many buyers ask at
once in an on-sale, and they must not all pick the same block and fail. So, for a batch of asks,
in one transaction:

1. the batch's turn: an advisory lock keyed by the event, so a batch of another server process
   for the event commits before this one reads (``sql.best_batch_turn``: batches never pick
   from the same state and race for the same blocks), waited for TURN_PATIENCE_MS at most;
   the event's orphan mode, whether it limits holds per network (rules.hold_network) and the
   price categories asked for; then the callers' rows, locked in id order (locking rule 2);
2. which seats are taken, as committed (no locks; an indexed read of the taken seats only),
   with the holder of each live hold and the buyer of each booked seat, for the callers'
   limits on all `count` seats of each ask (the hold limit, and the event's purchase limit on
   what each caller holds and has booked: under the user row locks neither can grow, so they
   are checked once, before any seat is chosen);
3. for each ask in arrival order, the picker's best few candidates, which share no seat, from
   the event's room kept in this process (rooms.py ``Shelf``): the layout read once per
   ROOM_SECONDS, its free flags from the taken read, less the seats a request of this process
   has just chosen (its *claims*: the earlier asks of the batch, and Django's threads beside
   it); the first candidate nobody has claimed is claimed for the ask, so the asks of one
   process never pick the same seats;
4. one statement (``sql.hold_blocks``) for every ask's block: the seat rows that are free
   ``FOR UPDATE SKIP LOCKED`` in id order, and each block written only if that is all of its
   seats. A row another transaction has locked (a buyer of another process) is skipped rather
   than waited for: that block is gone, its claim is let go, and its ask goes on to the next
   round. The statement's clock is read before the locks, so, like the one-statement hold of
   one seat, it can only refuse more than the rule. The rows of a gone block that it did lock
   stay locked until the batch commits, a few milliseconds on;
5. while asks are left, read the taken seats again (the room has changed) and repeat, READS
   rounds in all, a buyer who lost a round starting the next at a candidate of its own; then
   409 ``no_block``.

Each ask gets its own answer: its block, or its own refusal, which holds nothing and does not
touch the other asks. Ties are broken by a seed of the buyer's own, so buyers with equal wishes
spread over equal blocks. The seats held are announced as one `seats` message per ask after
commit, and they are what reserve books: nothing here is chosen again later.

The room must be on the shelf before the steps run (rooms.py ``room_steps``, which the drivers
run once per event and ROOM_SECONDS, one request at a time): building a theatre's room costs ~15 ms,
and a rush of buyers arriving at a cold process must not each build it. The fast path reads a
stale room again in a task of its own while the room kept goes on serving (``room_is_kept``).
"""

import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..exceptions import BookingError, NoBlock, NotFound
from ..rules import hold_network
from ..seating import Candidate, Request
from ..seating import candidates as picker_candidates
from ..signals import seats_changed_on_commit
from . import sql
from .buyer_policy import BuyerPolicy, BuyerState, HoldTimes
from .rooms import room_is_ready, room_steps, shelf_of
from .runner import run
from .sql import Steps, moment_of

# Candidates the picker finds per ask and read of the taken seats (the first nobody has claimed
# is tried, the others are its alternatives), and reads before an ask is told nothing fits.
CANDIDATES = 8
READS = 5
# How long a batch waits for its turn (an event's batches of other processes commit first) before
# it goes on without: a batch takes milliseconds, so only a stuck one keeps it waiting this long.
TURN_PATIENCE_MS = 1000


@dataclass(frozen=True)
class BestOutcome:
    seats: list[sql.SeatRow]  # held for the caller, in the block's order along its row(s)
    together: bool  # all side by side in one row
    alternatives: list[tuple[int, ...]]  # other free blocks the buyer could take instead

    @property
    def changed(self) -> list[sql.SeatRow]:
        """What watchers are told: every seat held."""
        return self.seats


@dataclass(frozen=True)
class Ask:
    """One buyer's request in a batch: who, from which client network (holds.py), and what
    they wish for."""

    user_id: int
    wish: Request
    address: str | None = None


# What a batch answers each ask: the seats held, or the refusal that ask gets (the others of the
# batch are not refused with it).
Answer = BestOutcome | BookingError


def best_batch_steps(*, event_id: int, asks: Sequence[Ask]) -> Steps[list[Answer]]:
    """Hold the best seats for each ask, each all or none, in one transaction
    (docs/BEST_AVAILABLE.md); an answer per ask, in order. The event's room must be on the
    shelf (``room_steps``) unless the event does not exist; an unknown event raises NotFound.
    One user may ask more than once: each ask counts the earlier ones' seats for the limits."""
    # Its turn, or, once another process's batch has kept it waiting past all reason (stuck,
    # its process frozen), going on without: the row locks still keep each seat to one buyer.
    yield sql.best_batch_turn(event_id=event_id, patience_ms=TURN_PATIENCE_MS)
    categories = sorted({ask.wish.category for ask in asks if ask.wish.category is not None})
    found_event = yield sql.event_for_best(event_id=event_id, categories=categories)
    if not found_event:
        raise NotFound("No such event.")
    orphan_mode, purchase_limit, limited, begins = found_event[0][:4]
    policy = BuyerPolicy.from_settings()
    asks = [
        replace(ask, address=hold_network(ask.address, limited_per_network=limited)) for ask in asks
    ]
    names = {category: name for *_, category, name in found_event if category is not None}
    answers: list[Answer | None] = [None] * len(asks)
    for n, ask in enumerate(asks):
        if ask.wish.category is not None and ask.wish.category not in names:
            answers[n] = NotFound(
                "No such price category in this event.", category=ask.wish.category
            )
    shelf = shelf_of(event_id)
    pending = [n for n, answer in enumerate(answers) if answer is None]
    if shelf is None or not pending:  # an event without seats, or every ask refused already
        for n in pending:
            answers[n] = _no_block(asks[n].wish, names)
        return answers
    callers = sorted({asks[n].user_id for n in pending})
    rows = yield sql.users_for_update(user_ids=callers, event_id=event_id)
    accounts = {user_id: account for user_id, *account in rows}
    if addresses := sorted({asks[n].address for n in pending if asks[n].address}):
        yield sql.address_locks(event_id=event_id, addresses=addresses)
    runs = yield sql.buyer_runs(
        event_id=event_id, user_ids=callers, cooled=policy.cooled(timezone.now())
    )
    times: dict[int, HoldTimes] = {}  # ask -> the times of its hold (buyer_policy.py)
    held_seats: set[int] = set()
    # Seats of blocks found gone: another process's transaction has some of them locked, and
    # until it commits the taken read still shows them free. The rest of the batch picks
    # around them, or its asks would run out of rounds trying the same blocks again.
    gone: set[int] = set()
    chosen: dict[int, tuple[Candidate, list[Candidate]]] = {}  # ask -> (held, all candidates)
    for attempt in range(READS):
        pending = [n for n, answer in enumerate(answers) if answer is None]
        if not pending:
            break
        taken = yield sql.taken_seats(event_id=event_id, now=timezone.now())
        if not attempt:  # under the user row locks the callers' seats can only go, not grow
            event_rules = (purchase_limit, moment_of(begins))
            times = _buyer_decisions(asks, answers, accounts, taken, runs, event_rules, policy)
            pending = [n for n in pending if answers[n] is None]
        taken_ids = [seat_id for seat_id, *_ in taken] + list(gone)
        tried: dict[int, tuple[Candidate, list[Candidate]]] = {}
        for n in pending:
            ask = asks[n]
            seed = zlib.crc32(f"{ask.user_id}:{event_id}:{attempt}".encode())
            found = picker_candidates(
                shelf.view(taken_ids),
                ask.wish,
                orphan_mode=orphan_mode,
                seed=seed,
                limit=CANDIDATES,
            )
            if not found:
                answers[n] = _no_block(ask.wish, names)
                continue
            # A buyer who lost a round to others starts the next one at a candidate of its own:
            # buyers racing for the same few blocks then spread over them instead of all trying
            # the best first and mostly losing again.
            start = seed % len(found) if attempt else 0
            for candidate in found[start:] + found[:start]:
                if shelf.claim(candidate.seats):  # out of the views of the asks after this one
                    tried[n] = (candidate, found)
                    break
        if not tried:
            continue
        now = timezone.now()
        rows = yield sql.hold_blocks(
            event_id=event_id,
            blocks=[
                (asks[n].user_id, asks[n].address, candidate.seats, times[n])
                for n, (candidate, _) in tried.items()
            ],
            now=now,
            cooled=policy.cooled(now),
        )
        by_id = {row[0]: sql.SeatRow._make(row) for row in rows}
        for n, (candidate, found) in tried.items():
            if candidate.seats[0] in by_id:  # a block is held whole or not at all
                chosen[n] = (candidate, found)
                held_seats.update(candidate.seats)
                answers[n] = BestOutcome(
                    seats=[by_id[seat_id] for seat_id in candidate.seats],
                    together=candidate.together,
                    alternatives=[],
                )
            else:  # gone: another process's buyer has it; a held block's claim runs out
                shelf.release(candidate.seats)
                gone.update(candidate.seats)
    # Alternatives are blocks still free: not what the batch has just held for others, nor
    # what it found gone.
    unavailable = held_seats | gone
    for n, (candidate, found) in chosen.items():
        answer = answers[n]
        assert isinstance(answer, BestOutcome)
        others = [c.seats for c in found if c is not candidate and unavailable.isdisjoint(c.seats)]
        answers[n] = replace(answer, alternatives=others[:3])
    return [answer or _no_block(asks[n].wish, names) for n, answer in enumerate(answers)]


def _buyer_decisions(
    asks: Sequence[Ask],
    answers: list[Answer | None],
    accounts: dict[int, list],
    taken: sql.Rows,
    runs: sql.Rows,
    event_rules: tuple[int, datetime | None],
    policy: BuyerPolicy,
) -> dict[int, HoldTimes]:
    """The policy's decision on each ask still open (BuyerPolicy.hold): its hold's times, or
    its refusal as its answer. Each caller's state is their account as locked (`accounts`:
    active, e-mail, whether the event asks a verified one of them), what they and their network
    hold and they have booked (`taken`), their run (`runs`), the event's purchase limit and
    start (`event_rules`), and the seats of the batch's earlier asks."""
    purchase_limit, begins = event_rules
    held = Counter(holder for _, holder, _, _ in taken if holder)
    booked = Counter(booker for _, _, booker, _ in taken if booker)
    from_network = Counter(address for _, _, _, address in taken if address)
    run_of = {holder: (moment_of(began), moment_of(ended)) for holder, began, ended in runs}
    now = timezone.now()
    times = {}
    for n, ask in enumerate(asks):
        if answers[n] is not None:
            continue
        began, ended = run_of.get(ask.user_id, (None, None))
        active, email, must_verify = accounts.get(ask.user_id, (False, "", False))
        state = BuyerState(
            active=active,
            must_verify=must_verify,
            email=email,
            run_began=began,
            last_ended=ended,
            held=held[ask.user_id],
            booked=booked[ask.user_id],
            purchase_limit=purchase_limit,
            network=ask.address,
            network_held=from_network[ask.address] if ask.address else 0,
            begins=begins,
        )
        try:
            times[n] = policy.hold(state, now=now, adding=ask.wish.count)
        except BookingError as refused:
            answers[n] = refused
        else:
            held[ask.user_id] += ask.wish.count
            from_network[ask.address] += ask.wish.count
    return times


def _no_block(wish: Request, names: dict[int, str]) -> NoBlock:
    """The refusal: what was asked for, and only the changes that could find something."""
    category_name = names.get(wish.category)
    where = f" in {category_name}" if category_name else ""
    if wish.section:
        where += f" in {wish.section}"
    what = "No seat is left" if wish.count == 1 else f"No {wish.count} seats together are left"
    tries = [
        change
        for change, applies in (
            ("fewer seats", wish.count > 1),
            ("another price", category_name is not None),
            ("another section", bool(wish.section)),
        )
        if applies
    ]
    if not tries:
        return NoBlock(f"{what}{where}.")
    choices = tries[0] if len(tries) == 1 else f"{', '.join(tries[:-1])} or {tries[-1]}"
    return NoBlock(f"{what}{where}. Try {choices}.")


# --- The service: the steps on Django's connection --------------------------------------------

_building = threading.Lock()


def best_hold(
    *, user: AbstractBaseUser, event_id: int, wish: Request, address: str | None = None
) -> BestOutcome:
    """Hold the best seats for the caller's `wish`, all or none (docs/BEST_AVAILABLE.md): a
    batch of one ask."""
    if not room_is_ready(event_id):
        with _building:  # one thread builds it; the others then find it ready
            if not room_is_ready(event_id):
                run(room_steps(event_id=event_id))
    with transaction.atomic():
        (answer,) = run(best_batch_steps(event_id=event_id, asks=[Ask(user.pk, wish, address)]))
        if isinstance(answer, BookingError):
            raise answer
        seats_changed_on_commit(event_id=event_id, seats=answer.changed)
    return answer

"""The queue profile's verdict on what it observed (queue_observed.py), pure: the published
proof recomputed, every number a buyer was told equal to its place in the proof, no number
called before a lower one, join time no predictor of the draw, no turn given once sold out
was said, sold out told to every waiting socket, and no stall (seats free, buyers waiting,
nobody called). (No seat sold twice is checked through
the API with verdict.py's `sales_verdict`, by queue_run.py.)
"""

from __future__ import annotations

import math
import statistics
from collections import Counter

from reservations.waiting_room.draw import proof_problems

from .queue_observed import Observed, call_of, first_sold_out, frames_read
from .verdict import Verdict

# A Spearman rho this many standard errors (1/sqrt(n-1) with no relation) from 0 fails: by
# chance once in ~16,000 runs; a draw ordered by join time (rho near 1) fails at n >= 17.
RHO_SIGMAS = 4.0
# Fewer pre-queue entrants than this say nothing about the draw.
RHO_MIN_ENTRANTS = 10
# A room quiet this long past a claim window, with seats free and buyers waiting, has stalled.
STALL_GRACE_S = 10.0


def proof_numbers(proof: dict) -> dict[str, tuple[int, bool]]:
    """Each entry id's number and lateness as the proof publishes them: the drawn `order`
    first (number = position + 1), then `late` in the order they joined."""
    order, late = proof.get("order") or [], proof.get("late") or []
    numbers = {entry_id: (n, False) for n, entry_id in enumerate(order, start=1)}
    numbers.update({entry_id: (len(order) + n, True) for n, entry_id in enumerate(late, start=1)})
    return numbers


def numbers_against_proof(observed: list[Observed], proof: dict) -> list[str]:
    """Each buyer whose number (told by the join's answer or a `place` frame) or lateness is
    not the proof's."""
    numbers = proof_numbers(proof)
    wrong = []
    for seen in observed:
        if seen.entry_id is None:
            continue
        published = numbers.get(seen.entry_id)
        if published is None:
            wrong.append(f"buyer {seen.index}: entry {seen.entry_id} is not in the proof")
            continue
        number, late = published
        told = {n for e, n in seen.places_told if e == seen.entry_id and n is not None}
        told |= {seen.number} if seen.number is not None else set()
        if told - {number}:
            wrong.append(f"buyer {seen.index}: told No. {sorted(told)}, the proof says {number}")
        if seen.late is not None and seen.late != late:
            wrong.append(f"buyer {seen.index}: late={seen.late}, the proof lists late={late}")
    return wrong


def out_of_order(observed: list[Observed]) -> tuple[list[str], int]:
    """Buyers called strictly before a buyer with a lower number (by the server's `at` of the
    first frame each socket read with `serving` at or past its number; one tick's frame calls
    all of its numbers at once, so equal times are in order). Calls a reconnect may have hidden
    are left out: (the examples of those out of order, how many were left out)."""
    made = [(seen, call) for seen in observed if (call := call_of(seen)) is not None]
    calls = sorted((seen.number, call.at_ns, seen.index) for seen, call in made if call.certain)
    uncertain = len(made) - len(calls)
    wrong = []
    latest = None  # (at, number, index) of the lower number called last so far
    for number, at_ns, index in calls:
        if latest is not None and at_ns < latest[0]:
            wrong.append(
                f"No. {number} (buyer {index}) called {(latest[0] - at_ns) / 1e9:.3f} s before "
                f"No. {latest[1]} (buyer {latest[2]})"
            )
        if latest is None or at_ns > latest[0]:
            latest = (at_ns, number, index)
    return wrong, uncertain


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    positions: dict[float, list[int]] = {}
    for rank, value in enumerate(sorted(values), start=1):
        positions.setdefault(value, []).append(rank)
    return [statistics.fmean(positions[value]) for value in values]


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (the Pearson correlation of the ranks); None for fewer
    than three pairs or a constant side."""
    if len(xs) < 3:
        return None
    try:
        return statistics.correlation(ranks(xs), ranks(ys))
    except statistics.StatisticsError:  # a constant side, or sides of different lengths
        return None


def rho_limit(entrants: int) -> float | None:
    """The largest |rho| of join time against number that passes for this many entrants."""
    if entrants < RHO_MIN_ENTRANTS:
        return None
    return RHO_SIGMAS / math.sqrt(entrants - 1)


def join_order(observed: list[Observed], *, late: bool) -> tuple[float | None, int]:
    """Spearman's rho of join time (its answer) against number, among the pre-queue entrants
    (`late` False) or the late arrivals; and how many there were."""
    pairs = [
        (s.joined_ns, s.number)
        for s in observed
        if s.late is late and s.joined_ns is not None and s.number is not None
    ]
    return spearman([p[0] for p in pairs], [p[1] for p in pairs]), len(pairs)


def sold_out_seen_ns(observed: list[Observed]) -> int | None:
    """When the first `sold_out` frame reached any socket of the run."""
    firsts = [f[0] for s in observed if (f := first_sold_out(s)) is not None]
    return min(firsts) if firsts else None


def turns_after_sold_out(observed: list[Observed]) -> tuple[list[int], list[int], int]:
    """Claims answered with a turn although sent after sold out had reached a socket of this
    run (the server had committed it: no turn may follow), those in flight at that moment
    (sent before, answered after: allowed), and claims sent more than once (a lost answer:
    the second may be the first's turn again, left out)."""
    sold_out = sold_out_seen_ns(observed)
    after, in_flight, retried = [], [], 0
    if sold_out is None:
        return after, in_flight, retried
    for s in observed:
        if not s.claimed:
            continue
        if s.claim_attempts > 1:
            retried += 1
        elif s.claim_sent_ns >= sold_out:
            after.append(s.index)
        elif s.claim_answered_ns >= sold_out:
            in_flight.append(s.index)
    return after, in_flight, retried


def waiting_at(seen: Observed, moment_ns: int) -> bool:
    """Whether the buyer's socket was waiting (joined, its turn not shown) at `moment_ns`."""
    return seen.join_code == "ok" and (seen.turn_shown_ns is None or seen.turn_shown_ns > moment_ns)


def sold_out_untold(observed: list[Observed]) -> list[int]:
    """Waiting sockets, open at the end, that never read the sold out other sockets read."""
    sold_out = sold_out_seen_ns(observed)
    if sold_out is None:
        return []
    return [
        s.index
        for s in observed
        if s.open_at_end and waiting_at(s, sold_out) and first_sold_out(s) is None
    ]


# Refusals a buyer of the profile can meet in a sale that works: a join or a claim once sold
# out, a claim whose window ended before it came (a slow client).
EXPECTED_JOIN_REFUSALS = frozenset({"sold_out"})
EXPECTED_CLAIM_REFUSALS = frozenset({"sold_out", "turn_lapsed"})


def refusals(observed: list[Observed], verdict: Verdict) -> None:
    """Nobody joined, or a join or a claim refused for another reason than those expected
    (a claim `not_your_turn` is the server disowning a call its own frame made)."""
    if observed and not any(s.join_code == "ok" for s in observed):
        verdict.fail("no account joined the waiting room")
    for step, expected in (("join", EXPECTED_JOIN_REFUSALS), ("claim", EXPECTED_CLAIM_REFUSALS)):
        codes = Counter(getattr(s, f"{step}_code") for s in observed)
        wrong = {c: n for c, n in codes.items() if c not in expected and c not in ("ok", None)}
        verdict.figures[f"{step}s_refused_unexpectedly"] = wrong
        if wrong:
            verdict.fail(f"{step}s refused: {', '.join(f'{c} {n}' for c, n in wrong.items())}")


def waiting_at_end(seen: Observed) -> bool:
    """Joined, never called, its socket open when the run ended."""
    return seen.open_at_end and seen.joined_ns is not None and call_of(seen) is None


def stall(
    observed: list[Observed], end_ns: int, claim_seconds: float, waiting_now=waiting_at_end
) -> dict | None:
    """The room stopped calling while it had seats to sell: at `end_ns` its last frame says
    `admitting` with seats free, buyers still wait on open sockets (`waiting_now`), and no
    number was called for longer than a claim window and STALL_GRACE_S (so no call is being
    held back for buyers who may still claim). None when it did not."""
    frames = frames_read(observed)
    if not frames:
        return None
    last = frames[-1]
    waiting = sum(1 for s in observed if waiting_now(s))
    called_at = [f.at_ns for f, g in zip(frames[1:], frames, strict=False) if f.serving > g.serving]
    quiet = (end_ns - (called_at[-1] if called_at else frames[0].at_ns)) / 1e9
    if last.state != "admitting" or not last.seats_left or not waiting:
        return None
    if quiet <= claim_seconds + STALL_GRACE_S:
        return None
    return {"waiting": waiting, "seats_left": last.seats_left, "quiet_s": round(quiet, 1)}


def judge(
    proof: dict,
    observed: list[Observed],
    verdict: Verdict,
    *,
    max_rho: float | None = None,
    end_ns: int | None = None,
    claim_seconds: float = 0,
) -> None:
    """Every check of the module on one run, its figures into `verdict.figures`. `max_rho`:
    the limit on |rho| (default `rho_limit` of the entrants observed); `end_ns`: when the
    run ended, `claim_seconds` the room's (for `stall`; no stall check without `end_ns`)."""
    figures = verdict.figures
    refusals(observed, verdict)
    stopped = stall(observed, end_ns, claim_seconds) if end_ns is not None else None
    figures["stalled"] = stopped
    if stopped:
        verdict.fail(
            f"the room stopped calling with {stopped['seats_left']} seat(s) free: "
            f"{stopped['waiting']} buyers waiting, nothing called for {stopped['quiet_s']} s"
        )
    problems = proof_problems(proof)
    figures["proof_problems"] = problems
    if problems:
        verdict.fail(f"the published proof does not hold: {'; '.join(problems)}")
    wrong = numbers_against_proof(observed, proof)
    figures["numbers_checked"] = sum(1 for s in observed if s.entry_id is not None)
    figures["numbers_wrong"] = len(wrong)
    if wrong:
        verdict.fail(f"{len(wrong)} buyer(s) told a number not the proof's, e.g. {wrong[:3]}")
    disorder, uncertain = out_of_order(observed)
    figures["admitted_out_of_order"] = len(disorder)
    figures["calls_left_out_reconnected"] = uncertain
    if disorder:
        verdict.fail(f"{len(disorder)} admission(s) out of order, e.g. {disorder[:3]}")
    rho, entrants = join_order(observed, late=False)
    limit = max_rho if max_rho is not None else rho_limit(entrants)
    figures["join_rho"] = round(rho, 4) if rho is not None else None
    figures["join_rho_limit"] = round(limit, 4) if limit is not None else None
    figures["join_rho_entrants"] = entrants
    if rho is not None and limit is not None and abs(rho) >= limit:
        verdict.fail(
            f"join time predicts the number among {entrants} pre-queue entrants: Spearman rho "
            f"{rho:.3f}, limit {limit:.3f}"
        )
    late_rho, late_n = join_order(observed, late=True)
    # First come first served: near 1 (not judged: joins in flight together come in any order).
    figures["late_join_rho"] = round(late_rho, 4) if late_rho is not None else None
    figures["late_arrivals"] = late_n
    after, in_flight, retried = turns_after_sold_out(observed)
    figures["turns_after_sold_out"] = len(after)
    figures["turns_in_flight_at_sold_out"] = len(in_flight)
    figures["claims_sent_twice"] = retried
    if after:
        verdict.fail(f"{len(after)} turn(s) given to claims sent after sold out: {after[:10]}")
    untold = sold_out_untold(observed)
    figures["sold_out_untold"] = len(untold)
    if untold:
        verdict.fail(f"{len(untold)} waiting socket(s) never told sold out: {untold[:10]}")

"""The queue profile's verdict and figures on crafted observations: a proof made with the draw's
own functions passes and a doctored one fails, a number called before a lower one is counted,
join time that predicts the number fails, a turn given after sold out fails, and the figures
come out of the frames as the protocol defines them."""

import secrets

import pytest

from loadtest.queue_figures import admissions, estimate_error, sold_out_reach, waits
from loadtest.queue_observed import Observed, QueueFrame, call_of, iso_ns
from loadtest.queue_verdict import (
    judge,
    numbers_against_proof,
    out_of_order,
    ranks,
    rho_limit,
    spearman,
    stall,
    turns_after_sold_out,
)
from loadtest.verdict import Verdict
from reservations.waiting_room.draw import commitment_of, drawn_order, entrants_digest

S = 1_000_000_000  # ns
ON_SALE = 1_000 * S


def frame(at_s: float, serving: int, state="admitting", rate=0, show_share=1.0, seats_left=10):
    return QueueFrame(int(at_s * S), state, serving, rate, show_share, True, seats_left)


def a_proof(entrants: int = 30, late: int = 5) -> dict:
    """A proof as the server publishes it, made with the draw's own functions."""
    seed = secrets.token_hex(32)
    ids = [secrets.token_hex(8) for _ in range(entrants)]
    return {
        "event_id": 1,
        "commitment": commitment_of(seed),
        "seed": seed,
        "randomness_source": "",
        "public_randomness": "",
        "entrants_digest": entrants_digest(ids),
        "entrants": sorted(ids),
        "order": drawn_order(seed, "", ids),
        "late": [secrets.token_hex(8) for _ in range(late)],
    }


def buyers_of(proof: dict, join_ns=None) -> list[Observed]:
    """One observed buyer per entry of the proof, told its number, each called in turn by a
    frame at its number's second after the on-sale; pre-queue joins at random times (or
    `join_ns(number)`)."""
    buyers = []
    numbered = [(e, False) for e in proof["order"]] + [(e, True) for e in proof["late"]]
    for number, (entry_id, late) in enumerate(numbered, start=1):
        joined = join_ns(number) if join_ns else ON_SALE - secrets.randbelow(100 * S)
        if late:
            joined = ON_SALE + number * S // 10
        seen = Observed(number, entry_id=entry_id, number=number, late=late, join_code="ok")
        seen.joined_ns = seen.number_ns = joined
        seen.opened_ns = [joined - S]
        seen.places_told = [(entry_id, number)]
        called = (ON_SALE + number * S, frame(1000 + number, number))
        seen.frames = [(ON_SALE, frame(1000, 0)), called]
        seen.open_at_end = True
        buyers.append(seen)
    return buyers


def verdict_on(proof: dict, buyers: list[Observed], **options) -> Verdict:
    verdict = Verdict()
    judge(proof, buyers, verdict, **options)
    return verdict


def test_a_proof_as_published_and_the_numbers_told_from_it_pass():
    proof = a_proof()
    verdict = verdict_on(proof, buyers_of(proof))
    assert verdict.passed, verdict.failures
    assert verdict.figures["numbers_checked"] == 35
    assert verdict.figures["admitted_out_of_order"] == 0


@pytest.mark.parametrize(
    ("doctor", "problem"),
    [
        (lambda p: p["order"].insert(0, p["order"].pop(5)), "differ from the recomputed draw"),
        (lambda p: p.update(seed=secrets.token_hex(32)), "does not match the commitment"),
        (lambda p: p["entrants"].pop(), "do not match the digest"),
    ],
    ids=["order", "seed", "entrants"],
)
def test_a_doctored_proof_fails_the_verdict(doctor, problem):
    proof = a_proof()
    buyers = buyers_of(proof)
    doctor(proof)

    verdict = verdict_on(proof, buyers)

    assert not verdict.passed
    assert any(problem in p for p in verdict.figures["proof_problems"])


def test_a_buyer_told_another_number_than_the_proofs_is_counted():
    proof = a_proof(entrants=10, late=2)
    buyers = buyers_of(proof)
    buyers[3].places_told.append((buyers[3].entry_id, 9))  # a place frame said 9, the proof 4
    buyers[11].late = False  # the proof lists it late

    wrong = numbers_against_proof(buyers, proof)

    assert len(wrong) == 2
    assert "told No. [4, 9], the proof says 4" in wrong[0]
    assert "late=False, the proof lists late=True" in wrong[1]
    assert not verdict_on(proof, buyers).passed


def test_a_number_called_before_a_lower_one_counts_as_out_of_order():
    proof = a_proof(entrants=6, late=0)
    buyers = buyers_of(proof)
    assert out_of_order(buyers) == ([], 0)
    # No. 5 saw `serving` 5 in a frame of second 2, while No. 4 was called at second 4.
    buyers[4].frames[1] = (ON_SALE + 2 * S, frame(1002, 5))

    wrong, uncertain = out_of_order(buyers)

    assert len(wrong) == 1 and "No. 5 (buyer 5) called 2.000 s before No. 4" in wrong[0]
    assert uncertain == 0
    verdict = verdict_on(proof, buyers)
    assert not verdict.passed and verdict.figures["admitted_out_of_order"] == 1


def test_numbers_called_by_the_same_tick_are_in_order():
    proof = a_proof(entrants=6, late=0)
    buyers = buyers_of(proof)
    for seen in buyers:  # one tick called all six
        seen.frames[1] = (ON_SALE + S, frame(1001, 6))
    assert out_of_order(buyers) == ([], 0)


def test_a_call_a_reconnect_may_have_hidden_is_left_out():
    proof = a_proof(entrants=6, late=0)
    buyers = buyers_of(proof)
    buyers[4].frames[1] = (ON_SALE + 2 * S, frame(1002, 5))
    buyers[4].opened_ns.append(ON_SALE + S)  # its socket was reopened before that frame

    assert call_of(buyers[4]).certain is False
    assert out_of_order(buyers) == ([], 1)


def test_spearman_of_ranks():
    assert ranks([10, 30, 20, 20]) == [1, 4, 2.5, 2.5]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert rho_limit(9) is None and rho_limit(101) == pytest.approx(0.4)


def test_a_draw_that_follows_join_time_fails():
    proof = a_proof(entrants=30, late=0)
    buyers = buyers_of(proof, join_ns=lambda number: ON_SALE - (100 - number) * S)

    verdict = verdict_on(proof, buyers)

    assert not verdict.passed
    assert verdict.figures["join_rho"] == pytest.approx(1.0)
    assert "join time predicts the number among 30 pre-queue entrants" in verdict.failures[0]


def test_a_turn_given_to_a_claim_sent_after_sold_out_fails():
    proof = a_proof(entrants=4, late=0)
    buyers = buyers_of(proof)
    sold_out = ON_SALE + 10 * S
    for seen in buyers:
        seen.frames.append((sold_out + seen.index, frame(1010, 4, state="sold_out")))
    buyers[0].claim_code, buyers[0].claim_attempts = "ok", 1  # before: fine
    buyers[0].claim_sent_ns = buyers[0].claim_answered_ns = sold_out - S
    buyers[1].claim_code, buyers[1].claim_attempts = "ok", 1  # in flight: allowed
    buyers[1].claim_sent_ns, buyers[1].claim_answered_ns = sold_out - 1, sold_out + S
    buyers[2].claim_code, buyers[2].claim_attempts = "sold_out", 1  # refused: right
    buyers[2].claim_sent_ns = buyers[2].claim_answered_ns = sold_out + S
    assert turns_after_sold_out(buyers) == ([], [2], 0)
    assert verdict_on(proof, buyers).passed

    buyers[3].claim_code, buyers[3].claim_attempts = "ok", 1
    buyers[3].claim_sent_ns = buyers[3].claim_answered_ns = sold_out + S

    verdict = verdict_on(proof, buyers)
    assert not verdict.passed and verdict.figures["turns_after_sold_out"] == 1


def test_a_waiting_socket_never_told_sold_out_fails():
    proof = a_proof(entrants=4, late=0)
    buyers = buyers_of(proof)
    for seen in buyers[:3]:
        seen.frames.append((ON_SALE + 10 * S, frame(1010, 4, state="sold_out")))
    buyers[1].turn_shown_ns = ON_SALE + 5 * S  # shopping already: not waiting

    verdict = verdict_on(proof, buyers)

    assert not verdict.passed and verdict.figures["sold_out_untold"] == 1
    buyers[3].open_at_end = False  # its socket had closed: nothing to tell
    assert verdict_on(proof, buyers).passed


def test_time_in_queue_runs_from_the_join_or_the_on_sale_to_the_call():
    early = Observed(0, number=1, joined_ns=ON_SALE - 50 * S)
    early.frames = [(ON_SALE, frame(1000, 0)), (ON_SALE + 2 * S, frame(1002, 1))]
    late = Observed(1, number=2, joined_ns=ON_SALE + 3 * S, late=True)
    late.frames = [(ON_SALE + 4 * S, frame(1004, 1)), (ON_SALE + 7 * S, frame(1007, 2))]
    never = Observed(2, number=3, joined_ns=ON_SALE)
    never.frames = late.frames

    assert waits([late, early, never], ON_SALE) == [(1, 2.0, False), (2, 4.0, True)]


def test_the_estimate_shown_on_each_frame_against_the_actual_call():
    seen = Observed(0, number=31, number_ns=ON_SALE)
    # 20 ahead at 10 a minute, half of them coming: 60 to 120 s; called 100 s later.
    seen.frames = [
        (ON_SALE, frame(1000, 0, rate=0)),  # no rate yet: no estimate
        (ON_SALE + 10 * S, frame(1010, 10, rate=10, show_share=0.5)),
        (ON_SALE + 110 * S, frame(1110, 31, rate=10)),
    ]

    figures = estimate_error([seen])

    assert figures["estimates"] == 1 and figures["frames_without_estimate"] == 1
    assert figures["midpoint_abs_error_s"]["p50"] == pytest.approx(10.0)
    assert figures["midpoint_signed_error_s_p50"] == pytest.approx(-10.0)
    assert figures["inside_range_share"] == 1.0


def test_admissions_a_minute_from_serving_and_from_the_frames():
    frames = [
        frame(999, 0, state="pre_queue")._replace(drawn=False),
        frame(1001, 10, rate=10),
        frame(1031, 20, rate=20),
        frame(1061, 30, rate=30),
        frame(1062, 30, state="sold_out", rate=30),
    ]

    figures = admissions(frames, ON_SALE)

    assert figures["numbers_called"] == 30
    assert figures["observed_per_min_whole_sale"] == pytest.approx(30 / (61 / 60), abs=0.1)
    assert figures["observed_per_min_between_frames"]["p50"] == pytest.approx(20.0)
    assert figures["frame_rate_per_min"]["max"] == 30
    assert figures["calls_per_tick"]["n"] == 3
    assert figures["first_call_after_on_sale_s"] == pytest.approx(1.0)


def test_sold_out_reach_is_timed_from_the_first_socket_and_from_the_frame():
    buyers = []
    for i, delay_ms in enumerate([0, 5, 40]):
        seen = Observed(i, join_code="ok", number=100)
        seen.frames = [(ON_SALE + 10 * S + delay_ms * 1_000_000, frame(1009.99, 5, "sold_out"))]
        buyers.append(seen)

    reach = sold_out_reach(buyers)

    assert reach["waiting_sockets"] == 3
    assert reach["after_first_socket_ms"]["max"] == pytest.approx(40.0)
    assert reach["after_server_at_ms"]["p50"] == pytest.approx(15.0, abs=0.01)


def test_times_of_the_api_read_to_the_nanosecond_scale():
    assert iso_ns("1970-01-01T00:00:01.5Z") == 1_500_000_000
    assert iso_ns("1970-01-01T00:00:02Z") == 2 * S


def test_a_room_that_stops_calling_with_seats_free_has_stalled():
    seen = Observed(0, number=5, join_code="ok", joined_ns=ON_SALE - S, open_at_end=True)
    seen.frames = [
        (ON_SALE + S, frame(1001, 3, seats_left=3)),
        (ON_SALE + 2 * S, frame(1002, 4, seats_left=1)),  # the last call
        (ON_SALE + 30 * S, frame(1030, 4, seats_left=1)),
    ]
    end = ON_SALE + 40 * S

    assert stall([seen], end, claim_seconds=5) == {"waiting": 1, "seats_left": 1, "quiet_s": 38.0}
    # Within a claim window and the grace of the last call, it may still be waiting for claims.
    assert stall([seen], end, claim_seconds=30) is None
    assert stall([seen], ON_SALE + 12 * S, claim_seconds=5) is None
    verdict = Verdict()
    judge({"seed": None}, [seen], verdict, end_ns=end, claim_seconds=5)
    assert "the room stopped calling with 1 seat(s) free: 1 buyers waiting" in verdict.failures[0]
    # Sold out, or nobody left waiting: no stall.
    seen.frames.append((ON_SALE + 31 * S, frame(1031, 4, state="sold_out", seats_left=0)))
    assert stall([seen], end, claim_seconds=5) is None
    seen.frames.pop()
    seen.open_at_end = False
    assert stall([seen], end, claim_seconds=5) is None


def test_joins_and_claims_refused_for_unexpected_reasons_fail():
    proof = a_proof(entrants=4, late=0)
    buyers = buyers_of(proof)
    buyers[0].claim_code = "turn_lapsed"  # a slow client: allowed
    buyers[1].join_code = "sold_out"
    assert verdict_on(proof, buyers).passed

    buyers[2].claim_code = "not_your_turn"
    buyers[3].join_code = "not_authenticated"

    verdict = verdict_on(proof, buyers)
    assert verdict.figures["joins_refused_unexpectedly"] == {"not_authenticated": 1}
    assert verdict.failures[:2] == [
        "joins refused: not_authenticated 1",
        "claims refused: not_your_turn 1",
    ]
    for seen in buyers:
        seen.join_code = "not_authenticated"
    assert "no account joined the waiting room" in verdict_on(proof, buyers).failures

"""The draw anyone can check (API.md "Waiting room"), and its verifier rejecting any tamper."""

import hashlib
import json
import random
import statistics

import pytest

from reservations.waiting_room import verify
from reservations.waiting_room.draw import (
    commitment_of,
    draw_key,
    drawn_order,
    entrants_digest,
    proof_problems,
)

SEED = "ab" * 32
ROUND_7, ROUND_8 = "a7" * 48, "b8" * 48  # in a signature's form; test_queue_beacon checks rounds


def _proof(entrants: list[str], randomness: str = "") -> dict:
    return {
        "commitment": commitment_of(SEED),
        "seed": SEED,
        "public_randomness": randomness,
        "entrants_digest": entrants_digest(entrants),
        "entrants": sorted(entrants),
        "order": drawn_order(SEED, randomness, entrants),
        "late": [],
    }


# Fixed ids in new_entry_id's shape, so that the correlation below is one figure, not a draw
# of its own that fails once in a few thousand runs.
_IDS = random.Random(37)
ENTRANTS = [_IDS.randbytes(8).hex() for _ in range(200)]


def test_the_order_depends_on_the_seed_and_the_randomness_not_on_the_list_order():
    shuffled = random.sample(ENTRANTS, len(ENTRANTS))
    assert drawn_order(SEED, ROUND_7, ENTRANTS) == drawn_order(SEED, ROUND_7, shuffled)
    assert drawn_order(SEED, ROUND_7, ENTRANTS) != drawn_order(SEED, ROUND_8, ENTRANTS)
    assert drawn_order(SEED, "", ENTRANTS) != drawn_order("cd" * 32, "", ENTRANTS)


def test_a_published_proof_checks_out():
    assert proof_problems(_proof(ENTRANTS, ROUND_7)) == []


def test_the_draw_is_keyed_by_drands_randomness_not_by_the_text_typed():
    """drand's randomness for a round is its signature's sha256: one round, one key, however
    its signature is spelled (issue 60 row 5)."""
    randomness = hashlib.sha256(bytes.fromhex(ROUND_7)).hexdigest()
    assert draw_key(SEED, ROUND_7) == hashlib.sha256(f"{SEED}:{randomness}".encode()).digest()
    assert draw_key(SEED, ROUND_7) == draw_key(SEED, ROUND_7.upper())
    assert draw_key(SEED, "") == hashlib.sha256(f"{SEED}:".encode()).digest()  # the seed alone


@pytest.mark.parametrize("spelling", [ROUND_7.upper(), " ".join([ROUND_7[:48], ROUND_7[48:]])])
def test_the_verifier_takes_the_randomness_in_its_one_form_only(spelling):
    proof = _proof(ENTRANTS, ROUND_7) | {"public_randomness": spelling}
    assert proof_problems(proof) == [
        "the public randomness is not a drand signature in its one form: "
        "96 lowercase hexadecimal digits"
    ]


@pytest.mark.parametrize(
    "tamper, problem",
    [
        (lambda p: p.update(seed="cd" * 32), "commitment"),
        (lambda p: p["order"].reverse(), "numbers differ"),
        (lambda p: p["order"].__setitem__(slice(0, 2), p["order"][1::-1]), "numbers differ"),
        (lambda p: p["entrants"].pop(), "digest"),
        (lambda p: p.update(public_randomness=ROUND_8), "numbers differ"),
        (lambda p: p.update(late=[p["entrants"][0]]), "late"),
    ],
    ids=["seed", "order reversed", "two swapped", "entrant dropped", "randomness", "late twice"],
)
def test_the_verifier_rejects_a_tampered_proof(tamper, problem):
    proof = _proof(ENTRANTS, ROUND_7)
    tamper(proof)
    problems = proof_problems(proof)
    assert any(problem in p for p in problems), problems


def test_the_verifier_command_exits_0_on_a_good_proof_and_1_on_a_bad_one(tmp_path, capsys):
    good = tmp_path / "proof.json"
    good.write_text(json.dumps(_proof(ENTRANTS)))
    assert verify.main([str(good), "--entry", ENTRANTS[0]]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 200 entrants")
    assert f"{ENTRANTS[0]}: No. " in out
    bad = _proof(ENTRANTS)
    bad["order"][0], bad["order"][1] = bad["order"][1], bad["order"][0]
    good.write_text(json.dumps(bad))
    assert verify.main([str(good)]) == 1
    assert "FAIL: 2 of 200 numbers differ" in capsys.readouterr().out


def test_join_time_does_not_predict_the_number():
    """The entry ids in the order they joined against their drawn numbers: no correlation."""
    order = drawn_order(SEED, "", ENTRANTS)
    number = {entry_id: n for n, entry_id in enumerate(order)}
    ranks = [number[entry_id] for entry_id in ENTRANTS]  # ENTRANTS: join order
    spearman = statistics.correlation(range(len(ranks)), ranks)  # Pearson's r of two rankings
    assert abs(spearman) < 0.25  # |rho| of 200 random ranks: > 0.25 about once in 2,000 runs


def test_the_verifier_checks_the_named_drand_rounds_signature(tmp_path, capsys):
    """A real quicknet round: the proof holds with its signature, and fails with another's."""
    from .test_queue_beacon import REAL_ROUND, REAL_SIGNATURE

    proof = _proof(ENTRANTS, REAL_SIGNATURE) | {
        "randomness_source": f"drand quicknet round {REAL_ROUND}"
    }
    saved = tmp_path / "proof.json"
    saved.write_text(json.dumps(proof))
    assert verify.main([str(saved)]) == 0
    proof["randomness_source"] = f"drand quicknet round {REAL_ROUND + 1}"
    saved.write_text(json.dumps(proof))
    assert verify.main([str(saved)]) == 1
    assert "FAIL: the public randomness: That is not the signature" in capsys.readouterr().out


def test_the_verifier_refuses_a_round_plus_a_small_order_point(tmp_path, capsys):
    """It passes the pairing and the text's form, and orders the draw differently."""
    from .beacon_rounds import plus_small_order
    from .test_queue_beacon import REAL_ROUND, REAL_SIGNATURE

    steered = plus_small_order(REAL_SIGNATURE)
    proof = _proof(ENTRANTS, steered) | {"randomness_source": f"drand quicknet round {REAL_ROUND}"}
    saved = tmp_path / "proof.json"
    saved.write_text(json.dumps(proof))
    assert verify.main([str(saved)]) == 1
    assert "not a point of its signature group" in capsys.readouterr().out

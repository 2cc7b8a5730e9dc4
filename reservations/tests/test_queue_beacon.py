"""A draw's public randomness is checked against the drand round named for it before the
queue opened (waiting_room/beacon.py, issue 40 row 6): the organiser cannot pick it."""

from datetime import UTC, datetime, timedelta

import pytest

from reservations.waiting_room import beacon

from .beacon_rounds import own_chain, plus_small_order, signature

# drand quicknet round 657413, as https://api.drand.sh/v2/beacons/quicknet/rounds/657413 gives it
# (and drand-verify's README): its randomness is the signature's sha256.
REAL_ROUND = 657413
REAL_SIGNATURE = (
    "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be4107"
    "6862b98fad56e91a6b85b89cd97b"
)


def test_a_real_quicknet_round_is_taken_and_the_same_signature_for_another_round_is_not():
    assert beacon.signature_problem(f"drand quicknet round {REAL_ROUND}", REAL_SIGNATURE) is None
    wrong = beacon.signature_problem(f"drand quicknet round {REAL_ROUND + 1}", REAL_SIGNATURE)
    assert wrong == f"That is not the signature of drand quicknet round {REAL_ROUND + 1}."


@pytest.mark.parametrize("value", ["f00d", "zz" * 48, REAL_SIGNATURE[:-2], REAL_SIGNATURE + "00"])
def test_what_is_no_signature_is_refused_in_words(value):
    problem = beacon.signature_problem(f"drand quicknet round {REAL_ROUND}", value)
    assert problem == "That is not a drand signature: 96 lowercase hexadecimal digits."


@pytest.mark.parametrize(
    "spelling, problem",
    [
        (REAL_SIGNATURE.upper(), "96 lowercase hexadecimal digits"),
        (" ".join(REAL_SIGNATURE[i : i + 2] for i in range(0, 96, 2)), "96 lowercase"),
        (f" {REAL_SIGNATURE}\n", "96 lowercase hexadecimal digits"),
        (plus_small_order(REAL_SIGNATURE), "not a point of its signature group"),
    ],
    ids=["upper case", "spaced bytes", "padded", "plus a small-order point"],
)
def test_a_round_is_taken_in_its_one_form_only(spelling, problem):
    """Each of these passes the pairing: whoever sets the randomness could otherwise try them
    and keep the order they like (issue 60 row 5)."""
    refused = beacon.signature_problem(f"drand quicknet round {REAL_ROUND}", spelling)
    assert refused is not None and problem in refused


def test_a_source_names_a_quicknet_round_that_comes_out_at_or_after_the_on_sale():
    on_sale = datetime(2030, 1, 1, 10, tzinfo=UTC)
    first_after = 66896212  # genesis + 66896211 periods of 3 s: 2030-01-01 10:00:00 UTC
    assert beacon.round_time(first_after) == on_sale
    assert beacon.source_problem(f"drand quicknet round {first_after}", on_sale) is None
    assert beacon.source_problem("", on_sale) is None  # no source: the seed alone
    early = beacon.source_problem(f"drand quicknet round {first_after - 1}", on_sale)
    assert early.startswith(f"Round {first_after - 1} comes out at 2030-01-01 09:59:57 UTC")
    named = beacon.source_problem("drand, the first round after 09:59", on_sale)
    assert named == 'Name a drand round as "drand quicknet round N", or leave it empty.'


def test_the_tests_own_chain_is_checked_by_the_same_code(monkeypatch):
    monkeypatch.setattr(beacon, "QUICKNET", own_chain(datetime.now(UTC) - timedelta(hours=1)))
    assert beacon.signature_problem("drand quicknet round 7", signature(7)) is None
    assert beacon.signature_problem("drand quicknet round 8", signature(7)) is not None


def test_checking_a_round_leaves_the_processs_recursion_limit_alone():
    """py-ecc raises it to 100,000 on import: a deeply nested JSON body would then crash the
    server's C stack (a segfault) instead of a RecursionError answered 400."""
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup(); before = sys.getrecursionlimit();"
        "from reservations.waiting_room import beacon;"
        f"beacon.signature_problem('drand quicknet round {REAL_ROUND}', '{REAL_SIGNATURE}');"
        "print(before, sys.getrecursionlimit())"
    )
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    before, after = shown.stdout.split()
    assert before == after, shown.stderr

"""`python -m loadtest ab` (bench_ab.py): what a side is, and what a ratio of interleaved runs
is. The runs themselves need wrk and a quiet machine: they are the bench's, not the tests'."""

import argparse
from pathlib import Path

import pytest

from loadtest.bench_ab import ratios, side
from loadtest.bench_servers import ROOT


def test_a_side_is_a_name_a_checkout_and_what_wrk_runs_on_it(tmp_path):
    assert side(f"start={tmp_path}:checkout") == ("start", tmp_path, "checkout")
    assert side("paid=.:pay").root == Path.cwd()
    assert side("floor=/anywhere:floor").root == ROOT  # the floor is this checkout's own


@pytest.mark.parametrize("text", ["start", "=.:hold", "start=.:book", "start=:hold"])
def test_a_side_that_says_less_is_a_usage_error(text):
    with pytest.raises(argparse.ArgumentTypeError, match="NAME=ROOT:SCRIPT"):
        side(text)


def test_each_side_is_set_against_the_first_round_by_round_and_in_sum():
    costs = {"floor": [1.0, 2.0, 1.0], "head": [2.0, 2.0, 3.0]}

    assert ratios(costs) == {"floor": (1.0, 1.0), "head": (2.0, 7 / 4)}

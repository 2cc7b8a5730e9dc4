"""The figures' one quantile rule, pure: nearest rank."""

from loadtest.stats import quantiles


def test_a_quantile_is_the_nearest_rank_not_the_one_above():
    q = quantiles(list(range(1, 101)))
    assert (q["p50"], q["p95"], q["p99"], q["max"]) == (50, 95, 99, 100), q
    assert quantiles([10, 20])["p50"] == 10, "the median of two is not their max"
    assert quantiles([7])["p99"] == 7

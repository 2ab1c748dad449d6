"""The suite's aggregate: the interquartile mean and its bootstrap interval (benchmark_stats)."""

import numpy as np
import pytest

from pgcli.benchmark.stats import bootstrap_iqm, iqm


def test_the_interquartile_mean_drops_a_quarter_at_each_end():
    assert iqm([8, 1, 7, 2, 6, 3, 5, 4]) == pytest.approx(4.5)  # the mean of 3, 4, 5, 6
    assert iqm([0.3, 0.7, 0.8, 1.1, 1.3, 7.6, 8.5, 0.4]) == pytest.approx(np.mean([0.7, 0.8, 1.1, 1.3]))
    assert iqm([1.0, 9.0]) == pytest.approx(5.0)  # under 4 games nothing is dropped: the mean
    np.testing.assert_allclose(iqm(np.array([[1, 2, 3, 100], [4, 4, 4, 4]])), [2.5, 4.0])  # row by row


def identity(i, scores):
    return scores


def test_the_interval_is_the_evaluation_games_spread_and_holds_the_estimate():
    rng = np.random.default_rng(0)
    games = [[list(rng.normal(m, 1.0, 30))] for m in (0.2, 0.5, 0.9, 1.2, 1.5, 3.0, 8.0, 9.0)]
    point, (lo, hi) = bootstrap_iqm(games, identity)
    assert point == pytest.approx(iqm([np.mean(g[0]) for g in games]))
    assert lo < point < hi and 0.05 < hi - lo < 1.0  # ~4 games of 30 draws with sd 1 in the middle half
    assert bootstrap_iqm(games, identity) == (point, (lo, hi))  # the same report each time it is made
    flat = [[[m] * 30] for m in (0.2, 0.5, 0.9, 1.2)]  # no spread in any game: no width
    assert bootstrap_iqm(flat, identity)[1] == pytest.approx((0.7, 0.7))


def test_a_game_with_several_seeds_has_its_seeds_resampled_too():
    one_seed = [[[1.0] * 10] for _ in range(3)]
    seeds = one_seed[:2] + [[[0.0] * 10, [1.0] * 10, [2.0] * 10]]  # each seed steady, the seeds apart
    assert bootstrap_iqm(one_seed, identity)[1] == pytest.approx((1.0, 1.0))
    lo, hi = bootstrap_iqm(seeds, identity)[1]
    assert lo < 1.0 < hi


def test_scores_go_through_the_games_own_normalisation():
    games = [[[10.0, 12.0]], [[100.0, 100.0]]]
    scale = (2.0, 0.01)
    point, _ = bootstrap_iqm(games, lambda i, s: s * scale[i])
    assert point == pytest.approx((22.0 + 1.0) / 2)

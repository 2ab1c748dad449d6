"""The suite's aggregate: the interquartile mean of the games' HNS, with a 95 % bootstrap interval.

Agarwal et al., "Deep Reinforcement Learning at the Edge of the Statistical Precipice" (NeurIPS
2021), recommend for a handful of games the interquartile mean (IQM: the mean of the middle half of
the scores, which one game can carry no more than the median can, and which uses more of them) with
a stratified bootstrap interval. Their `rliable` resamples runs within each game; with one seed on
most games that interval has zero width. So here each run's *evaluation games* are resampled (what
the score's own spread over the games played says), and the seeds too where a game has several.

Why numpy and not a library: `rliable` 1.2.0 ships no wheel and its `arch` dependency fails to import
under pandas 3; `scipy.stats.bootstrap` resamples one level of independent samples, not a nested
resample (games within a run, runs within a game) of a statistic across games. This is 15 lines.
"""

from __future__ import annotations

import numpy as np

RESAMPLES = 2000  # bootstrap resamples
SEED = 0  # the report's interval is the same each time it is made


def iqm(values) -> float:
    """The interquartile mean: sort, drop the lowest and the highest quarter (rounded down, as
    `scipy.stats.trim_mean(x, 0.25)` and rliable do), average the rest."""
    x = np.sort(np.asarray(values, np.float64), axis=-1)
    cut = int(0.25 * x.shape[-1])
    return x[..., cut : x.shape[-1] - cut].mean(axis=-1)


def bootstrap_iqm(games: list[list[list[float]]], to_hns, resamples: int = RESAMPLES, seed: int = SEED):
    """games: for each game, for each of its runs (seeds), the scores of its evaluation games;
    to_hns(i, scores) maps game i's scores (array) to HNS. -> (IQM of the games' HNS, (low, high) of
    the 95 % percentile interval). Each resample draws every run's evaluation games with replacement
    and, where a game has several runs, its runs with replacement; a game's score is the mean over
    its runs of their mean; the IQM is taken over the games."""
    rng = np.random.default_rng(seed)
    point = iqm([to_hns(i, np.mean([np.mean(r) for r in runs])) for i, runs in enumerate(games)])
    per_game = np.empty((resamples, len(games)))
    for i, runs in enumerate(games):
        means = np.stack([np.asarray(r, np.float64)[rng.integers(0, len(r), (resamples, len(r)))].mean(axis=1)
                          for r in runs], axis=1)  # (resamples, runs): each run's games redrawn
        pick = rng.integers(0, len(runs), (resamples, len(runs)))  # the runs redrawn
        per_game[:, i] = to_hns(i, np.take_along_axis(means, pick, axis=1).mean(axis=1))
    low, high = np.percentile(iqm(per_game), [2.5, 97.5])
    return float(point), (float(low), float(high))

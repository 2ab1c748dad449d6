"""Published reference scores, the human-normalised score, and the Atari-5 estimate of the 57-game median.

HNS = (score - random) / (human - random): 0 plays like random, 1 like the human tester. Two human
tables are in use and they differ (Pong 9.3 vs 14.6, Boxing 4.3 vs 12.1), so both are kept:
- "nature": random and human of the DQN paper (Mnih et al., Nature 2015);
- "agent57": those of Agent57 (Badia et al., 2020; DeepMind's `tandem_dqn/atari_data.py`), the table
  Atari-5 uses (its repository's `Atari-Human.csv`).
Scores of convolutional PPO to hold pgcli against: the PPO paper (Schulman et al. 2017, 40M frames,
transcribed in seungjaeryanlee/rldb) and CleanRL's `ppo_atari_envpool_xla_jax` at 10M agent steps
(3 seeds, exact controls; its docs/benchmark page). Sources and more: ../shared/MEASUREMENTS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    random_nature: float
    human_nature: float | None  # None: not one of the DQN paper's games
    random_agent57: float
    human_agent57: float | None
    ppo_paper: float | None = None  # PPO, 40M frames
    cleanrl_ppo: float | None = None  # CleanRL's convolutional PPO, 10M agent steps


REFERENCES: dict[str, Reference] = {  # ROM name -> its references
    "pong": Reference(-20.7, 9.3, -20.71, 14.6, 20.7, 20.39),
    "breakout": Reference(1.7, 31.8, 1.72, 30.5, 274.8, 430.09),
    "boxing": Reference(0.1, 4.3, 0.05, 12.1, 94.6, 92.68),
    "battle_zone": Reference(2360.0, 37800.0, 2360.0, 37187.5, 17366.7, 24283.75),
    "double_dunk": Reference(-18.6, -15.5, -18.55, -16.4, -14.9, -6.81),
    "name_this_game": Reference(2292.3, 4076.2, 2292.35, 8049.0, 6254.9, 5750.0),
    "phoenix": Reference(761.4, None, 761.4, 7242.6, None, 14474.11),
    "qbert": Reference(163.9, 13455.0, 163.88, 13455.0, 14293.3, 17246.27),
    "beam_rider": Reference(363.9, 5774.7, 363.88, 16926.5, 1590.0, 2478.44),
    "seaquest": Reference(68.4, 20181.8, 68.4, 42054.7, 1204.5, 1240.3),
    "video_pinball": Reference(16256.9, 17297.6, 0.0, 17667.9, 37389.0),
    "freeway": Reference(0.0, 29.6, 0.01, 29.6, 32.5),
    "space_invaders": Reference(148.0, 1652.3, 148.3, 1668.7, 942.5),
    "enduro": Reference(0.0, 309.6, 0.0, 860.5, 758.3),
}

TABLES = ("nature", "agent57")


def hns(game: str, score: float, table: str = "agent57") -> float | None:
    """The human-normalised score of `score` in `game` by one human table; None if it has no human."""
    ref = REFERENCES.get(game)
    if ref is None:
        return None
    random, human = (ref.random_nature, ref.human_nature) if table == "nature" else (ref.random_agent57, ref.human_agent57)
    return None if human is None else (score - random) / (human - random)


ATARI5 = {"battle_zone": 0.38198, "double_dunk": 0.06791, "name_this_game": 0.31080, "phoenix": 0.12413, "qbert": 0.08049}
"""Atari-5 (Aitchison, Sweetser and Hutter, "Atari-5: Distilling the Arcade Learning Environment down
to Five Games", ICML 2023): log10(1 + median-57 HNS%) = sum_g w_g log10(1 + max(0, HNS%_g)), no
intercept, HNS% by the Agent57 table. Weights refitted here from the paper's repository
(`maitchison/Atari-5`, dataset.csv, its own filter: algorithms with >= 40 of the 57 games and a median
above 40 %, 44 of them with all five games): in-sample median error 7.4 % (the paper: within ~10 %)."""


def atari5_estimate(hns_by_game: dict[str, float]) -> float | None:
    """The Atari-5 estimate of the median HNS over the 57 games (as a fraction), from the five
    games' Agent57 HNS; None unless all five are given."""
    if not all(g in hns_by_game for g in ATARI5):
        return None
    log_median = sum(w * math.log10(1 + max(0.0, 100 * hns_by_game[g])) for g, w in ATARI5.items())
    return (10**log_median - 1) / 100

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


# The two human tables, transcribed from their sources: game -> (random, human).
# NATURE: Mnih et al., "Human-level control through deep reinforcement learning", Nature 2015, Extended
# Data Table 2 (49 games; as transcribed in seungjaeryanlee/rldb, paper__dqn).
# AGENT57: Badia et al. 2020 (DeepMind's tandem_dqn/atari_data.py), as the Atari-5 repository's
# Atari-Human.csv has it (57 games: the 49 and berzerk, defender, phoenix, pitfall, skiing, solaris,
# surround, yars_revenge). The same random play was scored once; the two copies differ only by rounding
# (0.05 at most) except where DISAGREEMENTS says. 34 humans differ: Agent57's table takes later, better
# human scores for them (Pong 9.3 -> 14.6, Boxing 4.3 -> 12.1, Seaquest 20,182 -> 42,055).
NATURE = {
    "alien": (227.8, 6875.4), "amidar": (5.8, 1675.8), "assault": (222.4, 1496.4), "asterix": (210.0, 8503.3),
    "asteroids": (719.1, 13156.7), "atlantis": (12850.0, 29028.1), "bank_heist": (14.2, 734.4),
    "battle_zone": (2360.0, 37800.0), "beam_rider": (363.9, 5774.7), "bowling": (23.1, 154.8), "boxing": (0.1, 4.3),
    "breakout": (1.7, 31.8), "centipede": (2090.9, 11963.2), "chopper_command": (811.0, 9881.8),
    "crazy_climber": (10780.5, 35410.5), "demon_attack": (152.1, 3401.3), "double_dunk": (-18.6, -15.5),
    "enduro": (0.0, 309.6), "fishing_derby": (-91.7, 5.5), "freeway": (0.0, 29.6), "frostbite": (65.2, 4334.7),
    "gopher": (257.6, 2321.0), "gravitar": (173.0, 2672.0), "hero": (1027.0, 25762.5), "ice_hockey": (-11.2, 0.9),
    "jamesbond": (29.0, 406.7), "kangaroo": (52.0, 3035.0), "krull": (1598.0, 2394.6),
    "kung_fu_master": (258.5, 22736.2), "montezuma_revenge": (0.0, 4366.7), "ms_pacman": (307.3, 15693.4),
    "name_this_game": (2292.3, 4076.2), "pong": (-20.7, 9.3), "private_eye": (24.9, 69571.3),
    "qbert": (163.9, 13455.0), "riverraid": (1338.5, 13513.3), "road_runner": (11.5, 7845.0),
    "robotank": (2.2, 11.9), "seaquest": (68.4, 20181.8), "space_invaders": (148.0, 1652.3),
    "star_gunner": (664.0, 10250.0), "tennis": (-23.8, -8.9), "time_pilot": (3568.0, 5925.0),
    "tutankham": (11.4, 167.6), "up_n_down": (533.4, 9082.0), "venture": (0.0, 1187.5),
    "video_pinball": (16256.9, 17297.6), "wizard_of_wor": (563.5, 4756.5), "zaxxon": (32.5, 9173.3),
}

AGENT57 = {
    "alien": (227.75, 7127.7), "amidar": (5.77, 1719.5), "assault": (222.39, 742.0), "asterix": (210.0, 8503.3),
    "asteroids": (719.1, 47388.7), "atlantis": (12850.0, 29028.1), "bank_heist": (14.2, 753.1),
    "battle_zone": (2360.0, 37187.5), "beam_rider": (363.88, 16926.5), "berzerk": (123.65, 2630.4),
    "bowling": (23.11, 160.7), "boxing": (0.05, 12.1), "breakout": (1.72, 30.5), "centipede": (2090.87, 12017.0),
    "chopper_command": (811.0, 7387.8), "crazy_climber": (10780.5, 35829.4), "defender": (2874.5, 18688.9),
    "demon_attack": (152.07, 1971.0), "double_dunk": (-18.55, -16.4), "enduro": (0.0, 860.5),
    "fishing_derby": (-91.71, -38.7), "freeway": (0.01, 29.6), "frostbite": (65.2, 4334.7),
    "gopher": (257.6, 2412.5), "gravitar": (173.0, 3351.4), "hero": (1026.97, 30826.4), "ice_hockey": (-11.15, 0.9),
    "jamesbond": (29.0, 302.8), "kangaroo": (52.0, 3035.0), "krull": (1598.05, 2665.5),
    "kung_fu_master": (258.5, 22736.3), "montezuma_revenge": (0.0, 4753.3), "ms_pacman": (307.3, 6951.6),
    "name_this_game": (2292.35, 8049.0), "phoenix": (761.4, 7242.6), "pitfall": (-229.44, 6463.7),
    "pong": (-20.71, 14.6), "private_eye": (24.94, 69571.3), "qbert": (163.88, 13455.0),
    "riverraid": (1338.5, 17118.0), "road_runner": (11.5, 7845.0), "robotank": (2.16, 11.9),
    "seaquest": (68.4, 42054.7), "skiing": (-17098.09, -4336.9), "solaris": (1236.3, 12326.7),
    "space_invaders": (148.3, 1668.7), "star_gunner": (664.0, 10250.0), "surround": (-9.99, 6.53),
    "tennis": (-23.84, -8.3), "time_pilot": (3568.0, 5229.2), "tutankham": (11.43, 167.6),
    "up_n_down": (533.4, 11693.2), "venture": (0.0, 1187.5), "video_pinball": (0.0, 17667.9),
    "wizard_of_wor": (563.5, 4756.5), "yars_revenge": (3092.91, 54576.9), "zaxxon": (32.5, 9173.3),
}

DISAGREEMENTS = {
    "video_pinball": "random 16,256.9 in the DQN paper, 0.0 in Agent57's table: the paper's random barely "
                     "below its human (17,297.6), so an agent's HNS differs by a factor of ~10 between tables",
    "space_invaders": "random 148.0 in the DQN paper, 148.3 in Agent57's table (more than rounding)",
}
"""Where the two tables' random scores differ by more than rounding (tests/test_references.py checks
that no other pair does)."""


@dataclass(frozen=True)
class Reference:
    random_nature: float | None  # None: not one of the DQN paper's games
    human_nature: float | None
    random_agent57: float
    human_agent57: float | None
    ppo_paper: float | None = None  # PPO, 40M frames
    cleanrl_ppo: float | None = None  # CleanRL's convolutional PPO, 10M agent steps


PUBLISHED = {  # game -> (PPO paper at 40M frames, CleanRL's convolutional PPO at 10M agent steps)
    "pong": (20.7, 20.39), "breakout": (274.8, 430.09), "boxing": (94.6, 92.68),
    "battle_zone": (17366.7, 24283.75), "double_dunk": (-14.9, -6.81), "name_this_game": (6254.9, 5750.0),
    "phoenix": (None, 14474.11), "qbert": (14293.3, 17246.27), "beam_rider": (1590.0, 2478.44),
    "seaquest": (1204.5, 1240.3), "video_pinball": (37389.0, None), "freeway": (32.5, None),
    "space_invaders": (942.5, None), "enduro": (758.3, None),
}

REFERENCES: dict[str, Reference] = {  # ROM name -> its references: every game of either table
    g: Reference(*NATURE.get(g, (None, None)), *AGENT57[g], *PUBLISHED.get(g, (None, None))) for g in sorted(AGENT57)
}

TABLES = ("nature", "agent57")


def hns(game: str, score: float, table: str = "agent57") -> float | None:
    """The human-normalised score of `score` in `game` by one human table; None if it has no human."""
    ref = REFERENCES.get(game)
    if ref is None:
        return None
    random, human = (ref.random_nature, ref.human_nature) if table == "nature" else (ref.random_agent57, ref.human_agent57)
    # (a game of Agent57's table alone has no DQN-paper human: None below)
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

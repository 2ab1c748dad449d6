"""One real PPO batch through pgcli's collector (for update_equivalence.py)."""

import numpy as np

from pgcli.algos import ppo_math
from pgcli.core.collector import Collector
from pgcli.base.games import PONG
from pgcli.base.envs import VectorGames, env_settings


def make_batch(pol, rng):
    """32 games x 128 steps of ALE/Pong-v5 played by `pol` -> PPO's batch (signed, counts, actions, p_old, adv, ret);
    actions: 1 = UP; p_old: P(the action taken)."""
    env = VectorGames(env_settings("ALE/Pong-v5"), 32)
    col = Collector(env, pol, rng, PONG, wants="rollouts", rollout_steps=128)
    col.start(seed=5)
    ros = []
    while sum(ro.counts.shape[1] for ro in ros) < 32:
        ros += [piece for _, piece in col.poll().items if piece is not None]
    col.stop()
    env.close()
    parts = []
    for ro in ros:
        adv, ret = ppo_math.gae(ro.rewards.astype(float), ro.values.astype(float), ro.dones, ro.last_value, 0.99, 0.95)
        parts.append((ro.signed, ro.counts.ravel(), ro.actions.ravel().astype(np.intp), ro.p_old.ravel().astype(float),
                      adv.ravel(), ret.ravel()))
    return [np.concatenate(a) for a in zip(*parts)]

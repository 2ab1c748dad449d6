"""Measure an agent: N whole games (Pong: against its built-in AI), no learning, reproducible."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from pgcli.base import references
from pgcli.core.agent import Agent
from pgcli.core.scores import Scores
from pgcli.base.envs import make_env

MAX_PARALLEL = 8


def evaluate(agent: Agent, episodes: int, seed: int = 0, greedy: bool = False,
             on_episode: Callable[[dict], None] = lambda r: None) -> dict:
    """Play `episodes` games, up to 8 side by side. Game k is always played by the same
    emulator slot with the same seed, so the result does not depend on timing."""
    n = min(episodes, MAX_PARALLEL)
    quota = [episodes // n + (i < episodes % n) for i in range(n)]  # games per slot
    env = make_env(agent.settings, n)
    rng = np.random.default_rng(seed)
    results: list[dict] = []
    played, scores = np.zeros(n, int), Scores(n)
    t0 = time.perf_counter()
    total_steps = 0
    try:
        groups = env.groups
        frames = np.concatenate(env.reset(seed=seed))
        act = agent.actor(frames, rng, greedy)
        fresh = np.ones(n, bool)
        while len(results) < episodes:
            actions = act(frames, fresh).actions
            start = 0
            for g, size in enumerate(groups):
                env.send(g, actions[start : start + size])
                start += size
            out = [env.recv(g) for g in range(len(groups))]
            frames, r, fresh = (np.concatenate([o[k] for o in out]) for k in range(3))
            active = played < np.array(quota)  # a slot that played its quota plays on, uncounted
            total_steps += int(active.sum())
            for f in scores.add(r, fresh, active):
                res = {"reward": _number(f.score), "won": f.won, "lost": f.lost, "steps": f.steps}
                results.append(res)
                on_episode(res)
                played[f.game] += 1
    finally:
        env.close()
    seconds = time.perf_counter() - t0
    return _summary(agent, results, episodes, greedy, seed, total_steps / seconds if seconds > 0 else 0.0)


def _summary(agent: Agent, results: list[dict], episodes: int, greedy: bool, seed: int, steps_per_second: float) -> dict:
    """The evaluation's record: the games' scores, the mean and its place, HNS on each table, Pong's points."""
    rewards = np.array([r["reward"] for r in results], float)
    mean = float(rewards.mean())
    out = {
        "episodes": episodes,
        "greedy": greedy,
        "seed": seed,
        "env_id": agent.settings.env_id,
        "game": agent.game.name,
        "place": agent.game.place(mean),
        "hns": {t: references.hns(agent.game.name, mean, t) for t in references.TABLES},  # None: no such table
        "sticky_actions": agent.settings.repeat_action_probability,
        "max_frames_per_game": agent.settings.max_num_frames_per_episode,
        "mean_reward": mean,
        "std_reward": float(rewards.std()),
    }
    if agent.game.point_resets:  # Pong: a score is points won minus points lost, a game is won or lost
        out.update(points_won=int(sum(r["won"] for r in results)), points_lost=int(sum(r["lost"] for r in results)),
                   games_won=int((rewards > 0).sum()))
    cap = agent.settings.max_num_frames_per_episode / agent.settings.mean_frameskip  # agent steps
    out.update(mean_episode_steps=float(np.mean([r["steps"] for r in results])),
               games_at_frame_cap=sum(r["steps"] >= cap for r in results),  # cut by the time limit, not ended
               steps_per_second=steps_per_second, rewards=[_number(v) for v in rewards])
    return out


def _number(v: float) -> int | float:
    """Scores are whole numbers in every game tried; keep them ints in the JSON then."""
    return int(v) if float(v).is_integer() else float(v)

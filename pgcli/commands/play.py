"""Play whole games with an agent in one env, step by step, without learning (`watch` and `record`
show each step; `evaluate` plays many games side by side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from pgcli.core.agent import Agent
from pgcli.base.envs import make_single_env


@dataclass
class StepView:
    """What one agent step looked like, for viewers and recorders."""

    frame: np.ndarray  # (210, 160, 3) screen the agent saw
    x: np.ndarray  # (inputs,) int8 input fed to the network (first the 6400 of the difference frame)
    p: np.ndarray  # P(every action) (A,), in the game's action order (Pong: DOWN, UP)
    value: float | None  # the value head's estimate of the return (PPO agents), else None
    action: int
    reward: float
    score: tuple[int, int]  # (agent, built-in AI) points so far this game (rewards won, lost)
    episode: int
    total: float = 0.0  # the game's score so far

    @property
    def p_up(self) -> float:
        return float(self.p[-1])  # Pong's P(UP) (the last of its two actions)


def play(agent: Agent, episodes: int, seed: int, greedy: bool, render_mode: str | None = None,
         on_step: Callable[[StepView], bool | None] = lambda v: None) -> list[dict]:
    """Play whole games in one env; on_step may return True to stop. -> per-game results."""
    env = make_single_env(agent.settings, render_mode)
    rng = np.random.default_rng(seed)
    results = []
    try:
        for ep in range(episodes):
            frame, _ = env.reset(seed=(seed + ep) % 2**31)
            act = agent.actor(frame[None], rng, greedy)
            step = act(frame[None], np.ones(1, bool))  # no motion yet
            won = lost = steps = 0
            score = 0.0
            done = stop = False
            while not done and not stop:
                p, v, a = step.p, step.v, int(step.actions[0])
                seen = frame
                frame, r, term, trunc, _ = env.step(a)
                done = term or trunc
                steps += 1
                won, lost, score = won + (r > 0), lost + (r < 0), score + float(r)
                value = None if v is None else float(v[0])
                probs = np.array([1 - p[0], p[0]]) if p.ndim == 1 else p[0]
                stop = bool(on_step(StepView(seen, step.x[0], probs, value, a, float(r), (won, lost), ep, score)))
                if not (done or stop):
                    step = act(frame[None])
            results.append({"reward": score, "won": won, "lost": lost, "steps": steps, "finished": done})
            if stop:
                break
    finally:
        env.close()
    return results

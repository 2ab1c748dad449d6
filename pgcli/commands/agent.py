"""A trained agent: load any checkpoint, pick actions from frames, play games without learning."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from pgcli import games
from pgcli.core import observe, sparse
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS, Policy, sample
from pgcli.envs import EnvSettings, env_settings
from pgcli.errors import PgcliError
from pgcli.inputs import SEED as SEED_INPUT
from pgcli.files import checkpoint

KARPATHY_ENV = "Pong-v0"  # what the 2016 save.p files were trained on


@dataclass
class Agent:
    """A trained policy plus the emulator settings, the game and the input it was trained with."""

    policy: Policy
    settings: EnvSettings
    episode: int = 0  # episodes it was trained for (0 for Karpathy files)
    source: str = "pgcli"
    game: games.Game = games.PONG
    inputs: str = SEED_INPUT

    def observer(self, frames: np.ndarray) -> observe.Observer:
        """What this agent's network sees, for a batch of games starting at `frames`."""
        return observe.Observer(frames, self.inputs, self.game)

    def emulator_actions(self, a: np.ndarray) -> np.ndarray:
        """Action indices -> the emulator's actions (Pong: 1 -> UP = 2, 0 -> DOWN = 3)."""
        return np.asarray(self.game.actions, np.int64)[a]


def settings_from_checkpoint(env: dict, override: str | None, source: str) -> EnvSettings:
    """The emulator settings a checkpoint was trained with, or those of `override`."""
    if override:
        return env_settings(override)
    if not env:
        return env_settings(KARPATHY_ENV if source == "karpathy" else "ALE/Pong-v5")
    base = env_settings(env.get("env_id") if isinstance(env.get("env_id"), str) else "?")
    fs, rap = env.get("frameskip", base.frameskip), env.get("repeat_action_probability", base.repeat_action_probability)
    if isinstance(fs, list) and len(fs) == 2 and all(type(v) is int and 1 <= v <= 64 for v in fs):
        fs = (fs[0], fs[1])
    elif not (type(fs) is int and 1 <= fs <= 64):
        raise PgcliError("checkpoint env settings are malformed (frameskip)")
    if not (isinstance(rap, (int, float)) and 0 <= rap <= 1):
        raise PgcliError("checkpoint env settings are malformed (repeat_action_probability)")
    return EnvSettings(base.env_id, base.game, fs, float(rap), False, base.max_num_frames_per_episode)


def load_agent(path: Path, env: str | None = None, sticky_actions: float | None = None) -> Agent:
    """The agent in `path`, to play with its recorded settings, or another env / sticky-action chance."""
    ck = checkpoint.load(path)
    settings = settings_from_checkpoint(ck.env, env, ck.source)
    if sticky_actions is not None:
        settings = replace(settings, repeat_action_probability=float(sticky_actions))
    trained_on = ck.game
    if settings.game != trained_on:
        raise PgcliError(f"{path} plays {trained_on}; it cannot play {settings.game} (--env {settings.env_id})")
    params = {k: ck.arrays[k] for k in MODEL_KEYS + VALUE_KEYS if k in ck.arrays}
    policy, game = Policy(params), games.for_rom(settings.game, ck.config.noop)
    if policy.n_actions != game.n_actions:
        raise PgcliError(f"{path}: its network picks from {policy.n_actions} actions, {game.name} has {game.n_actions}")
    return Agent(policy, settings, ck.episode, ck.source, game, ck.config.inputs)


def make_single_env(s: EnvSettings, render_mode: str | None = None):
    """One gymnasium env with exactly the recorded settings (for play, record, render)."""
    from pgcli.envs import make_gym_env

    return make_gym_env(s.env_id, render_mode, frameskip=s.frameskip, repeat_action_probability=s.repeat_action_probability,
                        max_num_frames_per_episode=s.max_num_frames_per_episode)


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
            see = agent.observer(frame[None])
            x = see(frame[None], np.ones(1, bool))  # no motion yet
            won = lost = steps = 0
            score = 0.0
            done = stop = False
            while not done and not stop:
                p, v = agent.policy.forward(*sparse.encode(x))
                i = sample(p, rng, greedy)
                see.took(i)
                a = int(agent.emulator_actions(i)[0])
                seen = frame
                frame, r, term, trunc, _ = env.step(a)
                done = term or trunc
                steps += 1
                won, lost, score = won + (r > 0), lost + (r < 0), score + float(r)
                value = None if v is None else float(v[0])
                probs = np.array([1 - p[0], p[0]]) if p.ndim == 1 else p[0]
                stop = bool(on_step(StepView(seen, x[0], probs, value, a, float(r), (won, lost), ep, score)))
                x = see(frame[None])
            results.append({"reward": score, "won": won, "lost": lost, "steps": steps, "finished": done})
            if stop:
                break
    finally:
        env.close()
    return results

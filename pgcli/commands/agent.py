"""A trained agent: load any checkpoint, pick actions from frames, play games without learning."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from pgcli.core import pg_math, sparse

from pgcli.files import checkpoint
from pgcli.envs import EnvSettings, env_settings
from pgcli.errors import PgcliError
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS, Policy, sample

KARPATHY_ENV = "Pong-v0"  # what the 2016 save.p files were trained on


@dataclass
class Agent:
    """A trained policy plus the emulator settings it was trained with."""

    policy: Policy
    settings: EnvSettings
    episode: int = 0  # episodes it was trained for (0 for Karpathy files)
    source: str = "pgcli"


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
    params = {k: ck.arrays[k] for k in MODEL_KEYS + VALUE_KEYS if k in ck.arrays}
    return Agent(Policy(params), settings, ck.episode, ck.source)


def make_single_env(s: EnvSettings, render_mode: str | None = None):
    """One gymnasium env with exactly the recorded settings (for play, record, render)."""
    from pgcli.envs import make_gym_env

    return make_gym_env(s.env_id, render_mode, frameskip=s.frameskip, repeat_action_probability=s.repeat_action_probability,
                        max_num_frames_per_episode=s.max_num_frames_per_episode)


@dataclass
class StepView:
    """What one agent step looked like, for viewers and recorders."""

    frame: np.ndarray  # (210, 160, 3) screen the agent saw
    x: np.ndarray  # (6400,) int8 difference frame fed to the network
    p_up: float
    value: float | None  # the value head's estimate of the return (PPO agents), else None
    action: int
    reward: float
    score: tuple[int, int]  # (agent, built-in AI) points so far this game
    episode: int


def play(agent: Agent, episodes: int, seed: int, greedy: bool, render_mode: str | None = None,
         on_step: Callable[[StepView], bool | None] = lambda v: None) -> list[dict]:
    """Play whole games in one env; on_step may return True to stop. -> per-game results."""
    env = make_single_env(agent.settings, render_mode)
    rng = np.random.default_rng(seed)
    results = []
    try:
        for ep in range(episodes):
            frame, _ = env.reset(seed=(seed + ep) % 2**31)
            diff = sparse.FrameDiff(frame[None])
            x = np.zeros((1, pg_math.D), np.int8)
            won = lost = steps = 0
            done = stop = False
            while not done and not stop:
                p, v = agent.policy.forward(*sparse.encode(x))
                a = int(sample(p, rng, greedy)[0][0])
                seen = frame
                frame, r, term, trunc, _ = env.step(a)
                done = term or trunc
                steps += 1
                won, lost = won + (r > 0), lost + (r < 0)
                value = None if v is None else float(v[0])
                stop = bool(on_step(StepView(seen, x[0], float(p[0]), value, a, float(r), (won, lost), ep)))
                x = diff(frame[None])
            results.append({"reward": won - lost, "won": won, "lost": lost, "steps": steps, "finished": done})
            if stop:
                break
    finally:
        env.close()
    return results

"""The baselines `pgcli bench` holds `pgcli train` against (`pgcli.commands.bench`): (a) the raw
emulator with pgcli's training settings and random actions, in two layouts, and (b) a faithful port
of the seed's loop (one env, dense float64 W1 @ x every step, dense episode memory, dense backward,
RMSProp every `batch_size` episodes). Each returns a `Result`: steps in seconds, at a frameskip."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pgcli.base import games
from pgcli.base.config import Config
from pgcli.base.envs import VectorGames, env_settings
from pgcli.core import pg_math


@dataclass
class Result:
    name: str
    steps: int
    seconds: float
    frameskip: float
    bytes_per_step: float | None = None
    useful: int | None = None  # steps that entered a gradient ((c) only)

    @property
    def sps(self) -> float:
        return self.steps / self.seconds

    @property
    def fps(self) -> float:
        return self.sps * self.frameskip

    @property
    def useful_fps(self) -> float:
        """Frames/s that entered a gradient ((a) and (b): every emulated frame counts)."""
        return (self.steps if self.useful is None else self.useful) / self.seconds * self.frameskip


def raw_emulator(cfg: Config, seconds: float, groups: int) -> Result:
    s = env_settings(cfg.env_id, cfg.sticky_actions)
    env = VectorGames(s, cfg.num_envs, groups=groups)
    rng = np.random.default_rng(0)
    acts = np.asarray(games.for_rom(s.game).actions)  # the policy's actions (Pong: UP and DOWN)
    env.reset(seed=1)
    steps, t0 = 0, time.perf_counter()
    for g, n in enumerate(env.groups):
        env.send(g, acts[rng.integers(0, len(acts), n)])
    while time.perf_counter() - t0 < seconds:
        for g, n in enumerate(env.groups):
            env.recv(g)
            steps += n
            env.send(g, acts[rng.integers(0, len(acts), n)])
    dt = time.perf_counter() - t0
    for g in range(len(env.groups)):
        env.recv(g)
    env.close()
    layout = "1 vector env" if groups == 1 else f"{groups} groups"
    return Result(f"(a) raw, {layout}", steps, dt, s.mean_frameskip)


def seed_loop(cfg: Config, seconds: float) -> Result:
    """Karpathy's pg-pong.py main loop, ported as-is to gymnasium and numpy 2."""
    from pgcli.base.envs import make_single_env

    s = env_settings(cfg.env_id, cfg.sticky_actions)
    env = make_single_env(s)
    rng = np.random.default_rng(cfg.seed)
    model = pg_math.init_model(cfg.hidden, rng)
    grad_buffer = {k: np.zeros_like(v) for k, v in model.items()}
    rmsprop_cache = {k: np.zeros_like(v) for k, v in model.items()}
    observation, _ = env.reset(seed=cfg.seed)
    prev_x = None
    xs, hs, dlogps, drs = [], [], [], []
    episode_number, steps, peak_bytes = 0, 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        cur_x = pg_math.prepro(observation)
        x = cur_x - prev_x if prev_x is not None else np.zeros(pg_math.D)
        prev_x = cur_x
        aprob, h = pg_math.policy_forward(model, x)
        action = pg_math.UP if rng.uniform() < aprob else pg_math.DOWN
        xs.append(x)
        hs.append(h)
        y = 1 if action == pg_math.UP else 0
        dlogps.append(y - aprob)
        observation, reward, term, trunc, _ = env.step(action)
        drs.append(reward)
        steps += 1
        if term or trunc:
            episode_number += 1
            epx, eph = np.vstack(xs), np.vstack(hs)
            peak_bytes = max(peak_bytes, (epx.nbytes + eph.nbytes) / len(xs) + 16)
            epdlogp, epr = np.vstack(dlogps), np.vstack(drs)
            xs, hs, dlogps, drs = [], [], [], []
            discounted_epr = pg_math.standardise(pg_math.discount_rewards(epr.ravel(), cfg.gamma))
            grad = pg_math.policy_backward(model, epx, eph, epdlogp.ravel() * discounted_epr)
            for k in model:
                grad_buffer[k] += grad[k]
            if episode_number % cfg.batch_size == 0:
                pg_math.rmsprop_step(model, grad_buffer, rmsprop_cache, cfg.learning_rate, cfg.decay_rate)
                for v in grad_buffer.values():
                    v[:] = 0
            observation, _ = env.reset()
            prev_x = None
    dt = time.perf_counter() - t0
    if not peak_bytes:  # no episode finished yet: what the open one holds per step
        peak_bytes = (pg_math.D + cfg.hidden) * 8 + 16
    env.close()
    return Result("(b) seed's loop", steps, dt, s.mean_frameskip, peak_bytes)

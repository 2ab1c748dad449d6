"""Side-by-side benchmark, one process, same time budget for each contender:

(a) the raw emulator with pgcli's training settings and random actions (no learning), in two
    layouts (one vector env with a thread per core, or pgcli's alternating groups); the faster
    one is the reference,
(b) a faithful port of the seed's loop (one env, dense float64 W1 @ x every step, dense episode
    memory, dense backward, RMSProp every `batch_size` episodes),
(c) pgcli's own training loop.
Throughput is counted in emulated frames (agent steps x frameskip) and agent steps.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from dataclasses import dataclass

import numpy as np

from pgcli import policy
from pgcli.config import Config
from pgcli.envs import VectorPong, default_groups, env_settings, make_env
from pgcli.trainer import Trainer, new_state


@dataclass
class Result:
    name: str
    steps: int
    seconds: float
    frameskip: float
    bytes_per_step: float | None = None
    outside_emulator: float | None = None  # share of wall time not spent waiting for the emulator

    @property
    def sps(self) -> float:
        return self.steps / self.seconds

    @property
    def fps(self) -> float:
        return self.sps * self.frameskip


def raw_emulator(cfg: Config, seconds: float, groups: int) -> Result:
    s = env_settings(cfg.env_id)
    env = VectorPong(s, cfg.num_envs, groups=groups)
    rng = np.random.default_rng(0)
    env.reset(seed=1)
    steps, t0 = 0, time.perf_counter()
    for g, n in enumerate(env.groups):
        env.send(g, rng.integers(2, 4, n))
    while time.perf_counter() - t0 < seconds:
        for g, n in enumerate(env.groups):
            env.recv(g)
            steps += n
            env.send(g, rng.integers(2, 4, n))
    dt = time.perf_counter() - t0
    for g in range(len(env.groups)):
        env.recv(g)
    env.close()
    layout = "1 vector env" if groups == 1 else f"{groups} groups"
    return Result(f"(a) raw, {layout}", steps, dt, s.mean_frameskip)


def seed_loop(cfg: Config, seconds: float) -> Result:
    """Karpathy's pg-pong.py main loop, ported as-is to gymnasium and numpy 2."""
    from pgcli.agent import make_single_env

    s = env_settings(cfg.env_id)
    env = make_single_env(s)
    rng = np.random.default_rng(cfg.seed)
    model = policy.init_model(cfg.hidden, rng)
    grad_buffer = {k: np.zeros_like(v) for k, v in model.items()}
    rmsprop_cache = {k: np.zeros_like(v) for k, v in model.items()}
    observation, _ = env.reset(seed=cfg.seed)
    prev_x = None
    xs, hs, dlogps, drs = [], [], [], []
    episode_number, steps, peak_bytes = 0, 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        cur_x = policy.prepro(observation)
        x = cur_x - prev_x if prev_x is not None else np.zeros(policy.D)
        prev_x = cur_x
        aprob, h = policy.policy_forward(model, x)
        action = policy.UP if rng.uniform() < aprob else policy.DOWN
        xs.append(x)
        hs.append(h)
        y = 1 if action == policy.UP else 0
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
            discounted_epr = policy.standardise(policy.discount_rewards(epr.ravel(), cfg.gamma))
            grad = policy.policy_backward(model, epx, eph, epdlogp.ravel() * discounted_epr)
            for k in model:
                grad_buffer[k] += grad[k]
            if episode_number % cfg.batch_size == 0:
                policy.rmsprop_step(model, grad_buffer, rmsprop_cache, cfg.learning_rate, cfg.decay_rate)
                for v in grad_buffer.values():
                    v[:] = 0
            observation, _ = env.reset()
            prev_x = None
    dt = time.perf_counter() - t0
    if not peak_bytes:  # no episode finished yet: what the open one holds per step
        peak_bytes = (policy.D + cfg.hidden) * 8 + 16
    env.close()
    return Result("(b) seed's loop", steps, dt, s.mean_frameskip, peak_bytes)


class _TimedEnv:
    """Wraps an env to measure how long the trainer waits for the emulator."""

    def __init__(self, env):
        self.env, self.groups, self.num_envs = env, env.groups, env.num_envs
        self.waiting = self.resetting = 0.0

    def reset(self, seed):
        t = time.perf_counter()
        out = self.env.reset(seed)
        self.resetting += time.perf_counter() - t
        return out

    def send(self, g, a):
        t = time.perf_counter()
        self.env.send(g, a)
        self.waiting += time.perf_counter() - t

    def recv(self, g):
        t = time.perf_counter()
        out = self.env.recv(g)
        self.waiting += time.perf_counter() - t
        return out

    def close(self):
        self.env.close()


def pgcli_loop(cfg: Config, seconds: float) -> Result:
    s = env_settings(cfg.env_id)
    env = _TimedEnv(make_env(s, cfg.num_envs))
    trainer = Trainer(cfg, new_state(cfg), env)
    busy = lambda: trainer.s["seconds"] - env.resetting  # noqa: E731  (steady state, like (a))
    trainer.run_segment(10**9, lambda st: None, lambda: busy() >= seconds)
    env.close()
    st = dict(trainer.s, seconds=busy())
    if not trainer.peak_step_bytes:  # no game finished in this turn: measure the open ones
        trainer.peak_step_bytes = max(log.bytes_per_step for log in trainer.logs)
    outside = 1 - env.waiting / st["seconds"] if st["seconds"] else None
    return Result("(c) pgcli train", st["steps"], st["seconds"], s.mean_frameskip,
                  trainer.peak_step_bytes or None, outside)


def machine() -> str:
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, numpy {np.__version__}"


def _merge(parts: list[Result]) -> Result:
    r = parts[0]
    b = [p.bytes_per_step for p in parts if p.bytes_per_step]
    o = [p.outside_emulator * p.seconds for p in parts if p.outside_emulator is not None]
    secs = sum(p.seconds for p in parts)
    return Result(r.name, sum(p.steps for p in parts), secs, r.frameskip, max(b) if b else None,
                  sum(o) / secs if o else None)


def run(cfg: Config, seconds: float, rounds: int = 3, on_result=lambda r: None) -> dict:
    """Each contender gets `seconds` in all, split into `rounds` interleaved turns, so that the
    machine's ups and downs hit every contender alike; ratios are of per-round medians."""
    contenders = {
        "raw1": lambda t: raw_emulator(cfg, t, 1),
        "rawk": lambda t: raw_emulator(cfg, t, default_groups(cfg.num_envs)),
        "seed": lambda t: seed_loop(cfg, t),
        "pgcli": lambda t: pgcli_loop(cfg, t),
    }
    turns: dict[str, list[Result]] = {k: [] for k in contenders}
    for i in range(rounds):
        for key, fn in contenders.items():
            turns[key].append(fn(seconds / rounds))
            on_result(i, turns[key][-1])
    results = {k: _merge(v) for k, v in turns.items()}
    raw_key = max(("raw1", "rawk"), key=lambda k: results[k].fps)  # the faster raw layout
    ratio = lambda a, b: float(np.median([x.fps / y.fps for x, y in zip(turns[a], turns[b])]))  # noqa: E731
    return {
        "results": results,
        "raw": results[raw_key],
        "ratio_vs_raw": ratio("pgcli", raw_key),
        "ratio_vs_seed": ratio("pgcli", "seed"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine": machine(),
        "rounds": rounds,
    }

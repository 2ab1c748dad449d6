"""The training loop: play N games side by side, one REINFORCE update every `batch_size` episodes.

The seed plays one game at a time. Here `num_envs` games run in parallel; each finished episode
adds its gradient to the batch, in a fixed order, so the result depends only on the seed.
Training runs in *segments* that end at each checkpoint: a segment starts by resetting every
game with a seed derived from (seed, episode number) and ends by dropping the games still in
flight. So resuming from a periodic checkpoint reproduces the uninterrupted run bit for bit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pgcli import policy, sparse
from pgcli.steplog import StepLog
from pgcli.config import Config
from pgcli.errors import PgcliError


MAX_STEP_SECONDS = 5.0  # longer gaps between two steps (laptop asleep, SIGSTOP) are not counted


@dataclass
class EpisodeStats:
    episode: int  # 1-based count of finished episodes
    steps: int  # agent steps (actions) in this episode
    reward: float  # points won minus points lost
    running_reward: float  # the seed's 0.99/0.01 running mean
    won: int
    lost: int
    seconds: float  # cumulative training wall-clock seconds
    total_steps: int
    updates: int


def new_state(cfg: Config) -> dict:
    """Fresh weights and optimizer state, all drawn from one Generator seeded by cfg.seed."""
    rng = np.random.default_rng(cfg.seed)
    model = policy.init_model(cfg.hidden, rng)
    zeros = lambda: {k: np.zeros_like(v) for k, v in model.items()}  # noqa: E731
    opt = {"cache": zeros()} if cfg.optimizer == "rmsprop" else {"m": zeros(), "v": zeros()}
    return {"model": model, "grad": zeros(), "opt": opt, "rng": rng, "episode": 0, "updates": 0,
            "running_reward": None, "steps": 0, "seconds": 0.0}


def segment_seed(seed: int, episode: int) -> int:
    """Emulator seed for the segment starting at `episode` (fits ALE's 31-bit seeds)."""
    return int(np.random.SeedSequence([seed, episode]).generate_state(1)[0] >> 2)


class Trainer:
    """Owns the training state; `run_segment` plays until a checkpoint is due or told to stop."""

    def __init__(self, cfg: Config, state: dict, env):
        self.cfg, self.s, self.env = cfg, state, env
        # Every W1-shaped array (weights, batch gradient, optimizer state) is stored pixel by
        # pixel, as (6400, H) rows: the layout the sparse paths read and write fastest. The
        # state keeps its (H, 6400) transposed views, so the math and checkpoints are unchanged.
        for d in (state["model"], state["grad"], *state["opt"].values()):
            d["W1"] = np.ascontiguousarray(d["W1"].T).T
        self._refresh()
        self.peak_step_bytes = 0

    def _refresh(self) -> None:
        self.W1T = self.s["model"]["W1"].T  # (6400, H) contiguous view, for the gradient
        self.W1T32 = self.W1T.astype(np.float32)  # for acting

    def _update(self) -> None:
        cfg, s = self.cfg, self.s
        s["updates"] += 1
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            if cfg.optimizer == "rmsprop":
                policy.rmsprop_step(s["model"], s["grad"], s["opt"]["cache"], cfg.learning_rate, cfg.decay_rate)
            else:
                policy.adam_step(s["model"], s["grad"], s["opt"]["m"], s["opt"]["v"], s["updates"], cfg.learning_rate)
        for g in s["grad"].values():
            g[:] = 0  # reset batch gradient buffer
        if not all(np.isfinite(w).all() for w in s["model"].values()):
            raise PgcliError(f"weights became NaN/inf at update {s['updates']}; the last checkpoint is kept")
        self._refresh()

    def _finish_episode(self, log: StepLog, i: int) -> EpisodeStats:
        cfg, s = self.cfg, self.s
        signed, counts, y, r = log.episode(i)
        T = len(counts)
        epr = r.astype(np.float64)
        discounted_epr = policy.standardise(policy.discount_rewards(epr, cfg.gamma))
        _, dW2 = sparse.episode_gradient(self.W1T, s["model"]["W2"], signed, counts, y.astype(np.float64),
                                         discounted_epr, dW1T=s["grad"]["W1"].T)  # accumulate grad over batch
        s["grad"]["W2"] += dW2
        s["episode"] += 1
        reward_sum = float(epr.sum())
        rr = s["running_reward"]
        s["running_reward"] = reward_sum if rr is None else rr * 0.99 + reward_sum * 0.01
        if s["episode"] % cfg.batch_size == 0:
            self._update()
        return EpisodeStats(s["episode"], T, reward_sum, s["running_reward"], int((epr > 0).sum()),
                            int((epr < 0).sum()), s["seconds"], s["steps"], s["updates"])

    def _act(self, g: int, frames: np.ndarray) -> None:
        """Preprocess group g's frames, sample its actions, record the steps, send the actions."""
        cur = sparse.prepro_batch(frames)
        x = cur - self.prev[g]  # (n, 6400) int8 difference frames
        x[self.fresh[g]] = 0  # first frame of an episode: no difference yet
        self.prev[g] = cur
        signed, counts = sparse.encode(x)
        p = sparse.act_forward(self.W1T32, self.s["model"]["W2"], signed, counts)
        up = self.s["rng"].random(len(p)) < p  # roll the dice!
        self.logs[g].add(signed, counts, up)
        self.env.send(g, np.where(up, policy.UP, policy.DOWN))

    def run_segment(self, until_episode: int, on_episode: Callable[[EpisodeStats], None],
                    should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Play from fresh games until `until_episode` episodes are done. False if stopped early.

        Groups of games take turns: while the others are emulated, one group's actions are computed.
        Finished episodes are processed in a fixed order (group, then game), so same seed, same run.
        """
        s, env = self.s, self.env
        t_last = time.perf_counter()  # resetting the games counts as training time too
        frames = env.reset(seed=segment_seed(self.cfg.seed, s["episode"]))
        self.logs = [StepLog(n) for n in env.groups]
        self.prev = [sparse.prepro_batch(f) for f in frames]
        self.fresh = [np.ones(n, bool) for n in env.groups]
        for g, f in enumerate(frames):
            self._act(g, f)
        while True:
            for g, n in enumerate(env.groups):
                frames, rewards, dones = env.recv(g)
                s["steps"] += n
                log = self.logs[g]
                log.reward(rewards)
                self.fresh[g] = dones
                now = time.perf_counter()
                s["seconds"] += min(now - t_last, MAX_STEP_SECONDS)  # a suspended process is not training
                t_last = now
                if dones.any():
                    self.peak_step_bytes = max(self.peak_step_bytes, log.bytes_per_step)
                for i in np.flatnonzero(dones):
                    stats = self._finish_episode(log, i)
                    on_episode(stats)
                    if s["episode"] >= until_episode:
                        break
                if s["episode"] >= until_episode or should_stop():
                    for g2 in range(len(env.groups)):  # collect the steps still in flight
                        if g2 != g:
                            env.recv(g2)
                    return s["episode"] >= until_episode
                self._act(g, frames)

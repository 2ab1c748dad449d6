"""REINFORCE exactly as the seed: every finished episode's gradient is added to a buffer,
and every `batch_size` episodes one optimizer step (RMSProp or Adam) follows it.

`observe` queues an episode and hands back `accumulate`, which adds the queued episodes' gradients,
in order, with the current weights (the trainer runs it on its learner thread, beside the acting,
and waits for it before each `update`, so every gradient sees the same weights as in the seed).
The update itself finishes before the next action (`overlap = False`), as in the seed.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from pgcli.core import optim, pg_math, sparse
from pgcli.core.network import Policy
from pgcli.base.games import Game


class Reinforce:
    wants = "episodes"
    overlap = False  # the next action uses the updated weights, as in the seed
    value_head = False

    def __init__(self, cfg, pol: Policy, rng: np.random.Generator, game: Game):
        self.cfg, self.policy, self.game = cfg, pol, game
        self.model = {k: pol.params[k] for k in ("W1", "W2")}
        self.opt = optim.make(cfg.optimizer, self.model, cfg.learning_rate, cfg.decay_rate, cfg.adam_eps)
        self.grad = optim.zeros_like_params(self.model)  # the batch's gradient buffer (W1 pixel-major)
        self.pending = 0  # episodes in this batch (queued or in the buffer)
        self.queued: deque = deque()  # observed episodes whose gradient is not in the buffer yet
        self.learned_steps = 0

    def observe(self, episode):
        """Count one finished episode (signed, counts, y: actions taken, r) into the batch -> `accumulate`, the
        work that adds its gradient (the checkpoint's `state_dict` does it too)."""
        self.queued.append(episode)
        self.pending += 1
        self.learned_steps += len(episode[1])
        return self.accumulate

    def accumulate(self) -> None:
        """Add the queued episodes' gradients (with the current weights) to the buffer, oldest first."""
        while self.queued:
            signed, counts, y, r = self.queued.popleft()
            epr = pg_math.clip_rewards(r)  # Pong's points are +-1 already: the seed's rewards
            discounted_epr = pg_math.standardise(pg_math.discount_rewards(epr, self.cfg.gamma, self.game.point_resets))
            _, dW2 = sparse.episode_gradient(self.policy.W1T, self.model["W2"], signed, counts,
                                             y.astype(np.float64), discounted_epr, dW1T=self.grad["W1"].T)
            self.grad["W2"] += dW2

    def ready(self) -> bool:
        return self.pending >= self.cfg.batch_size

    def update(self, steps: int = 0):
        """-> the update (one optimizer step on the batch's gradient), at the step size of agent step `steps`."""
        self.opt.lr = optim.annealed(self.cfg.learning_rate, steps, self.cfg.lr_anneal_steps)
        return self._step

    def _step(self) -> dict:
        self.accumulate()
        with np.errstate(over="ignore", invalid="ignore"):  # the trainer checks for NaN just after
            self.opt.step(self.model, self.grad)
        for g in self.grad.values():
            g[:] = 0  # reset batch gradient buffer
        self.pending = 0
        return {}

    def state_dict(self) -> tuple[dict, dict]:
        self.accumulate()  # the buffer holds every observed episode (call with no learner job running)
        arrays, meta = optim.state_dict(self.opt)
        arrays.update({f"grad_{k}": v for k, v in self.grad.items()})
        return arrays, {**meta, "pending": self.pending}

    def load_state_dict(self, arrays: dict, meta: dict, episode: int, updates: int) -> bool:
        """-> True if the optimizer state was restored (an exact resume)."""
        if not optim.load_state_dict(self.opt, arrays, meta, legacy_t=updates):
            return False
        if all(f"grad_{k}" in arrays for k in self.grad):
            for k in self.grad:
                np.copyto(self.grad[k], arrays[f"grad_{k}"])
            self.pending = int(meta.get("pending", episode % self.cfg.batch_size))
        return True

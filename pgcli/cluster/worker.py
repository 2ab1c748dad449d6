"""A rollout worker: the local `Collector` in another process (a Ray actor).

It owns `num_envs` games (one `AtariVectorEnv`, `threads` emulator threads) and a `Policy` used
only to act. Each `collect(weights, steps)` call first loads the weights it is given (a Ray object
reference: float32, shared through the object store, ~5 MB for H = 200), then polls its collector
`steps` times, exactly as the training loop polls a local one, and returns what came out in
pgcli's compact sparse form (tens of bytes a step). Games go on between calls.
"""

from __future__ import annotations

import os
import time

import numpy as np

from pgcli.core.collector import Collector, Experience
from pgcli.core.network import Policy
from pgcli.base.envs import VectorGames
from pgcli.base.run_spec import RunSpec


class RolloutWorker:
    def __init__(self, spec: dict, num_envs: int, seed: int, rng_seed: list[int], wants: str, threads: int = 1):
        self.spec = RunSpec.from_dict(spec)  # `RunSpec.to_dict()`: the run, as plain data
        self.env = VectorGames(self.spec.settings, num_envs, groups=1, threads=threads)
        self.rng = np.random.default_rng(rng_seed)
        self.seed, self.wants = seed, wants
        self.collector: Collector | None = None
        self.policy: Policy | None = None

    def collect(self, weights: dict, steps: int) -> dict:
        """Play `steps` steps of every game with `weights` -> {steps, items, cpu, peak_step_bytes}
        (items: see `Experience`; cpu: this process's CPU seconds for the call, emulation included)."""
        cpu0 = time.process_time()
        if self.policy is None:
            self.policy = Policy(weights)
            self.collector = Collector.for_run(self.env, self.policy, self.rng, self.wants, self.spec)
            self.collector.start(self.seed)
        else:
            self.policy.load(weights)
        out = Experience()
        for _ in range(steps):
            exp = self.collector.poll()
            out.steps += exp.steps
            out.items += exp.items
        return {"steps": out.steps, "items": out.items, "cpu": time.process_time() - cpu0,
                "peak_step_bytes": self.collector.peak_step_bytes}

    def pid(self) -> int:
        return os.getpid()

    def cut(self) -> list:
        """The stop: end the games -> the (Finished, piece) parts a gradient takes (`Collector.stop`)."""
        col, self.collector = self.collector, None
        return [] if col is None else col.stop().items

    def close(self) -> None:
        if self.collector is not None:
            self.collector.drain()
        self.env.close()

"""A rollout worker: the `Collector` in another process (a Ray actor).

It owns `num_envs` games (one `AtariVectorEnv`, `threads` emulator threads) and a `Policy` used
only to act. Each `collect(weights, steps)` call first loads the weights it is given (a Ray object
reference: float32, shared through the object store, ~5 MB for H = 200), then plays `steps` agent
steps of every game and returns the experience in pgcli's compact sparse form (tens of bytes a
step): the games that finished (and, for REINFORCE, their whole episodes) and, for PPO, the
rollouts completed. Games go on between calls.
"""

from __future__ import annotations

import numpy as np

from pgcli.core.collector import Collector
from pgcli.envs import EnvSettings, VectorPong
from pgcli.core.network import Policy


class RolloutWorker:
    def __init__(self, settings: dict, num_envs: int, seed: int, rng_seed: list[int], algo: str,
                 rollout_steps: int, threads: int = 1):
        s = dict(settings)
        s["frameskip"] = tuple(s["frameskip"]) if isinstance(s["frameskip"], list) else s["frameskip"]
        self.env = VectorPong(EnvSettings(**s), num_envs, groups=1, threads=threads)
        self.rng = np.random.default_rng(rng_seed)
        self.seed, self.algo, self.T = seed, algo, rollout_steps
        self.collector: Collector | None = None
        self.policy: Policy | None = None

    def collect(self, weights: dict, steps: int) -> dict:
        """Play `steps` steps of every game with `weights` -> {finished, episodes, rollouts, steps, cpu}
        (cpu: this process's CPU seconds for the call, emulator threads included)."""
        import time

        cpu0 = time.process_time()
        if self.policy is None:
            self.policy = Policy(weights)
            self.collector = Collector(self.env, self.policy, self.rng)
            self.collector.start(self.seed)
        else:
            self.policy.load(weights)
        col, out = self.collector, {"finished": [], "episodes": [], "rollouts": [], "steps": 0}
        for _ in range(steps):
            frames, finished = col.recv(0)
            out["steps"] += col.groups[0]
            for fin in finished:
                out["finished"].append(fin)
                out["episodes"].append(col.episode(0, fin.game) if self.algo == "reinforce" else None)
            col.act(0, frames)
            if self.algo == "ppo":
                ro = col.rollout(0, self.T)
                if ro is not None:
                    out["rollouts"].append(ro)
        out["cpu"] = time.process_time() - cpu0
        return out

    def pid(self) -> int:
        import os

        return os.getpid()

    def cut(self) -> list:
        """The stop: end the games (collect the step in flight) -> REINFORCE's part of each game a
        gradient can take, its steps up to its last scored point, as (Finished, episode) pairs
        (`Collector.completed_points`); PPO gives none (its learner took the rollouts it was sent)."""
        col = self._end_games()
        return col.completed_points() if col is not None and self.algo == "reinforce" else []

    def _end_games(self) -> Collector | None:
        """Collect the step in flight of every game; no game goes on after this."""
        col, self.collector = self.collector, None
        if col is not None:
            col.drain()
        return col

    def close(self) -> None:
        self._end_games()
        self.env.close()

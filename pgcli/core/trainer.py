"""The training loop: a Policy acts through a Collector; an algorithm turns experience into updates.

    policy = Policy(...)                       # the network: W1, W2 (+ value head for PPO)
    collector = Collector(env, policy, rng)    # the games, frame differencing, step log
    algo = algos.make(cfg, policy, rng)        # REINFORCE (episodes) or PPO (rollouts)
    loop: recv a group -> feed finished episodes / rollouts to algo -> update when ready -> act

The games never stop for a checkpoint: `on_save` is called every `save_every` episodes while
they go on (the caller snapshots the state and writes it off the hot path), so no emulated step
is thrown away; only a stop (Ctrl-C, the episode target) ends the games in flight, and REINFORCE
still learns from their steps up to each game's last scored point (PPO's updates already took
theirs up to the last batch); each is reported as a `cut` row. A run starts
its games with a seed derived from (seed, episode), so resuming from a checkpoint is
deterministic: the same checkpoint, version and flags give the same weights.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from pgcli import algos
from pgcli.core.collector import Collector
from pgcli.config import Config
from pgcli.errors import PgcliError
from pgcli.core.network import Policy

MAX_STEP_SECONDS = 10.0  # longer gaps between two steps (laptop asleep, SIGSTOP) are not counted


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
    update: dict = field(default_factory=dict)  # the last update's statistics (PPO: value loss, KL, ...)
    worker_rates: list = field(default_factory=list)  # agent steps/s of each rollout worker (--workers)
    learned_steps: int = 0  # this session's agent steps that entered a gradient so far
    cut: bool = False  # not a finished game: the learned part of a game cut by the stop (see Trainer._cut)


@dataclass
class Counters:
    """How far the run has come; saved in the checkpoint's meta."""

    episode: int = 0
    updates: int = 0
    running_reward: float | None = None
    steps: int = 0
    seconds: float = 0.0


def past_target(finished: list, episodes: list) -> list:
    """REINFORCE's games that finished after the episode target was reached, as (Finished,
    episode) pairs: they join the gradient buffer as cut rows (see `Trainer._cut`)."""
    return [(f, e) for f, e in zip(finished, episodes) if e is not None]


def start_seed(seed: int, episode: int) -> int:
    """Emulator seed for games started after `episode` episodes (fits ALE's 31-bit seeds)."""
    return int(np.random.SeedSequence([seed, episode]).generate_state(1)[0] >> 2)


class Trainer:
    """Owns the policy, the algorithm, the RNG and the counters; `run` plays and learns."""

    def __init__(self, cfg: Config, env, policy: Policy | None = None, rng: np.random.Generator | None = None,
                 counters: Counters | None = None):
        self.cfg, self.env = cfg, env
        self.rng = rng or np.random.default_rng(cfg.seed)  # weights first, then actions: one stream
        self.policy = policy or Policy.init(cfg.hidden, self.rng, value_head=cfg.algo == "ppo")
        if cfg.algo == "ppo" and not self.policy.has_value:  # e.g. a REINFORCE agent trained on by PPO
            self.policy = Policy({**self.policy.params, "Wv": np.zeros(cfg.hidden), "bv": np.zeros(1)})
        self.algo = algos.make(cfg, self.policy, self.rng)
        self.counters = counters or Counters()
        self.collector: Collector | None = None  # made by `run`, once the env is there
        self.last_update: dict = {}
        self.peak_step_bytes = 0
        self.learned_steps = 0  # this session's agent steps that entered a gradient
        self.salvaged_steps = 0  # of which from games in flight at the stop (see `_cut`)
        self.learner: ThreadPoolExecutor | None = None  # the heavy learning, beside the acting (see `run`)
        self.jobs: deque[tuple[Future, bool]] = deque()  # submitted there, oldest first: (job, is an update)

    def _observe_rollout(self, ro) -> None:
        self.algo.observe(ro)
        if not self.algo.ready():
            return
        batch = self.algo.take()
        self.learned_steps += len(batch[1])  # the whole batch goes into this update
        if self.learner is None:  # its time is counted at the next recv
            self._count_update(self.algo.learn(batch))
            self.policy.sync()
            return
        # Overlapped: the games go on while this batch is learned from, acting with the weights of
        # the previous update (a policy lag of one update; the clipped ratio uses the probabilities
        # that really acted). Weights change for acting only here, so runs stay deterministic.
        self.settle()
        self.policy.sync()
        self._submit(self.algo.learn, batch, update=True)

    def _submit(self, fn, *args, update: bool = False) -> None:
        """Run `fn(*args)` on the learner thread after the jobs before it (one thread: in order);
        right here if there is no learner thread (rollout workers' runs)."""
        if self.learner is None:
            out = fn(*args)
            if update:
                self._count_update(out)
            return
        self.jobs.append((self.learner.submit(fn, *args), update))
        while len(self.jobs) > 1 and self.jobs[0][0].done():  # surface a failed job early
            self._collect(*self.jobs.popleft())

    def _collect(self, job: Future, update: bool) -> None:
        out = job.result()  # re-raises the job's error here, in the loop
        if update:
            self._count_update(out)

    def settle(self) -> None:
        """Wait until the learner thread has done every job (e.g. before a checkpoint or an
        update); a PPO update finished there is counted now and acts from the next batch on."""
        while self.jobs:
            self._collect(*self.jobs.popleft())

    def _count_update(self, stats: dict) -> None:
        self.last_update = stats
        self.counters.updates += 1
        if not all(np.isfinite(w).all() for w in self.policy.params.values()):
            raise PgcliError(f"weights became NaN/inf at update {self.counters.updates}; the last checkpoint is kept")

    def _finished(self, fin, episode=None) -> EpisodeStats:
        """Count a finished game; REINFORCE also learns from its `episode` (signed, counts, y, r)."""
        c = self.counters
        if self.algo.wants == "episodes":
            self.algo.observe(episode)
            self.learned_steps += fin.steps
            self._submit(self.algo.accumulate)  # beside the acting, with the same weights as here
            if self.algo.ready():  # as the seed: the next action uses the updated weights
                self.settle()
                self._count_update(self.algo.update())
                self.policy.sync()
        c.episode += 1
        reward = float(fin.won - fin.lost)
        c.running_reward = reward if c.running_reward is None else c.running_reward * 0.99 + reward * 0.01
        return self._stats(fin)

    def _stats(self, fin, cut: bool = False) -> EpisodeStats:
        """The metrics row of game `fin` (or of the part of it a stop cut), with the run's counters."""
        c = self.counters
        return EpisodeStats(c.episode, fin.steps, float(fin.won - fin.lost), c.running_reward, fin.won, fin.lost,
                            c.seconds, c.steps, c.updates, self.last_update, learned_steps=self.learned_steps, cut=cut)

    def _end_episode(self, fin, episode, on_episode, on_save, save_every, until_episode) -> bool:
        """Learn from and report one finished game, save when due. -> True once the target is reached."""
        on_episode(self._finished(fin, episode))
        if save_every and self.counters.episode % save_every == 0:
            self.settle()
            on_save()
        return until_episode is not None and self.counters.episode >= until_episode

    def _cut_parts(self, col: Collector, finished: list = ()) -> list:
        """At a stop (after `col.drain()`), what a gradient takes of the games it ends, as
        (Finished, episode or None) pairs. REINFORCE: each game's steps up to its last scored point
        (complete training data: the discounted return resets at every point), and the games that
        finished past the target (`finished`). PPO: its updates took their steps up to the last batch."""
        if self.algo.wants == "episodes":
            return [*finished, *col.completed_points()]
        return [(fin, None) for fin in col.rolled_out()]

    def _cut(self, parts: list, on_episode) -> None:
        """A stop ends the games in flight: REINFORCE's parts of them join the gradient buffer like
        episodes and are saved with it (the next update uses them). Each part is reported as a `cut`
        row (it is not a finished episode), so that the metrics account for every step that entered
        a gradient."""
        for _, part in parts:
            if part is not None:
                self.algo.observe(part)
                self.learned_steps += len(part[1])
                self.salvaged_steps += len(part[1])
        for fin, _ in parts:
            on_episode(self._stats(fin, cut=True))

    def run(self, until_episode: int | None, on_episode: Callable[[EpisodeStats], None],
            should_stop: Callable[[], bool] = lambda: False, on_save: Callable[[], None] = lambda: None,
            save_every: int | None = None) -> bool:
        """Play and learn until `until_episode` episodes are done (None: until stopped).
        -> True if the target was reached, False if `should_stop` stopped it first."""
        self.learner = ThreadPoolExecutor(1, thread_name_prefix="pgcli-learn")
        try:
            return self._run(until_episode, on_episode, should_stop, on_save, save_every)
        finally:
            try:
                self.settle()  # the final checkpoint holds every gradient and the last update
            finally:
                self.learner.shutdown()
                self.learner = None

    def _run(self, until_episode, on_episode, should_stop, on_save, save_every) -> bool:
        self.collector = col = Collector(self.env, self.policy, self.rng)
        c, cfg = self.counters, self.cfg
        t_last = time.perf_counter()  # resetting the games counts as training time too
        col.start(seed=start_seed(cfg.seed, c.episode))
        rollouts = self.algo.wants == "rollouts"
        while True:
            for g, n in enumerate(col.groups):
                frames, finished = col.recv(g)
                c.steps += n
                now = time.perf_counter()
                c.seconds += min(now - t_last, MAX_STEP_SECONDS)  # a suspended process is not training
                t_last = now
                if finished:
                    self.peak_step_bytes = max(self.peak_step_bytes, col.logs[g].bytes_per_step)
                episodes = [col.episode(g, fin.game) if not rollouts else None for fin in finished]
                col.act(g, frames)  # the group plays on while we learn from the games it finished
                done, unused = False, []
                for k, (fin, episode) in enumerate(zip(finished, episodes)):
                    done = self._end_episode(fin, episode, on_episode, on_save, save_every, until_episode)
                    if done:
                        unused = past_target(finished[k + 1 :], episodes[k + 1 :])
                        break
                if rollouts and not done:
                    ro = col.rollout(g, cfg.rollout_steps)
                    if ro is not None:
                        self._observe_rollout(ro)
                if done or should_stop():
                    col.drain()
                    self._cut(self._cut_parts(col, unused), on_episode)
                    return done

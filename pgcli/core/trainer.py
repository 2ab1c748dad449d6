"""The training loop: one loop over one experience source, feeding one algorithm.

    run = RunSpec.of(cfg)                       # the config and the game, every `auto` decided (base/)
    policy = Policy(...)                        # the network: W1, W2 (+ value head for PPO)
    source = Collector(env, policy, rng, game)  # the games here, or RemoteCollector: Ray workers
    algo = algos.make(cfg, policy, rng, game)   # REINFORCE (episodes) or PPO (rollouts)
    loop: poll the source -> each finished game and its experience to the algorithm, an update
          when it is ready -> report, save when due -> at the stop, what a gradient takes of the
          games it cuts

Threads, and who owns the weights (the one place this is written down):
- The loop's thread acts, reports, saves and decides. The learner thread (one, `pgcli-learn`) runs
  the algorithm's work in order: REINFORCE's episode gradients, PPO's whole update. Each job may
  read and write `policy.params` and the optimizer; nothing else touches them while a job may run.
- `settle()` waits for every job. The loop settles before an update is taken, before a save and at
  the end; between two settle points only the learner thread owns `policy.params`.
- Acting, and every observer, reads the acting copies that `policy.sync()` makes at a settle point
  (`policy.forward`, `policy.acting_W1()`, `policy.acting_weights()`): settled weights, never
  half an update. A checkpoint snapshot is taken right after a settle, in the loop's thread.
- Timing never changes the numbers: a job sees the weights the seed's one-thread order would give
  it (REINFORCE's update finishes before the next action), and PPO's update runs beside the acting
  of the next batch with the weights of the update before (one update of policy lag; the clipped
  ratio uses the probabilities that really acted), so runs stay deterministic.

The games never stop for a checkpoint; only a stop (Ctrl-C, --minutes, the episode target) ends
those in flight, and each is reported as a `cut` row with the part a gradient took of it. A run
starts its games with a seed derived from (seed, episode), so a resume is deterministic.
"""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from pgcli import algos
from pgcli.core.collector import Collector
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS, Policy
from pgcli.base.errors import PgcliError
from pgcli.base.run_spec import RunSpec

MAX_STEP_SECONDS = 10.0  # longer gaps between two steps (laptop asleep, SIGSTOP) are not counted


@dataclass
class EpisodeStats:
    episode: int  # 1-based count of finished episodes
    steps: int  # agent steps (actions) in this episode
    reward: float  # the game's score (Pong: points won minus points lost)
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
    points: bool = True  # the score is points won minus points lost (Pong), worth showing as won-lost


@dataclass
class Counters:
    """How far the run has come; saved in the checkpoint's meta."""

    episode: int = 0
    updates: int = 0
    running_reward: float | None = None
    steps: int = 0
    seconds: float = 0.0


def start_seed(seed: int, episode: int) -> int:
    """Emulator seed for games started after `episode` episodes (fits ALE's 31-bit seeds)."""
    return int(np.random.SeedSequence([seed, episode]).generate_state(1)[0] >> 2)


class Trainer:
    """Owns the policy, the algorithm, the RNG and the counters; `run` plays and learns."""

    def __init__(self, run: RunSpec, env=None, policy: Policy | None = None, rng: np.random.Generator | None = None,
                 counters: Counters | None = None):
        cfg, game = run.config, run.game  # decided once, by the run's spec
        self.spec, self.cfg, self.env, self.game = run, cfg, env, game
        self.rng = rng or np.random.default_rng(cfg.seed)  # weights first, then actions: one stream
        value_head = algos.algorithm(cfg.algo).value_head
        self.policy = policy or Policy.init(cfg.hidden, self.rng, value_head=value_head,
                                            inputs=cfg.input_spec.size(game.n_actions), actions=game.n_actions)
        if value_head and not self.policy.has_value:  # e.g. a REINFORCE agent trained on by PPO
            self.policy = Policy({**self.policy.params, "Wv": np.zeros(cfg.hidden), "bv": np.zeros(1)})
        self.algo = algos.make(cfg, self.policy, self.rng, game)
        self.counters = counters or Counters()
        self.source = None  # the experience source; a Collector over `env` unless set (see `run`)
        self.last_update: dict = {}
        self.salvaged_steps = 0  # steps learned from games in flight at the stop (see `_cut`)
        self.learner: ThreadPoolExecutor | None = None  # the algorithm's work, beside the acting
        self.jobs: deque[tuple[Future, bool]] = deque()  # submitted there, oldest first: (job, is an update)

    def collector(self, env) -> Collector:
        """The local experience source over `env`, acting with this trainer's policy and RNG."""
        return Collector.for_run(env, self.policy, self.rng, self.algo.wants, self.spec)

    @property
    def learned_steps(self) -> int:
        """This session's agent steps that entered a gradient."""
        return self.algo.learned_steps

    @property
    def peak_step_bytes(self) -> int:
        return 0 if self.source is None else self.source.peak_step_bytes

    # -- learning ---------------------------------------------------------------------------------
    def _learn(self, piece) -> None:
        """One episode or rollout to the algorithm; its work and a due update go where they belong."""
        work = self.algo.observe(piece)
        if work is not None:
            self._submit(work)  # beside the acting, with the weights the seed's order gives it
        if not self.algo.ready():
            return
        self.settle()  # every earlier job done: the weights are settled
        update = self.algo.update(self.counters.steps)  # its schedules follow the run's agent steps
        if self.algo.overlap:  # the games act on with these weights while the update runs
            self.policy.sync()
            self._submit(update, update=True)
        else:  # the next action uses the updated weights, as in the seed
            self._count_update(update())
            self.policy.sync()

    def _submit(self, fn, update: bool = False) -> None:
        """Run `fn()` on the learner thread after the jobs before it (one thread: in order)."""
        self.jobs.append((self.learner.submit(fn), update))
        while len(self.jobs) > 1 and self.jobs[0][0].done():  # surface a failed job early
            self._collect(*self.jobs.popleft())

    def _collect(self, job: Future, update: bool) -> None:
        out = job.result()  # re-raises the job's error here, in the loop
        if update:
            self._count_update(out)

    def settle(self) -> None:
        """Wait until the learner thread has done every job (before an update, a save, the end);
        an update finished there is counted now."""
        while self.jobs:
            self._collect(*self.jobs.popleft())

    def _count_update(self, stats: dict) -> None:
        self.last_update = stats
        self.counters.updates += 1
        if not all(np.isfinite(w).all() for w in self.policy.params.values()):
            raise PgcliError(f"weights became NaN/inf at update {self.counters.updates}; the last checkpoint is kept")

    # -- reporting --------------------------------------------------------------------------------
    def _finished(self, fin) -> EpisodeStats:
        c = self.counters
        c.episode += 1
        reward = fin.score
        c.running_reward = reward if c.running_reward is None else c.running_reward * 0.99 + reward * 0.01
        return self._stats(fin)

    def _stats(self, fin, cut: bool = False) -> EpisodeStats:
        """The metrics row of game `fin` (or of the part of it a stop cut), with the run's counters."""
        c = self.counters
        return EpisodeStats(c.episode, fin.steps, fin.score, c.running_reward, fin.won, fin.lost,
                            c.seconds, c.steps, c.updates, self.last_update, self.source.worker_rates(),
                            self.learned_steps, cut, self.game.point_resets)

    def _cut(self, parts: list, on_episode) -> None:
        """A stop ends the games in flight: the parts a gradient takes of them (REINFORCE: each game's
        steps up to its last point; a finished game past the target) join the algorithm's buffer
        and are saved with it; each game is reported as a `cut` row (not a finished episode), so the
        metrics account for every step that entered a gradient."""
        before = self.learned_steps
        for _, piece in parts:
            if piece is not None:
                self.algo.observe(piece)  # its gradient is added when the state is saved
        self.salvaged_steps += self.learned_steps - before
        for fin, _ in parts:
            if fin is not None:
                on_episode(self._stats(fin, cut=True))

    # -- the loop ---------------------------------------------------------------------------------
    def run(self, until_episode: int | None, on_episode: Callable[[EpisodeStats], None],
            should_stop: Callable[[], bool] = lambda: False, on_save: Callable[[], None] = lambda: None,
            save_every: int | None = None) -> bool:
        """Play and learn until `until_episode` episodes are done (None: until stopped).
        -> True if the target was reached, False if `should_stop` stopped it first."""
        if self.source is None:
            self.source = self.collector(self.env)
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
        src, c = self.source, self.counters
        t_last = time.perf_counter()  # resetting the games counts as training time too
        src.start(seed=start_seed(self.cfg.seed, c.episode))
        while True:
            exp = src.poll()
            c.steps += exp.steps
            now = time.perf_counter()
            c.seconds += min(now - t_last, MAX_STEP_SECONDS)  # a suspended process is not training
            t_last = now
            done, rest = False, []
            for k, (fin, piece) in enumerate(exp.items):
                if piece is not None:
                    self._learn(piece)
                if fin is None:
                    continue
                on_episode(self._finished(fin))
                if save_every and c.episode % save_every == 0:
                    self.settle()
                    on_save()
                if until_episode is not None and c.episode >= until_episode:
                    done, rest = True, [it for it in exp.items[k + 1 :] if it[1] is not None]
                    break
            if done or should_stop():
                last = src.stop()  # the games end; steps still in flight (rollout workers) were played
                c.steps += last.steps
                self._cut(rest + last.items, on_episode)
                c.seconds += min(time.perf_counter() - t_last, MAX_STEP_SECONDS)  # the last save and the stop
                return done

    # -- state ------------------------------------------------------------------------------------
    def state_dict(self, into: dict | None = None) -> tuple[dict, dict]:
        """The training state as (arrays, meta), the arrays copied into `into`'s buffers where they
        fit (call at a settle point; the caller may write them while training goes on)."""
        into = {} if into is None else into
        algo_arrays, algo_meta = self.algo.state_dict()
        arrays = {}
        for k, v in {**self.policy.params, **algo_arrays}.items():
            buf = into.get(k)
            if buf is None or buf.shape != v.shape or buf.dtype != v.dtype:
                buf = into[k] = np.empty(v.shape, v.dtype)  # C order: written to the file as it is
            np.copyto(buf, v)
            arrays[k] = buf
        return arrays, {**asdict(self.counters), **algo_meta, "rng": self.rng.bit_generator.state}

    @classmethod
    def from_state(cls, run: RunSpec, arrays: dict, meta: dict | None, optimizer: bool = True) -> tuple["Trainer", bool]:
        """A trainer from saved (arrays, meta); meta None: weights only (an export, Karpathy's file);
        `optimizer` False: fresh optimizer state (another algorithm or optimizer than the saved one).
        -> (trainer, exact): exact when the optimizer state and the RNG were restored too."""
        params = {k: arrays[k] for k in MODEL_KEYS + VALUE_KEYS if k in arrays}
        counters = Counters()
        if meta is not None:
            try:
                rr = meta.get("running_reward")
                counters = Counters(int(meta.get("episode", 0)), int(meta.get("updates", 0)),
                                    None if rr is None else float(rr), int(meta.get("steps", 0)),
                                    float(meta.get("seconds", 0.0)))
            except (TypeError, ValueError):
                raise PgcliError("checkpoint metadata is malformed") from None
        trainer = cls(run, None, Policy(params), np.random.default_rng(run.config.seed), counters)
        exact = meta is not None and optimizer and trainer.algo.load_state_dict(arrays, meta, counters.episode, counters.updates)
        if exact:
            try:
                trainer.rng.bit_generator.state = meta["rng"]
            except (KeyError, TypeError, ValueError):
                raise PgcliError("checkpoint RNG state is malformed") from None
        return trainer, exact

"""The learner side of `pgcli train --workers N` / `--ray-address ADDRESS`.

The `pgcli train` process keeps the policy, the algorithm, the counters and the checkpoints (the
`Trainer`); the games run in `RolloutWorker` actors. Each worker is asked for `STEPS_PER_CALL` steps
at a time; as soon as one answers it is sent its next request (with the newest weights) before its
experience is learned from, so workers play while the learner learns. Answers are taken in worker
order, so a run is deterministic as long as no worker is lost. A stop (the episode target,
Ctrl-C, --minutes) takes the answers still in flight and ends every worker's games: REINFORCE
keeps each game's steps up to its last point, as without workers (`Trainer._cut`).

Faults: a worker that dies (killed, out of memory, its node lost) is replaced by a new one that
starts fresh games; only its games in flight are lost, and one line on stderr says so. If the
cluster itself goes away, `ClusterLost` is raised: `pgcli train` saves the checkpoint and exits
with one line.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from pgcli.errors import PgcliError
from pgcli.core.trainer import MAX_STEP_SECONDS, EpisodeStats, Trainer, past_target, start_seed

STEPS_PER_CALL = 32  # agent steps of every game per request (~0.25 s of emulation for 16 games)
STOP_TIMEOUT = 60.0  # seconds a worker gets to answer at the stop; after that its games are given up


class ClusterLost(PgcliError):
    """The Ray cluster went away; the learner's state is still good and gets saved."""


def _ray():
    try:
        import ray
    except ImportError:
        raise PgcliError("--workers and --ray-address need Ray: pip install 'pgcli[ray]'") from None
    return ray


class RemoteTrainer(Trainer):
    """A `Trainer` whose games are played by Ray actors."""

    def __init__(self, *args, workers: int = 2, address: str | None = None, settings: dict | None = None,
                 on_event: Callable[[str], None] = lambda m: None, **kw):
        super().__init__(*args, **kw)
        if not 1 <= workers <= self.cfg.num_envs:
            raise PgcliError(f"workers must be in [1, num envs = {self.cfg.num_envs}], got {workers}")
        self.n_workers, self.address, self.settings, self.on_event = workers, address, settings, on_event
        self.workers: list = []
        self.started_ray = False
        self.lost_workers = 0
        self.worker_steps = np.zeros(workers, np.int64)  # per worker, for the progress line
        self.t_start = 0.0
        self.wire_bytes = 0  # bytes of experience received (arrays only)
        self.worker_cpu = 0.0  # CPU seconds the workers report (emulation and acting)
        self.learner_cpu = 0.0  # CPU seconds of this thread outside waiting for workers

    # -- the cluster ------------------------------------------------------------------------------
    def connect(self) -> None:
        ray = _ray()
        if not ray.is_initialized():
            try:
                if self.address:
                    ray.init(address=self.address, log_to_driver=False, logging_level="ERROR")
                else:
                    ray.init(num_cpus=max(2, self.n_workers), include_dashboard=False, log_to_driver=False,
                             logging_level="ERROR")
                    self.started_ray = True
            except ConnectionError as e:
                raise PgcliError(f"cannot reach the Ray cluster at {self.address}: {e}") from None
        from pgcli.cluster.worker import RolloutWorker

        self._actor = ray.remote(num_cpus=1, max_restarts=0)(RolloutWorker)

    def _games(self, i: int) -> tuple[int, int]:
        """(first game index, number of games) of worker i: the games split as evenly as possible."""
        n, k = self.cfg.num_envs, self.n_workers
        sizes = [n // k + (j < n % k) for j in range(k)]
        return sum(sizes[:i]), sizes[i]

    def _spawn(self, i: int, generation: int):
        first, n = self._games(i)
        seed = (start_seed(self.cfg.seed, self.counters.episode) + first + 1_000_003 * generation) % 2**31
        rng_seed = [self.cfg.seed, self.counters.episode, i, generation]
        return self._actor.remote(self.settings, n, seed, rng_seed, self.cfg.algo, self.cfg.rollout_steps)

    def close(self) -> None:
        ray = _ray()
        for w in self.workers:
            try:
                ray.kill(w)
            except Exception:  # already gone
                pass
        self.workers = []
        if self.started_ray:
            ray.shutdown()
            self.started_ray = False

    def _finished(self, fin, episode=None) -> EpisodeStats:
        st = super()._finished(fin, episode)
        dt = self.counters.seconds - self.t_start
        st.worker_rates = [float(n) / dt if dt > 0 else 0.0 for n in self.worker_steps]
        return st

    def stats(self) -> dict:
        """Per agent step: the learner's CPU, the workers' CPU, the bytes of experience received."""
        n = max(1, int(self.worker_steps.sum()))
        return {"learner_us_per_step": 1e6 * self.learner_cpu / n, "worker_us_per_step": 1e6 * self.worker_cpu / n,
                "wire_bytes_per_step": self.wire_bytes / n, "lost_workers": self.lost_workers}

    # -- the loop ---------------------------------------------------------------------------------
    def run(self, until_episode: int | None, on_episode: Callable[[EpisodeStats], None],
            should_stop: Callable[[], bool] = lambda: False, on_save: Callable[[], None] = lambda: None,
            save_every: int | None = None) -> bool:
        ray = _ray()
        from ray.exceptions import RayActorError

        c = self.counters
        self.t_start, self.worker_steps[:] = c.seconds, 0
        generation = [0] * self.n_workers
        self.workers = [self._spawn(i, 0) for i in range(self.n_workers)]
        weights = ray.put(self.policy.acting_weights())
        version = c.updates
        pending = [w.collect.remote(weights, STEPS_PER_CALL) for w in self.workers]
        t_last = time.perf_counter()
        while True:
            for i in range(self.n_workers):
                try:
                    out = ray.get(pending[i])
                except RayActorError as e:  # the worker died: replace it, its games in flight are lost
                    self.lost_workers += 1
                    generation[i] += 1
                    self.on_event(f"warning: rollout worker {i} lost ({type(e).__name__}); started a new one "
                                  f"(its games in flight are lost)")
                    try:
                        self.workers[i] = self._spawn(i, generation[i])
                        pending[i] = self.workers[i].collect.remote(weights, STEPS_PER_CALL)
                    except Exception as e2:  # no cluster to start it on
                        raise ClusterLost(f"the Ray cluster went away ({type(e2).__name__})") from None
                    continue
                except Exception as e:  # RaySystemError, lost connection, a shut-down session, ...
                    raise ClusterLost(f"the Ray cluster went away ({type(e).__name__})") from None
                try:
                    if c.updates != version:  # newer weights for this worker's next request
                        weights, version = ray.put(self.policy.acting_weights()), c.updates
                    pending[i] = self.workers[i].collect.remote(weights, STEPS_PER_CALL)
                except Exception as e:
                    raise ClusterLost(f"the Ray cluster went away ({type(e).__name__})") from None
                cpu0 = time.thread_time()
                self.worker_cpu += out["cpu"]
                c.steps += out["steps"]
                self.worker_steps[i] += out["steps"]
                now = time.perf_counter()
                c.seconds += min(now - t_last, MAX_STEP_SECONDS)
                t_last = now
                done, unused = False, []
                for k, (fin, episode) in enumerate(zip(out["finished"], out["episodes"])):
                    if episode is not None:
                        self.wire_bytes += sum(a.nbytes for a in episode)
                        self.peak_step_bytes = max(self.peak_step_bytes, sum(a.nbytes for a in episode) // max(1, fin.steps))
                    done = self._end_episode(fin, episode, on_episode, on_save, save_every, until_episode)
                    if done:
                        unused = past_target(out["finished"][k + 1 :], out["episodes"][k + 1 :])
                        break
                for ro in out["rollouts"]:
                    nbytes = sum(getattr(ro, f).nbytes for f in ro.__dataclass_fields__)
                    self.wire_bytes += nbytes
                    self.peak_step_bytes = max(self.peak_step_bytes, nbytes // ro.counts.size)
                    if not done:
                        self._observe_rollout(ro)
                self.learner_cpu += time.thread_time() - cpu0
                if done or should_stop():
                    self._cut(self._stop_workers(pending, unused), on_episode)
                    return done

    def _stop_workers(self, pending: list, unused: list) -> list:
        """The stop: take the answers still in flight (their steps count as played; their REINFORCE
        episodes, finished past the stop, as cut parts), then end every worker's games
        (`RolloutWorker.cut`) -> the parts a gradient takes (see `Trainer._cut`). A worker that does
        not answer (lost, or silent for STOP_TIMEOUT s) loses its games in flight (one line on
        stderr); the checkpoint is saved either way."""
        ray = _ray()
        parts = list(unused)
        for i in range(self.n_workers):  # each has a request in flight (the loop sends before it learns)
            try:
                out = ray.get(pending[i], timeout=STOP_TIMEOUT)
                parts += past_target(out["finished"], out["episodes"])
                self.counters.steps += out["steps"]
                self.worker_steps[i] += out["steps"]
                parts += ray.get(self.workers[i].cut.remote(), timeout=STOP_TIMEOUT)
            except Exception as e:  # a lost worker or cluster: those games are gone, the rest is kept
                self.on_event(f"warning: rollout worker {i} did not answer at the stop ({type(e).__name__}); "
                              "its games in flight are lost")
        return parts

"""The experience source of `pgcli train --workers N` / `--ray-address ADDRESS`: games in Ray actors.

`RemoteCollector` has the local `Collector`'s interface (start, poll, stop, worker_rates), so the
one training loop (`pgcli.core.trainer`) runs over it unchanged; each `RolloutWorker` runs a local
`Collector` in its own process. Each worker is asked for `STEPS_PER_CALL` steps at a time; as soon
as one answers it is sent its next request, with the newest settled weights, before its experience
is learned from, so workers play while the learner learns. Answers are taken in worker order, so a
run is deterministic as long as no worker is lost.

Faults: a worker that dies (killed, out of memory, its node lost) or does not answer within
`timeout` seconds (stopped, hung, a stuck node; its first answer, which includes its start-up, gets
at least START_TIMEOUT) is replaced by a new one that starts fresh games;
only its games in flight are lost, and one line on stderr says so. If the cluster itself goes
away, `ClusterLost` is raised: `pgcli train` saves the checkpoint and exits with one line.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from contextlib import contextmanager
from typing import Callable

import numpy as np

from pgcli.core.collector import Experience
from pgcli.core.network import Policy
from pgcli.base.errors import ClusterLost, PgcliError
from pgcli.base.run_spec import RunSpec

STEPS_PER_CALL = 32  # agent steps of every game per request (~0.25 s of emulation for 16 games)
WORKER_TIMEOUT = 60.0  # default seconds a worker may take to answer before it is replaced
START_TIMEOUT = 180.0  # a worker's first answer includes its start-up (Ray actor, emulator): at least this
SLOW_START = 30.0  # a first answer slower than this is said on stderr


def _ray():
    try:
        import ray
    except ImportError:
        raise PgcliError("--workers, --parallel and --ray-address need Ray: pip install 'pgcli[ray]'") from None
    return ray


def connect(address: str | None, workers: int) -> bool:
    """Join the cluster at `address`, or start a local one (-> True: the caller shuts it down).
    Ray's own retry warnings are kept off the terminal: a failure is said in one line."""
    ray = _ray()
    if ray.is_initialized():
        return False
    if address and not _listening(address):
        raise PgcliError(f"nothing answers at {address}: start the head there first "
                         "(ray start --head --port PORT), or check the address and the firewall")
    with _stderr_to_file() as log:
        try:
            if address:
                ray.init(address=address, log_to_driver=False, logging_level="ERROR")
                return False
            # address="local": always a Ray of its own, never one a `ray start` left on this machine
            # (Ray joins that one by default, and then refuses num_cpus with a traceback)
            ray.init(address="local", num_cpus=max(2, workers), include_dashboard=False, log_to_driver=False,
                     logging_level="ERROR")
            return True
        except (ConnectionError, RuntimeError, ValueError) as e:
            why = str(e).splitlines()[0] if str(e) else type(e).__name__
            log.seek(0)
            refused = b"InvalidAuthToken" in log.read()
    if refused:
        raise PgcliError(f"the Ray cluster at {address} refused this machine's token: it uses token "
                         "authentication; set RAY_AUTH_MODE=token and the head's token (its ~/.ray/auth_token "
                         "file, or RAY_AUTH_TOKEN) in this shell")
    raise PgcliError(f"cannot reach the Ray cluster at {address}: {why}")


def _listening(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
        return True
    except (OSError, ValueError):
        return False


@contextmanager
def _stderr_to_file():
    """Send file descriptor 2 (Ray's C++ logging writes there) to a temporary file meanwhile."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield log
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _lost(e: Exception) -> ClusterLost:
    """A Ray failure that is not one worker's: the cluster itself went away."""
    return ClusterLost(f"the Ray cluster went away ({type(e).__name__})")


def _nbytes(piece) -> int:
    """Bytes of an episode (a tuple of arrays) or a rollout (a dataclass of arrays)."""
    return sum(a.nbytes for a in (vars(piece).values() if hasattr(piece, "__dataclass_fields__") else piece))


class RemoteCollector:
    def __init__(self, spec: RunSpec, policy: Policy, wants: str, workers: int = 2, timeout: float = WORKER_TIMEOUT,
                 on_event: Callable[[str], None] = lambda m: None):
        num_envs = spec.config.num_envs
        if not 1 <= workers <= num_envs:
            raise PgcliError(f"workers must be in [1, num envs = {num_envs}], got {workers}")
        if not timeout > 0:
            raise PgcliError(f"worker timeout must be > 0 seconds, got {timeout}")
        self.num_envs, self.spec, self.policy = num_envs, spec.to_dict(), policy  # the workers get plain data
        self.wants, self.rng_seed = wants, spec.config.seed
        self.n, self.timeout, self.on_event = workers, timeout, on_event
        self.workers: list = []
        self.pending: list = []
        self.answered = [False] * workers  # has worker i answered since it was (re)started
        self.generation = [0] * workers
        self.turn, self.seed = 0, 0
        self.lost_workers = 0
        self.worker_steps = np.zeros(workers, np.int64)
        self.worker_cpu = 0.0  # CPU seconds the workers report (emulation and acting)
        self.wire_bytes = 0  # bytes of experience received (arrays only)
        self.peak_step_bytes = 0
        self.t0 = time.perf_counter()
        self.weights, self.version = None, None
        self._actor = None

    def _games(self, i: int) -> tuple[int, int]:
        """(first game index, number of games) of worker i: the games split as evenly as possible."""
        sizes = [self.num_envs // self.n + (j < self.num_envs % self.n) for j in range(self.n)]
        return sum(sizes[:i]), sizes[i]

    def _spawn(self, i: int, generation: int):
        if self._actor is None:
            from pgcli.cluster.worker import RolloutWorker

            self._actor = _ray().remote(num_cpus=1, max_restarts=0)(RolloutWorker)
        first, n = self._games(i)
        seed = (self.seed + first + 1_000_003 * generation) % 2**31
        return self._actor.remote(self.spec, n, seed, [self.rng_seed, self.seed, i, generation], self.wants)

    def _request(self, i: int):
        """Send worker i its next request, with the newest settled weights."""
        if self.policy.version != self.version:
            self.weights, self.version = _ray().put(self.policy.acting_weights()), self.policy.version
        return self.workers[i].collect.remote(self.weights, STEPS_PER_CALL)

    def start(self, seed: int) -> None:
        self.seed, self.t0 = seed, time.perf_counter()
        self.worker_steps[:] = 0
        try:
            self.workers = [self._spawn(i, 0) for i in range(self.n)]
            self.pending = [self._request(i) for i in range(self.n)]
        except PgcliError:
            raise
        except Exception as e:
            raise _lost(e) from None

    def poll(self) -> Experience:
        """The next worker's answer (its next request sent first) -> its experience; a worker lost
        or silent for `timeout` seconds is replaced and gives nothing."""
        from ray.exceptions import GetTimeoutError, RayActorError

        i = self.turn
        self.turn = (i + 1) % self.n
        wait = self.timeout if self.answered[i] else max(self.timeout, START_TIMEOUT)
        try:
            out = self._get(i, wait)
        except (RayActorError, GetTimeoutError) as e:
            why = "lost" if isinstance(e, RayActorError) else f"did not answer for {wait:g} s"
            self._replace(i, f"warning: rollout worker {i} {why} ({type(e).__name__}); started a new one "
                             "(its games in flight are lost)")
            return Experience()
        except Exception as e:  # RaySystemError, lost connection, a shut-down session, ...
            raise _lost(e) from None
        self.answered[i] = True
        try:
            self.pending[i] = self._request(i)
        except Exception as e:
            raise _lost(e) from None
        self.worker_cpu += out["cpu"]
        self.worker_steps[i] += out["steps"]
        self.peak_step_bytes = max(self.peak_step_bytes, out["peak_step_bytes"])
        self.wire_bytes += sum(_nbytes(piece) for _, piece in out["items"] if piece is not None)
        return Experience(out["steps"], out["items"])

    def _get(self, i: int, wait: float) -> dict:
        """Worker i's answer within `wait` s; a first answer slower than SLOW_START s is said (one line):
        a stall, e.g. the Ray of a run that just ended still holding the CPUs, is visible at once."""
        ray = _ray()
        from ray.exceptions import GetTimeoutError

        if self.answered[i] or wait <= SLOW_START:
            return ray.get(self.pending[i], timeout=wait)
        try:
            return ray.get(self.pending[i], timeout=SLOW_START)
        except GetTimeoutError:
            self.on_event(f"waiting for rollout worker {i} to start ({SLOW_START:g} s so far; its CPUs may be busy, "
                          f"e.g. with another Ray; it is replaced after {wait:g} s)")
        return ray.get(self.pending[i], timeout=wait - SLOW_START)

    def _replace(self, i: int, message: str) -> None:
        self.lost_workers += 1
        self.generation[i] += 1
        self.on_event(message)
        ray = _ray()
        try:
            ray.kill(self.workers[i])  # a hung worker would hold its CPU
        except Exception:
            pass
        self.answered[i] = False
        try:
            self.workers[i] = self._spawn(i, self.generation[i])
            self.pending[i] = self._request(i)
        except Exception as e:  # no cluster to start it on
            raise _lost(e) from None

    def stop(self) -> Experience:
        """Take the answers still in flight (their steps count as played; their REINFORCE episodes,
        finished past the stop, as cut parts), then end every worker's games -> the (Finished, piece)
        parts a gradient takes. A worker that does not answer loses its games in flight (one line)."""
        ray, last = _ray(), Experience()
        for i in range(self.n):
            try:
                out = ray.get(self.pending[i], timeout=self.timeout)
                last.items += [it for it in out["items"] if it[0] is not None and it[1] is not None]
                last.steps += out["steps"]
                self.worker_steps[i] += out["steps"]
                last.items += ray.get(self.workers[i].cut.remote(), timeout=self.timeout)
            except Exception as e:  # a lost worker or cluster: those games are gone, the rest is kept
                self.on_event(f"warning: rollout worker {i} did not answer at the stop ({type(e).__name__}); "
                              "its games in flight are lost")
        return last

    def worker_rates(self) -> list:
        dt = time.perf_counter() - self.t0
        return [float(n) / dt if dt > 0 else 0.0 for n in self.worker_steps]

    def stats(self, learner_cpu: float) -> dict:
        """Per agent step: the learner's CPU, the workers' CPU, the bytes of experience received."""
        n = max(1, int(self.worker_steps.sum()))
        return {"learner_us_per_step": 1e6 * learner_cpu / n, "worker_us_per_step": 1e6 * self.worker_cpu / n,
                "wire_bytes_per_step": self.wire_bytes / n, "lost_workers": self.lost_workers}

    def close(self) -> None:
        ray = _ray()
        for w in self.workers:
            try:
                ray.kill(w)
            except Exception:  # already gone
                pass
        self.workers = []

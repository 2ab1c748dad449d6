"""Side-by-side benchmark, one process, the same time budget for each contender:

(a) the raw emulator with pgcli's training settings and random actions (no learning), in two
    layouts (one vector env with a thread per core, or pgcli's alternating groups); the faster
    one is the reference,
(b) a faithful port of the seed's loop (one env, dense float64 W1 @ x every step, dense episode
    memory, dense backward, RMSProp every `batch_size` episodes),
(c) `pgcli train` itself, end to end, once per algorithm: one run (in a temporary folder) that is
    paused between its turns, so its games go on across turns as in a long run. Its wall clock
    includes start-up, resets, checkpoint saves, the metrics file and the progress callback.
Throughput is counted in emulated frames (agent steps x frameskip). For (c) it is also counted in
*useful* frames: steps that entered a gradient (REINFORCE: steps of finished episodes and, at the
stop, of the points the games in flight completed; PPO: steps of the rollouts its updates consumed);
the rest were thrown away when the run stopped.
Ratios: the pace (emulated frames/s) is compared turn by turn with the raw emulator and the seed's
loop (medians of the per-round ratios), then multiplied by the whole run's useful share; the whole
run's useful frames/s against raw (start-up in its first turn included) is given beside it.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from pgcli.base.config import SAVE_EVERY, Config
from pgcli.base.envs import default_groups, env_settings
from pgcli.base.errors import PgcliError
from pgcli.commands.bench_baselines import Result, raw_emulator, seed_loop
from pgcli.core.trainer import EpisodeStats


class TrainRun:
    """`pgcli train` in a thread, paused between benchmark turns (between two episodes)."""

    def __init__(self, overrides: dict, folder: Path, name: str, save_every: int, workers: int | None = None):
        self.name, self.go, self.done, self.workers = name, threading.Event(), False, workers
        self.paused, self.stopping = threading.Event(), False
        self.last: EpisodeStats | None = None
        self.error = None
        self.result = None
        self.args = (overrides, folder / f"{name.replace(' ', '_')}.p", save_every)
        self.thread = threading.Thread(target=self._run, name=f"bench-{name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from pgcli.commands.train import Budget, Hooks, Saving, Where, train

        overrides, out, save_every = self.args
        self.go.wait()  # start-up belongs to the first turn
        try:
            self.result = train(overrides, out, Budget(stop=lambda: self.stopping), saving=Saving(every=save_every),
                                where=Where(workers=self.workers), hooks=Hooks(on_episode=self._episode))
        except BaseException as e:  # reported by the caller
            self.error = e
        finally:
            self.done = True
            self.paused.set()

    def _episode(self, st: EpisodeStats) -> None:
        self.last = st
        if not self.go.is_set() and not self.stopping:
            self.paused.set()
            self.go.wait()
            self.paused.clear()

    def useful(self) -> int:
        """Steps that entered a gradient so far (at the end: with the stop's salvage and last update)."""
        if self.result is not None:
            return self.result.learned_steps
        return self.last.learned_steps if self.last is not None else 0

    def turn(self, seconds: float, last: bool) -> Result:
        """Let the run go for `seconds` of wall clock (the last turn also stops it and saves)."""
        steps0, useful0 = (self.last.total_steps if self.last else 0), self.useful()
        self.paused.clear()
        t0 = time.perf_counter()
        self.go.set()
        time.sleep(seconds)
        if last:
            self.stopping = True  # stop, save, close: all part of the last turn
            self.thread.join()
        else:
            self.go.clear()
            self.paused.wait()  # until the next episode ends
        dt = time.perf_counter() - t0
        if self.error is not None:
            raise self.error
        steps = (self.result.steps if last and self.result else self.last.total_steps if self.last else 0) - steps0
        r = Result(f"(c) pgcli train, {self.name}", steps, dt, 4.0)
        r.useful = self.useful() - useful0
        return r


def machine() -> str:
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, numpy {np.__version__}"


def _merge(parts: list[Result]) -> Result:
    r = parts[0]
    b = [p.bytes_per_step for p in parts if p.bytes_per_step]
    useful = None if r.useful is None else sum(p.useful for p in parts)
    return Result(r.name, sum(p.steps for p in parts), sum(p.seconds for p in parts), r.frameskip,
                  max(b) if b else None, useful)


def run(cfg: Config, seconds: float, rounds: int = 3, algos: tuple[str, ...] = ("reinforce", "ppo"),
        on_result=lambda i, r: None, save_every: int = SAVE_EVERY, workers: tuple[int, ...] = (),
        inputs: str | None = None) -> dict:
    """Each contender gets `seconds` in all, split into `rounds` interleaved turns, so that the
    machine's ups and downs hit every contender alike; ratios are medians of per-round ratios.
    `workers`: also run each algorithm with that many Ray rollout workers (a local Ray). `inputs`:
    what every `pgcli train` contender's network sees (None: each algorithm's default, as in train)."""
    settings = env_settings(cfg.env_id, cfg.sticky_actions)
    if not isinstance(settings.frameskip, int):
        raise PgcliError(f"bench compares against ale-py's vector env, which needs a fixed frameskip; "
                         f"{cfg.env_id} has a random one (try ALE/Pong-v5)")
    folder = Path(tempfile.mkdtemp(prefix="pgcli-bench-"))
    base = {"num_envs": cfg.num_envs, "hidden": cfg.hidden, "seed": cfg.seed, "env_id": settings.env_id,
            "sticky_actions": cfg.sticky_actions}  # every contender plays the same game
    if inputs is not None:
        base["inputs"] = inputs
    runs, started_ray = _train_runs(base, folder, algos, save_every, workers)
    pong = settings.game == "pong"  # the seed's loop plays Pong only
    contenders = {
        "raw1": lambda t, last: raw_emulator(cfg, t, 1),
        "rawk": lambda t, last: raw_emulator(cfg, t, default_groups(cfg.num_envs)),
        **({"seed": lambda t, last: seed_loop(cfg, t)} if pong else {}),
        **{k: (lambda t, last, r=r: r.turn(t, last)) for k, r in runs.items()},
    }
    turns: dict[str, list[Result]] = {k: [] for k in contenders}
    try:
        for i in range(rounds):
            for key, fn in contenders.items():
                res = fn(seconds / rounds, i == rounds - 1)
                res.frameskip = settings.mean_frameskip
                turns[key].append(res)
                on_result(i, res)
    finally:
        _stop(runs, folder, started_ray)
    return {**_ratios(turns, runs, pong), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "machine": machine(), "rounds": rounds}


def _train_runs(base: dict, folder: Path, algos: tuple[str, ...], save_every: int,
                workers: tuple[int, ...]) -> tuple[dict, bool]:
    """The `pgcli train` contenders: each algorithm, and with each count of Ray rollout workers on one
    local Ray (started here unless running) -> (contenders by key, whether Ray was started here)."""
    runs = {f"pgcli-{a}": TrainRun({**base, "algo": a}, folder, a, save_every) for a in algos}
    started_ray = False
    if workers:
        import ray

        if not ray.is_initialized():  # one local Ray for every worker contender
            started_ray = True
            # every paused contender keeps its actors (1 logical CPU each): room for all of them at once
            ray.init(num_cpus=max(2, sum(workers) * len(algos)), include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        for a in algos:
            for w in workers:
                runs[f"pgcli-{a}-{w}w"] = TrainRun({**base, "algo": a}, folder, f"{a}, {w} worker{'s' * (w > 1)}",
                                                   save_every, workers=w)
    return runs, started_ray


def _stop(runs: dict, folder: Path, started_ray: bool) -> None:
    for r in runs.values():
        r.stopping = True
        r.go.set()
    shutil.rmtree(folder, ignore_errors=True)
    if started_ray:
        import ray

        for r in runs.values():
            r.thread.join(timeout=30)
        ray.shutdown()


def _ratios(turns: dict, runs: dict, pong: bool) -> dict:
    """Each contender's merged result and its ratios against the faster raw layout (and the seed's loop)."""
    results = {k: _merge(v) for k, v in turns.items()}
    cluster = {}
    for k, r in runs.items():
        results[k].bytes_per_step = r.result.peak_step_bytes if r.result else None
        if r.result is not None and r.result.cluster:
            cluster[k] = r.result.cluster
    raw_key = max(("raw1", "rawk"), key=lambda k: results[k].fps)  # the faster raw layout
    med = lambda a, b: float(np.median([x.fps / y.fps for x, y in zip(turns[a], turns[b])]))  # noqa: E731
    ratios = {}
    for k in runs:
        # A turn's useful steps are lumpy (a REINFORCE game counts when it ends, maybe turns later),
        # so per turn only the emulated pace is compared; the useful share is the whole run's.
        share = results[k].useful / results[k].steps if results[k].steps else 0.0
        pace = med(k, raw_key)
        ratios[k] = {"emulated_vs_raw": pace, "useful_vs_raw": pace * share,
                     "useful_vs_seed": med(k, "seed") * share if pong else None, "thrown_away": 1 - share,
                     "whole_run_useful_vs_raw": results[k].useful_fps / results[raw_key].fps}
    return {"results": results, "raw": results[raw_key], "ratios": ratios, "cluster": cluster}

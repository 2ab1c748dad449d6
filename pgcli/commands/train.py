"""One training session: a thin layer over `Trainer` that reads and writes the run's files.

`train(overrides, output, Budget(steps=...), saving=..., where=..., hooks=...)` merges a resumed
checkpoint's settings with the flags and hands the run to a `Session`, which picks the experience
source (the games here, or Ray rollout workers), holds the lock, writes the metrics CSV and
checkpoints, and turns signals into a stop. Nothing here prints; progress and warnings go to the
caller's `Hooks`. Promises (docs/checkpoints.md): a checkpoint every `Saving.every` episodes and at the end,
while the games go on; SIGINT/SIGTERM save the state at that moment; a failed save keeps the state
in memory and is retried at the next save; a write never leaves a half file.
"""

from __future__ import annotations

import math
import os
import signal
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable

from pgcli.base.config import Config
from pgcli.base.envs import make_env
from pgcli.base.errors import ClusterLost, PgcliError, Stopped
from pgcli.base.run_spec import RunSpec, resolve
from pgcli.commands.train_options import Budget, Hooks, Saving, TrainResult, Where, describe
from pgcli.core.trainer import Counters, EpisodeStats, Trainer
from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.files.metrics import MetricsWriter, metrics_path, trim_metrics
from pgcli.files.run_files import Saver, Snapshots, claim_output, output_lock, probe_writable


def to_checkpoint(cfg: Config, env: dict, trainer: Trainer, into: dict | None = None) -> Checkpoint:
    """A snapshot of the training state (arrays copied: training may go on while it is written).

    `into` holds the buffers of the last snapshot: they are reused (fresh arrays cost page faults:
    measured in the loop on this project's VM, 117 ms for the first save and 28 ms for later ones,
    against 20 and 12 ms into warm buffers), so it must not be in use (wait for its write first)."""
    arrays, meta = trainer.state_dict(into)
    return Checkpoint(config=cfg, env=env, arrays=arrays, meta=meta)


def from_checkpoint(ckpt: Checkpoint, spec: RunSpec) -> tuple[Trainer, bool]:
    """-> (trainer, exact). A Karpathy file, an export or another optimizer or algorithm gives
    fresh optimizer state (its step count starting at 0)."""
    cfg, game = spec.config, spec.game
    ours = ckpt.source == "pgcli"  # not Karpathy's file: it has counters and (unless an export) optimizer state
    same = ours and ckpt.config.algo == cfg.algo and ckpt.config.optimizer == cfg.optimizer
    trained_on = ckpt.game
    if trained_on != game.name:
        raise PgcliError(f"{ckpt.source if ckpt.source != 'pgcli' else 'the checkpoint'} plays {trained_on}; "
                         f"it cannot go on training on {game.name} (start a new run for it)")
    try:
        return Trainer.from_state(spec, ckpt.arrays, ckpt.meta if ours else None, optimizer=same)
    except PgcliError as e:
        raise PgcliError(f"{ckpt.source}: {e}") from None


@contextmanager
def stop_on_signals():
    """SIGINT/SIGTERM set a flag that the loop checks between steps (never mid-save)."""
    caught: list[int] = []
    handler = lambda signum, frame: caught.append(signum)  # noqa: E731
    old = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: no signal handling
        pass
    try:
        yield caught
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def train(overrides: dict, output: Path | None = None, budget: Budget = Budget(), *, resume: Path | None = None,
          overwrite: bool = False, preset: str | None = None, saving: Saving = Saving(), where: Where = Where(),
          hooks: Hooks = Hooks()) -> TrainResult:
    """Train (or resume) and checkpoint to `output` (default: the pgcli checkpoint resumed, else
    save.p); `overwrite` lets a new run replace another run's files. `overrides` are the flags
    the user gave."""
    _check_counts(save_every=saving.every, episodes=budget.episodes, steps=budget.steps,
                  snapshot_every=saving.snapshot_every)
    if budget.until_reward is not None and not math.isfinite(budget.until_reward):
        raise PgcliError(f"until reward must be a number, got {budget.until_reward}")
    ckpt = checkpoint.load(resume) if resume is not None else None
    output = Path(output if output is not None else resume if ckpt is not None and ckpt.source == "pgcli" else "save.p")
    spec = resolve(overrides, preset, None if ckpt is None else ckpt.config)  # what this run is, decided once
    _check_where(spec, where)
    session = Session(spec, _trainer(ckpt, spec, hooks.on_event), output, saving, hooks)

    def claim() -> None:
        claim_output(output, resume, None if ckpt is None else ckpt.source, overwrite)
        hooks.on_start(session.counters, describe(spec, output, resume, session.counters.episode, where))

    return session.run(budget, where, claim, trim_to=None if ckpt is None else session.counters.episode)


class Session:
    """One training session: the trainer's loop with its files (checkpoints, metrics, snapshots,
    TensorBoard), its experience source and its stop."""

    def __init__(self, spec: RunSpec, trainer: Trainer, output: Path, saving: Saving, hooks: Hooks):
        self.spec, self.trainer, self.output, self.saving, self.hooks = spec, trainer, output, saving, hooks
        self.counters = trainer.counters
        self.buffers: dict = {}  # the saves' arrays, made once and reused by every save
        self.metrics = self.tb = self.snaps = None

    def snapshot(self, into: dict | None = None) -> Checkpoint:
        return to_checkpoint(self.spec.config, self.spec.settings.to_dict(), self.trainer, into)

    def run(self, budget: Budget, where: Where, claim: Callable[[], None], trim_to: int | None) -> TrainResult:
        """Hold the lock, open the files and the games, train until the budget's stop, save."""
        counters, trainer, output = self.counters, self.trainer, self.output
        steps0, cpu0 = counters.steps, time.process_time()
        target = None if budget.episodes is None else counters.episode + budget.episodes
        probe_writable(output, need_bytes=checkpoint.nbytes(self.snapshot(self.buffers)))
        with output_lock(output), stop_on_signals() as caught, ExitStack() as closing:  # closed last to first
            claim()
            for stale in output.parent.glob(f".{output.name}.*.tmp{output.suffix}"):  # left by a killed save
                stale.unlink(missing_ok=True)
            trim_metrics(metrics_path(output), trim_to)
            self._open(closing, where)
            saver = Saver(output, self.hooks.on_event, lambda: self.snapshot(self.buffers))
            should_stop = _stop_rule(self.spec.config, counters, lambda: bool(caught) or budget.stop(), budget)
            try:
                finished = trainer.run(target, self._episode_done, should_stop, saver.save_async, self.saving.every)
            except ClusterLost as e:
                saver.save_now()
                raise PgcliError(f"{e}; saved {output} (continue with --resume {output})") from None
            finally:
                saver.wait()
            if self.snaps is not None and self.snaps.due(counters.steps):  # a mark reached by the stop itself
                self._keep_agent()
            saver.save_now()
            if not finished and caught:
                name = signal.Signals(caught[0]).name
                raise Stopped(f"stopped by {name} at episode {counters.episode}; saved {output} "
                              f"(continue with: pgcli train --resume {output})", caught[0])
        cluster_stats = trainer.source.stats(time.process_time() - cpu0) if where.remote else None
        return TrainResult(counters.episode, counters.running_reward, counters.seconds, counters.steps,
                           output, metrics_path(output), trainer.peak_step_bytes, cluster_stats,
                           counters.steps - steps0, trainer.learned_steps, trainer.salvaged_steps)

    def _open(self, closing: ExitStack, where: Where) -> None:
        """The TensorBoard log, the snapshots, the games and the metrics CSV; `closing` closes them."""
        if self.saving.tensorboard is not None:
            from pgcli.commands.tensorboard import TensorBoardLog

            self.tb = TensorBoardLog(self.saving.tensorboard)
            closing.callback(self.tb.close)
        if self.saving.snapshot_every is not None:
            self.snaps = Snapshots(self.output, self.saving.snapshot_every, self.counters.steps, self.hooks.on_event)
        self.trainer.source = _experience_source(self.spec, self.trainer, closing, where, self.hooks.on_event)
        self.metrics = MetricsWriter(metrics_path(self.output))
        closing.callback(self.metrics.close)

    def _keep_agent(self) -> None:
        """A snapshot in fresh arrays (the saver's buffers may be being written)."""
        self.trainer.settle()  # the weights of a finished update, as a save takes them
        self.snaps.take(self.counters.steps, self.snapshot())

    def _episode_done(self, st: EpisodeStats) -> None:
        self.metrics.row(st)
        if self.snaps is not None and self.snaps.due(self.counters.steps):
            self._keep_agent()
        if st.cut:  # a game cut by the stop: a row for its learned steps, no episode to show
            return
        if self.tb is not None:
            self.tb.episode(st, self.trainer.policy.acting_W1())  # settled weights: an update may be running
        self.hooks.on_episode(st)


def _check_counts(**counts: int | None) -> None:
    """Every count given is at least 1 (`save_every=0` -> one line naming it)."""
    for name, n in counts.items():
        if n is not None and n < 1:
            raise PgcliError(f"{name.replace('_', ' ')} must be >= 1, got {n}")


def _check_where(spec: RunSpec, where: Where) -> None:
    """Where the games are played fits the run: a window is local, rollout workers need a fixed frameskip."""
    remote, render = where.remote, where.render
    if remote and render:
        raise PgcliError("--render shows a local game; it cannot be combined with --workers or --ray-address")
    if remote and not isinstance(spec.settings.frameskip, int):
        raise PgcliError(f"rollout workers need a fixed frameskip; {spec.config.env_id} has a random one")
    if render and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise PgcliError("--render needs a display (none found: DISPLAY is not set)")


def _trainer(ckpt: Checkpoint | None, spec: RunSpec, on_event: Callable[[str], None]) -> Trainer:
    """A new run's trainer, or a resumed one's with the checkpoint's weights, optimizer and counters."""
    cfg = spec.config
    if ckpt is None:
        trainer = Trainer(spec)
    else:
        trainer, exact = from_checkpoint(ckpt, spec)
        if not exact:
            on_event(f"resuming from {ckpt.source} weights with fresh optimizer state")
    if cfg.lr_anneal_steps and trainer.counters.steps >= cfg.lr_anneal_steps:
        raise PgcliError(f"this run's learning rate fell to 0 at agent step {cfg.lr_anneal_steps:,} (--lr-anneal-steps); "
                         f"to go on, give a larger --lr-anneal-steps (or 0: constant)")
    return trainer


def _experience_source(spec: RunSpec, trainer: Trainer, closing: ExitStack, where: Where,
                       on_event: Callable[[str], None]):
    """The games here (`--render`: one, in a window; the saved config keeps --num-envs) or in Ray
    rollout workers; `closing` closes them (and a Ray it started) when the session ends."""
    render, workers = where.render, where.n_workers
    if not where.remote:
        env = make_env(spec.settings, 1 if render else spec.config.num_envs, render_mode="human" if render else None)
        closing.callback(env.close)
        return trainer.collector(env)
    from pgcli.cluster import remote as cluster

    if cluster.connect(where.ray_address, workers):  # a Ray this session started: shut it down after
        import ray

        closing.callback(ray.shutdown)
    source = cluster.RemoteCollector(spec, trainer.policy, trainer.algo.wants, workers,
                                     where.worker_timeout or cluster.WORKER_TIMEOUT, on_event)
    closing.callback(source.close)
    return source


def _stop_rule(cfg: Config, counters: Counters, asked: Callable[[], bool], budget: Budget) -> Callable[[], bool]:
    """When the loop stops: asked to (a signal, `budget.stop`), at the budget's end, or at the
    annealed learning rate's end (past it nothing more would be learned)."""
    until_reward = budget.until_reward
    t_end = None if budget.seconds is None else counters.seconds + budget.seconds
    s_end = None if budget.steps is None else counters.steps + budget.steps
    if cfg.lr_anneal_steps:
        s_end = cfg.lr_anneal_steps if s_end is None else min(s_end, cfg.lr_anneal_steps)
    return lambda: (asked() or (t_end is not None and counters.seconds >= t_end)
                    or (s_end is not None and counters.steps >= s_end)
                    or (until_reward is not None and counters.running_reward is not None
                        and counters.running_reward >= until_reward))

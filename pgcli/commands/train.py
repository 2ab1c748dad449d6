"""One training session: a thin layer over `Trainer` that reads and writes the run's files.

It merges a resumed checkpoint's settings with the flags, picks the experience source (the games
here, or Ray rollout workers), holds the lock, writes the metrics CSV and checkpoints, and turns
signals into a stop. Nothing here prints; progress and warnings go to the callbacks the CLI
passes in. Promises (docs/checkpoints.md): a checkpoint every `save_every` episodes and at the end,
while the games go on; SIGINT/SIGTERM save the state at that moment; a failed save keeps the state
in memory and is retried at the next save; a write never leaves a half file.
"""

from __future__ import annotations

import math
import os
import signal
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pgcli.base import games
from pgcli.base.config import SAVE_EVERY, WORKERS, Config
from pgcli.core.trainer import Counters, EpisodeStats, Trainer
from pgcli.base.envs import make_env
from pgcli.base.errors import ClusterLost, PgcliError, Stopped
from pgcli.base.run_spec import RunSpec, resolve
from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.files.metrics import MetricsWriter, metrics_path, trim_metrics
from pgcli.files.run_files import Saver, Snapshots, claim_output, output_lock, probe_writable


@dataclass
class TrainResult:
    episodes: int
    running_reward: float | None
    seconds: float
    steps: int
    output: Path
    metrics: Path
    peak_step_bytes: int
    cluster: dict | None = None  # with rollout workers: per-step costs of learner and workers
    session_steps: int = 0  # agent steps emulated in this session
    learned_steps: int = 0  # of which entered a gradient (finished games, salvaged points, PPO rollouts)
    salvaged_steps: int = 0  # of which from games in flight at the stop (REINFORCE)


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


def train(
    overrides: dict,
    output: Path | None = None,
    episodes: int | None = None,
    save_every: int = SAVE_EVERY,
    resume: Path | None = None,
    render: bool = False,
    preset: str | None = None,
    max_seconds: float | None = None,
    max_steps: int | None = None,
    until_reward: float | None = None,
    tensorboard: Path | None = None,
    stop: Callable[[], bool] = lambda: False,
    workers: int | None = None,
    ray_address: str | None = None,
    on_episode: Callable[[EpisodeStats], None] = lambda s: None,
    on_event: Callable[[str], None] = lambda msg: None,
    on_start: Callable[[Counters, str], None] = lambda counters, line: None,
    overwrite: bool = False,
    worker_timeout: float | None = None,
    snapshot_every: int | None = None,
) -> TrainResult:
    """Train (or resume) and checkpoint to `output` (default: the pgcli checkpoint resumed, else
    save.p); `overwrite` lets a new run replace another run's files. `overrides` are the flags
    the user gave. `on_start` gets the counters the run starts from and a line saying what it trains;
    `snapshot_every` keeps the agent at every that many agent steps beside `output` (`Snapshots`);
    `until_reward` stops the run once its running reward reaches it."""
    _check_counts(save_every=save_every, episodes=episodes, steps=max_steps, snapshot_every=snapshot_every)
    if until_reward is not None and not math.isfinite(until_reward):
        raise PgcliError(f"until reward must be a number, got {until_reward}")
    ckpt = checkpoint.load(resume) if resume is not None else None
    output = Path(output if output is not None else resume if ckpt is not None and ckpt.source == "pgcli" else "save.p")
    spec = resolve(overrides, preset, None if ckpt is None else ckpt.config)  # what this run is, decided once
    cfg, settings = spec.config, spec.settings
    remote = workers is not None or ray_address is not None
    _check_where(spec, render, remote)
    trainer = _trainer(ckpt, spec, on_event)
    counters = trainer.counters
    steps0, cpu0 = counters.steps, time.process_time()
    target = None if episodes is None else counters.episode + episodes
    buffers: dict = {}  # the snapshots' arrays, made once here and reused by every save
    snapshot = lambda: to_checkpoint(cfg, settings.to_dict(), trainer, buffers)  # noqa: E731
    probe_writable(output, need_bytes=checkpoint.nbytes(snapshot()))
    mpath = metrics_path(output)
    with output_lock(output), stop_on_signals() as caught, ExitStack() as closing:  # closed last to first
        claim_output(output, resume, None if ckpt is None else ckpt.source, overwrite)
        on_start(counters, describe(cfg, settings, output, resume, counters.episode, workers, ray_address))
        for stale in output.parent.glob(f".{output.name}.*.tmp{output.suffix}"):  # left by a killed save
            stale.unlink(missing_ok=True)
        trim_metrics(mpath, None if ckpt is None else counters.episode)
        tb = None
        if tensorboard is not None:
            from pgcli.commands.tensorboard import TensorBoardLog

            tb = TensorBoardLog(tensorboard)
            closing.callback(tb.close)
        saver = Saver(output, on_event, snapshot)
        snaps = None if snapshot_every is None else Snapshots(output, snapshot_every, counters.steps, on_event)
        trainer.source = _experience_source(spec, trainer, closing, render, workers, ray_address, worker_timeout, on_event)
        metrics = MetricsWriter(mpath)
        closing.callback(metrics.close)

        def keep_agent() -> None:  # in fresh arrays: the saver's buffers may be being written
            trainer.settle()  # the weights of a finished update, as a save takes them
            snaps.take(counters.steps, to_checkpoint(cfg, settings.to_dict(), trainer))

        def episode_done(st: EpisodeStats) -> None:
            metrics.row(st)
            if snaps is not None and snaps.due(counters.steps):
                keep_agent()
            if st.cut:  # a game cut by the stop: a row for its learned steps, no episode to show
                return
            if tb is not None:
                tb.episode(st, trainer.policy.acting_W1())  # settled weights: an update may be running
            on_episode(st)

        should_stop = _stop_rule(cfg, counters, lambda: bool(caught) or stop(), max_seconds, max_steps, until_reward)
        try:
            finished = trainer.run(target, episode_done, should_stop, saver.save_async, save_every)
        except ClusterLost as e:
            saver.save_now()
            raise PgcliError(f"{e}; saved {output} (continue with --resume {output})") from None
        finally:
            saver.wait()
        if snaps is not None and snaps.due(counters.steps):  # a mark reached by the stop itself
            keep_agent()
        saver.save_now()
        if not finished and caught:
            name = signal.Signals(caught[0]).name
            raise Stopped(f"stopped by {name} at episode {counters.episode}; saved {output} "
                          f"(continue with: pgcli train --resume {output})", caught[0])
    cluster_stats = trainer.source.stats(time.process_time() - cpu0) if remote else None
    return TrainResult(counters.episode, counters.running_reward, counters.seconds, counters.steps,
                       output, mpath, trainer.peak_step_bytes, cluster_stats,
                       counters.steps - steps0, trainer.learned_steps, trainer.salvaged_steps)


def _check_counts(**counts: int | None) -> None:
    """Every count given is at least 1 (`save_every=0` -> one line naming it)."""
    for name, n in counts.items():
        if n is not None and n < 1:
            raise PgcliError(f"{name.replace('_', ' ')} must be >= 1, got {n}")


def _check_where(spec: RunSpec, render: bool, remote: bool) -> None:
    """Where the games are played fits the run: a window is local, rollout workers need a fixed frameskip."""
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


def _experience_source(spec: RunSpec, trainer: Trainer, closing: ExitStack, render: bool, workers: int | None,
                       ray_address: str | None, worker_timeout: float | None, on_event: Callable[[str], None]):
    """The games here (`--render`: one, in a window; the saved config keeps --num-envs) or in Ray
    rollout workers; `closing` closes them (and a Ray it started) when the session ends."""
    if workers is None and ray_address is None:
        env = make_env(spec.settings, 1 if render else spec.config.num_envs, render_mode="human" if render else None)
        closing.callback(env.close)
        return trainer.collector(env)
    from pgcli.cluster import remote as cluster

    if cluster.connect(ray_address, workers or WORKERS):  # a Ray this session started: shut it down after
        import ray

        closing.callback(ray.shutdown)
    source = cluster.RemoteCollector(spec, trainer.policy, trainer.algo.wants, workers or WORKERS,
                                     worker_timeout or cluster.WORKER_TIMEOUT, on_event)
    closing.callback(source.close)
    return source


def _stop_rule(cfg: Config, counters: Counters, asked: Callable[[], bool], max_seconds: float | None,
               max_steps: int | None, until_reward: float | None = None) -> Callable[[], bool]:
    """When the loop stops: asked to (a signal, the caller), `max_seconds` or `max_steps` more, the
    running reward at `until_reward`, or the annealed learning rate's end (past it nothing more
    would be learned)."""
    t_end = None if max_seconds is None else counters.seconds + max_seconds
    s_end = None if max_steps is None else counters.steps + max_steps
    if cfg.lr_anneal_steps:
        s_end = cfg.lr_anneal_steps if s_end is None else min(s_end, cfg.lr_anneal_steps)
    return lambda: (asked() or (t_end is not None and counters.seconds >= t_end)
                    or (s_end is not None and counters.steps >= s_end)
                    or (until_reward is not None and counters.running_reward is not None
                        and counters.running_reward >= until_reward))


def describe(cfg: Config, settings, output: Path, resume: Path | None, episode: int,
             workers: int | None = None, ray_address: str | None = None) -> str:
    """The run in one line: game and controls, algorithm, input, optimizer, games, where it saves."""
    sticky = settings.repeat_action_probability
    controls = f"sticky actions {sticky:g}" if sticky else "exact controls"
    lives = cfg.episodic_life and games.has_lives(settings.game)  # Pong has none: nothing to say
    algo = ("PPO" + (" (a lost life ends the return)" if lives else "")) if cfg.algo == "ppo" else "REINFORCE"
    if cfg.noop and settings.game == "pong":
        algo += " with NOOP, DOWN and UP"
    if cfg.algo == "ppo" and cfg.trust_region == "start":
        algo += ", its trust region centred on each update's start"
    opt = "Adam" if cfg.optimizer == "adam" else "RMSProp"
    n = workers or WORKERS
    where = (f"in {n} Ray rollout worker{'s' if n > 1 else ''}" + (f" at {ray_address}" if ray_address else "")
             if workers is not None or ray_address is not None else "side by side")
    start = f"; continuing {resume} from episode {episode}" if resume is not None else ""
    seen = cfg.input_spec.describe() + (" (each frame the max of a step's last two)" if settings.maxpool else "")
    lr = f"lr {cfg.learning_rate:g}" + (f" falling to 0 at agent step {cfg.lr_anneal_steps:,} (the end)" if cfg.lr_anneal_steps else "")
    if cfg.algo == "ppo" and cfg.ent_anneal:
        lr += f", the entropy bonus {cfg.ent_coef:g} with it"
    return (f"training {algo} on {settings.env_id} ({controls}); input {seen}, "
            f"{cfg.hidden} hidden units; {opt} {lr}; {cfg.num_envs} games {where}; "
            f"saving to {output}{start}")

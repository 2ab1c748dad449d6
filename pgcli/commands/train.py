"""One training session: resume, lock, checkpoint, metrics CSV and signals around `Trainer`.

Nothing here prints; progress and warnings go to the callbacks the CLI passes in.
Promises (docs/checkpoints.md): a checkpoint every `save_every` episodes and at the end, while
the games go on (the state is copied in the loop, encoded and written by a background thread);
SIGINT/SIGTERM save the state at that moment before exiting; a failed save keeps the state in
memory and is retried at the next save; a write never leaves a half file.
"""

from __future__ import annotations

import csv
import fcntl
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.config import PPO_LEARNING_RATE, Config, for_new_run
from pgcli.envs import env_settings, make_env
from pgcli.errors import PgcliError, Stopped
from pgcli.core.network import MODEL_KEYS, VALUE_KEYS, Policy
from pgcli.core.trainer import Counters, EpisodeStats, Trainer

METRICS_FIELDS = ["episode", "steps", "reward", "running_reward", "won", "lost", "seconds",
                  "total_steps", "updates", "value_loss", "approx_kl", "clip_frac", "entropy", "epochs", "cut"]
UPDATE_FIELDS = METRICS_FIELDS[9:14]  # the last update's statistics (PPO); empty for REINFORCE


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


def metrics_path(output: Path) -> Path:
    """save.p -> save.metrics.csv, beside the checkpoint."""
    return output.with_name(output.stem + ".metrics.csv")


def to_checkpoint(cfg: Config, env: dict, trainer: Trainer, into: dict | None = None) -> Checkpoint:
    """A snapshot of the training state (arrays copied: training may go on while it is written).

    `into` holds the buffers of the last snapshot: they are reused (fresh arrays cost page faults:
    measured in the loop on this project's VM, 117 ms for the first save and 28 ms for later ones,
    against 20 and 12 ms into warm buffers), so it must not be in use (wait for its write first)."""
    into = {} if into is None else into
    algo_arrays, algo_meta = trainer.algo.state_dict()
    arrays = {}
    for k, v in {**trainer.policy.params, **algo_arrays}.items():
        buf = into.get(k)
        if buf is None or buf.shape != v.shape or buf.dtype != v.dtype:
            buf = into[k] = np.empty(v.shape, v.dtype)  # C order: written to the file as it is
        np.copyto(buf, v)
        arrays[k] = buf
    meta = {**asdict(trainer.counters), **algo_meta, "rng": trainer.rng.bit_generator.state}
    return Checkpoint(config=cfg, env=env, arrays=arrays, meta=meta)


def from_checkpoint(ckpt: Checkpoint, cfg: Config, make_trainer=Trainer) -> tuple[Trainer, bool]:
    """-> (trainer, exact). A Karpathy file, an export or another optimizer or algorithm gives
    fresh optimizer state (its step count starting at 0)."""
    params = {k: ckpt.arrays[k] for k in MODEL_KEYS + VALUE_KEYS if k in ckpt.arrays}
    counters = Counters()
    meta = ckpt.meta
    if ckpt.source == "pgcli":
        try:
            counters = Counters(int(meta.get("episode", 0)), int(meta.get("updates", 0)), None,
                                int(meta.get("steps", 0)), float(meta.get("seconds", 0.0)))
            rr = meta.get("running_reward")
            counters.running_reward = None if rr is None else float(rr)
        except (TypeError, ValueError):
            raise PgcliError(f"{ckpt.source}: checkpoint metadata is malformed") from None
    trainer = make_trainer(cfg, None, Policy(params), np.random.default_rng(cfg.seed), counters)
    same = ckpt.source == "pgcli" and ckpt.config.algo == cfg.algo and ckpt.config.optimizer == cfg.optimizer
    exact = same and trainer.algo.load_state_dict(ckpt.arrays, meta, counters.episode, counters.updates)
    if exact:
        try:
            trainer.rng.bit_generator.state = meta["rng"]
        except (KeyError, TypeError, ValueError):
            raise PgcliError("checkpoint RNG state is malformed") from None
    return trainer, exact


class Saver:
    """Writes checkpoints off the hot path: `save_async` takes a snapshot and hands it to a thread
    (one at a time); `save_now` waits for it and writes in the caller. Atomic either way.
    `snapshot()` may build each checkpoint in the buffers of the last one (see `to_checkpoint`):
    each save first waits for the previous write, so a buffer is never changed while it is written."""

    def __init__(self, output: Path, on_event: Callable[[str], None], snapshot: Callable[[], Checkpoint]):
        self.output, self.on_event, self.snapshot = output, on_event, snapshot
        self.thread: threading.Thread | None = None
        self.error: Exception | None = None

    def _write(self, ckpt: Checkpoint) -> None:
        try:
            checkpoint.save(self.output, ckpt)
        except Exception as e:  # any failure is reported by `wait` and the save retried; the thread never dies loud
            self.error = e

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            e, self.error = self.error, None
            why = e.strerror if isinstance(e, OSError) and e.strerror else f"{type(e).__name__}: {e}"
            self.on_event(f"warning: could not save {self.output} ({why}); will retry at the next save")

    def save_async(self) -> None:
        self.wait()
        ckpt = self.snapshot()
        self.thread = threading.Thread(target=self._write, args=(ckpt,), name="pgcli-save", daemon=False)
        self.thread.start()

    def save_now(self) -> None:
        self.wait()
        try:
            checkpoint.save(self.output, self.snapshot())
        except OSError as e:
            raise PgcliError(f"{self.output}: could not save the checkpoint ({e.strerror})") from None


@contextmanager
def output_lock(output: Path):
    """Hold an exclusive lock on `<output>.lock` so two runs never write the same checkpoint;
    the file goes when the run ends. A stale one (a killed run) holds no lock and blocks nothing."""
    lock = output.with_name(output.name + ".lock")
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as e:
            raise PgcliError(f"{output.parent}: cannot write there ({e.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PgcliError(f"{output}: another pgcli train is writing this checkpoint") from None
        try:  # the run before may have removed the file between our open and our lock: lock the new one
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)  # while still locked, so no other run holds a lock on it
        os.close(fd)


def claim_output(output: Path, resume: Path | None, source: str | None, overwrite: bool) -> None:
    """A run never replaces another run's checkpoint or metrics without being told to: it may
    write to the checkpoint it resumes, or anywhere with `overwrite` (the metrics start anew)."""
    mpath = metrics_path(output)
    resumed_here = resume is not None and output.exists() and os.path.samefile(output, resume)
    if resumed_here and source != "pgcli":
        raise PgcliError(f"{output}: would replace this {source} file with a pgcli checkpoint; "
                         "save the run elsewhere with -o")
    if resumed_here or overwrite:
        if overwrite and not resumed_here:
            mpath.unlink(missing_ok=True)  # one metrics file holds one run
        return
    taken = next((p for p in (output, mpath) if p.exists()), None)
    if taken is not None:
        how = (f"continue it with --resume {output}, " if taken == output and resume is None else "")
        raise PgcliError(f"{taken} holds another run: {how}keep it by saving to another -o, "
                         "or replace it with --overwrite")


def probe_writable(output: Path, need_bytes: int) -> None:
    """Write and delete a probe as large as one checkpoint, so a full disk shows up now."""
    if output.is_dir():
        raise PgcliError(f"{output}: is a directory, expected a checkpoint file name")
    if not output.parent.is_dir():
        raise PgcliError(f"{output.parent}: no such directory")
    probe = output.with_name(f".{output.name}.probe")
    try:
        with open(probe, "wb") as f:
            f.write(b"\0" * need_bytes)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise PgcliError(f"{output}: cannot write a checkpoint there ({e.strerror})") from None
    finally:
        probe.unlink(missing_ok=True)


def trim_metrics(path: Path, episode: int | None) -> None:
    """On resume, drop metrics rows of episodes after the checkpoint (their learning was lost);
    and write today's header (a file from an older version gains the empty `cut` column)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if episode is None and reader.fieldnames == METRICS_FIELDS:
            return  # nothing to change
        rows = [r for r in reader if r.get("episode", "").isdigit() and (episode is None or int(r["episode"]) <= episode)]
    lines = [",".join(METRICS_FIELDS)] + [",".join(r.get(k, "") or "" for k in METRICS_FIELDS) for r in rows]
    checkpoint.atomic_write(path, ("\n".join(lines) + "\n").encode())


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
    save_every: int = 100,
    resume: Path | None = None,
    render: bool = False,
    preset: str | None = None,
    max_seconds: float | None = None,
    tensorboard: Path | None = None,
    stop: Callable[[], bool] = lambda: False,
    workers: int | None = None,
    ray_address: str | None = None,
    on_episode: Callable[[EpisodeStats], None] = lambda s: None,
    on_event: Callable[[str], None] = lambda msg: None,
    on_start: Callable[[Counters, str], None] = lambda counters, line: None,
    overwrite: bool = False,
) -> TrainResult:
    """Train (or resume) and checkpoint to `output` (default: the pgcli checkpoint resumed, else
    save.p); `overwrite` lets a new run replace another run's files. `overrides` are the flags
    the user gave. `on_start` gets the counters the run starts from and a line saying what it trains."""
    if save_every < 1:
        raise PgcliError(f"save every must be >= 1, got {save_every}")
    if episodes is not None and episodes < 1:
        raise PgcliError(f"episodes must be >= 1, got {episodes}")
    ckpt = checkpoint.load(resume) if resume is not None else None
    output = Path(output if output is not None else resume if ckpt is not None and ckpt.source == "pgcli" else "save.p")
    if ckpt is not None:
        if preset is not None:
            raise PgcliError("--preset applies to new runs; a resumed run keeps its checkpoint's settings")
        base = ckpt.config.to_dict()
        if "hidden" in overrides and overrides["hidden"] != base["hidden"]:
            raise PgcliError(f"--hidden {overrides['hidden']} does not match the checkpoint's {base['hidden']}")
        if overrides.get("algo", base["algo"]) == "ppo" and base["algo"] != "ppo":
            base.update(optimizer="adam", learning_rate=overrides.get("learning_rate", PPO_LEARNING_RATE))
        cfg = Config(**{**base, **overrides}).validate()
    else:
        cfg = for_new_run(overrides, preset)
    settings = env_settings(cfg.env_id, cfg.sticky_actions)
    make_trainer = Trainer
    remote = workers is not None or ray_address is not None
    if remote:
        if render:
            raise PgcliError("--render shows a local game; it cannot be combined with --workers or --ray-address")
        if not isinstance(settings.frameskip, int):
            raise PgcliError(f"rollout workers need a fixed frameskip; {cfg.env_id} has a random one")
        from functools import partial

        from pgcli.cluster.learner import RemoteTrainer

        make_trainer = partial(RemoteTrainer, workers=workers or 2, address=ray_address,
                               settings=settings.to_dict(), on_event=on_event)
    if ckpt is not None:
        trainer, exact = from_checkpoint(ckpt, cfg, make_trainer)
        if not exact:
            on_event(f"resuming from {ckpt.source} weights with fresh optimizer state")
    else:
        trainer = make_trainer(cfg, None)
    counters = trainer.counters
    steps0 = counters.steps
    target = None if episodes is None else counters.episode + episodes
    if render and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise PgcliError("--render needs a display (none found: DISPLAY is not set)")
    buffers: dict = {}  # the snapshots' arrays, made once here and reused by every save
    snapshot = lambda: to_checkpoint(cfg, settings.to_dict(), trainer, buffers)  # noqa: E731
    probe_writable(output, need_bytes=checkpoint.nbytes(snapshot()))
    mpath = metrics_path(output)
    with output_lock(output), stop_on_signals() as caught:
        claim_output(output, resume, None if ckpt is None else ckpt.source, overwrite)
        on_start(counters, describe(cfg, settings, output, resume, counters.episode, workers, ray_address))
        for stale in output.parent.glob(f".{output.name}.*.tmp{output.suffix}"):  # left by a killed save
            stale.unlink(missing_ok=True)
        trim_metrics(mpath, None if ckpt is None else counters.episode)
        tb = None
        if tensorboard is not None:
            from pgcli.files.tensorboard import TensorBoardLog

            tb = TensorBoardLog(tensorboard)
        env = None
        saver = Saver(output, on_event, snapshot)
        new_file = not mpath.exists() or mpath.stat().st_size == 0
        try:
            if remote:
                trainer.connect()
            else:  # --render shows one game in a window; it does not change the saved config
                env = make_env(settings, 1 if render else cfg.num_envs, render_mode="human" if render else None)
                trainer.env = env
            with open(mpath, "a", newline="") as mf:
                writer = csv.writer(mf)
                if new_file:
                    writer.writerow(METRICS_FIELDS)

                def episode_done(st: EpisodeStats) -> None:
                    upd = [_fmt(st.update.get(k)) for k in UPDATE_FIELDS]
                    rr = "" if st.running_reward is None else f"{st.running_reward:.6f}"
                    writer.writerow([st.episode, st.steps, st.reward, rr, st.won, st.lost, f"{st.seconds:.3f}",
                                     st.total_steps, st.updates, *upd, int(st.cut)])
                    mf.flush()
                    if st.cut:  # a game cut by the stop: a row for its learned steps, no episode to show
                        return
                    if tb is not None:
                        tb.episode(st, trainer.policy.acting_W1())  # settled weights: an update may be running
                    on_episode(st)

                def periodic_save() -> None:  # its time in the loop is counted by the loop's clock
                    saver.save_async()

                t_end = None if max_seconds is None else counters.seconds + max_seconds
                should_stop = lambda: bool(caught) or stop() or (t_end is not None and counters.seconds >= t_end)  # noqa: E731
                try:
                    finished = trainer.run(target, episode_done, should_stop, periodic_save, save_every)
                except PgcliError as e:
                    if type(e).__name__ != "ClusterLost":
                        raise
                    saver.save_now()
                    raise PgcliError(f"{e}; saved {output} (continue with --resume {output})") from None
                finally:
                    saver.wait()
                saver.save_now()
                if not finished and caught:
                    name = signal.Signals(caught[0]).name
                    raise Stopped(
                        f"stopped by {name} at episode {counters.episode}; saved {output} "
                        f"(continue with: pgcli train --resume {output})", caught[0])
        finally:
            if env is not None:
                env.close()
            elif remote:
                trainer.close()
            if tb is not None:
                tb.close()
    return TrainResult(counters.episode, counters.running_reward, counters.seconds, counters.steps,
                       output, mpath, trainer.peak_step_bytes, trainer.stats() if remote else None,
                       counters.steps - steps0, trainer.learned_steps, trainer.salvaged_steps)


def describe(cfg: Config, settings, output: Path, resume: Path | None, episode: int,
             workers: int | None = None, ray_address: str | None = None) -> str:
    """The run in one line: game and controls, algorithm, input, optimizer, games, where it saves."""
    sticky = settings.repeat_action_probability
    controls = f"sticky actions {sticky:g}" if sticky else "exact controls"
    algo = "PPO" if cfg.algo == "ppo" else "REINFORCE"
    opt = "Adam" if cfg.optimizer == "adam" else "RMSProp"
    where = (f"in {workers or 2} Ray rollout workers" + (f" at {ray_address}" if ray_address else "")
             if workers is not None or ray_address is not None else "side by side")
    start = f"; continuing {resume} from episode {episode}" if resume is not None else ""
    return (f"training {algo} on {settings.env_id} ({controls}); input 80x80 difference frames, "
            f"{cfg.hidden} hidden units; {opt} lr {cfg.learning_rate:g}; {cfg.num_envs} games {where}; "
            f"saving to {output}{start}")


def _fmt(v) -> str:
    if v is None:
        return ""
    return str(v) if isinstance(v, int) else f"{v:.6g}"

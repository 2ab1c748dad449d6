"""One training session: resume, lock, checkpoint, metrics CSV and signals around `Trainer`.

Nothing here prints; progress and warnings go to the callbacks the CLI passes in.
Promises (README "Checkpoints"): a checkpoint every `save_every` episodes and at the end;
SIGINT/SIGTERM save the state of the last finished episode before exiting; a failed save
keeps the state in memory and is retried at the next save; a write never leaves a half file.
"""

from __future__ import annotations

import csv
import fcntl
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from pgcli import checkpoint
from pgcli.checkpoint import Checkpoint
from pgcli.config import Config
from pgcli.envs import env_settings, make_env
from pgcli.errors import PgcliError
from pgcli.trainer import EpisodeStats, Trainer, new_state

METRICS_FIELDS = ["episode", "steps", "reward", "running_reward", "won", "lost", "seconds",
                  "total_steps", "updates"]


class Interrupted(PgcliError):
    """Training stopped by a signal after saving; exit code 128 + signal number."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_code = 128 + signum


@dataclass
class TrainResult:
    episodes: int
    running_reward: float | None
    seconds: float
    steps: int
    output: Path
    metrics: Path
    peak_step_bytes: int


def metrics_path(output: Path) -> Path:
    """save.p -> save.metrics.csv, beside the checkpoint."""
    return output.with_name(output.stem + ".metrics.csv")


def state_to_checkpoint(cfg: Config, env: dict, s: dict) -> Checkpoint:
    arrays = dict(s["model"])
    arrays.update({f"grad_{k}": v for k, v in s["grad"].items()})
    for name, d in s["opt"].items():
        arrays.update({f"{name}_{k}": v for k, v in d.items()})
    meta = {k: s[k] for k in ("episode", "updates", "running_reward", "steps", "seconds")}
    meta["rng"] = s["rng"].bit_generator.state
    return Checkpoint(config=cfg, env=env, arrays=arrays, meta=meta)


def state_from_checkpoint(ckpt: Checkpoint, cfg: Config) -> tuple[dict, bool]:
    """-> (state, exact). A Karpathy file or another optimizer gives fresh optimizer state."""
    s = new_state(cfg)
    s["model"] = {k: v.copy() for k, v in ckpt.model.items()}
    a, meta = ckpt.arrays, ckpt.meta
    names = [f"{o}_{k}" for o in s["opt"] for k in ("W1", "W2")] + ["grad_W1", "grad_W2"]
    exact = ckpt.source == "pgcli" and all(n in a for n in names) and ckpt.config.optimizer == cfg.optimizer
    if ckpt.source == "pgcli":
        try:
            for k in ("episode", "updates", "steps"):
                s[k] = int(meta.get(k, 0))
            s["seconds"] = float(meta.get("seconds", 0.0))
            rr = meta.get("running_reward")
            s["running_reward"] = None if rr is None else float(rr)
        except (TypeError, ValueError):
            raise PgcliError(f"{ckpt.source}: checkpoint metadata is malformed") from None
    if exact:
        for o in s["opt"]:
            s["opt"][o] = {k: a[f"{o}_{k}"].copy() for k in ("W1", "W2")}
        s["grad"] = {k: a[f"grad_{k}"].copy() for k in ("W1", "W2")}
        try:
            s["rng"].bit_generator.state = meta["rng"]
        except (KeyError, TypeError, ValueError):
            raise PgcliError("checkpoint RNG state is malformed") from None
    return s, exact


@contextmanager
def output_lock(output: Path):
    """Hold an exclusive lock on `<output>.lock` so two runs never write the same checkpoint."""
    lock = output.with_name(output.name + ".lock")
    try:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as e:
        raise PgcliError(f"{output.parent}: cannot write there ({e.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PgcliError(f"{output}: another pgcli train is writing this checkpoint") from None
        yield
    finally:
        os.close(fd)


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


def trim_metrics(path: Path, episode: int) -> None:
    """On resume, drop metrics rows of episodes after the checkpoint (their learning was lost)."""
    if not path.exists():
        return
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("episode", "").isdigit() and int(r["episode"]) <= episode]
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
    output: Path,
    episodes: int | None = None,
    save_every: int = 100,
    resume: Path | None = None,
    render: bool = False,
    on_episode: Callable[[EpisodeStats], None] = lambda s: None,
    on_event: Callable[[str], None] = lambda msg: None,
    on_start: Callable[[int], None] = lambda episode: None,
) -> TrainResult:
    """Train (or resume) and checkpoint to `output`. `overrides` are the flags the user gave."""
    if save_every < 1:
        raise PgcliError(f"save every must be >= 1, got {save_every}")
    if episodes is not None and episodes < 1:
        raise PgcliError(f"episodes must be >= 1, got {episodes}")
    output = Path(output)
    ckpt = checkpoint.load(resume) if resume is not None else None
    if ckpt is not None:
        base = ckpt.config.to_dict()
        if "hidden" in overrides and overrides["hidden"] != base["hidden"]:
            raise PgcliError(f"--hidden {overrides['hidden']} does not match the checkpoint's {base['hidden']}")
        cfg = Config(**{**base, **overrides}).validate()
    else:
        cfg = Config(**overrides).validate()
    if render:
        cfg.num_envs = 1
    settings = env_settings(cfg.env_id)
    if ckpt is not None:
        state, exact = state_from_checkpoint(ckpt, cfg)
        if not exact:
            on_event(f"resuming from {ckpt.source} weights with fresh optimizer state")
    else:
        state = new_state(cfg)
    target = None if episodes is None else state["episode"] + episodes
    on_start(state["episode"])
    if render and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise PgcliError("--render needs a display (none found: DISPLAY is not set)")
    probe_writable(output, need_bytes=len(checkpoint.encode(state_to_checkpoint(cfg, settings.to_dict(), state))))
    mpath = metrics_path(output)
    with output_lock(output), stop_on_signals() as caught:
        for stale in output.parent.glob(f".{output.name}.*.tmp{output.suffix}"):  # left by a killed save
            stale.unlink(missing_ok=True)
        if ckpt is not None:
            trim_metrics(mpath, state["episode"])
        env = make_env(settings, cfg.num_envs, render_mode="human" if render else None)
        trainer = Trainer(cfg, state, env)
        new_file = not mpath.exists() or mpath.stat().st_size == 0
        try:
            with open(mpath, "a", newline="") as mf:
                writer = csv.writer(mf)
                if new_file:
                    writer.writerow(METRICS_FIELDS)

                def episode_done(st: EpisodeStats) -> None:
                    writer.writerow([st.episode, st.steps, st.reward, f"{st.running_reward:.6f}", st.won,
                                     st.lost, f"{st.seconds:.3f}", st.total_steps, st.updates])
                    mf.flush()
                    on_episode(st)

                def save(final: bool) -> None:
                    t0 = time.perf_counter()
                    try:
                        checkpoint.save(output, state_to_checkpoint(cfg, settings.to_dict(), state))
                        state["seconds"] += time.perf_counter() - t0  # saving is part of training's wall clock
                    except OSError as e:
                        if final:
                            raise PgcliError(f"{output}: could not save the checkpoint ({e.strerror})") from None
                        on_event(f"warning: could not save {output} ({e.strerror}); will retry at the next save")

                while target is None or state["episode"] < target:
                    until = (state["episode"] // save_every + 1) * save_every
                    if target is not None:
                        until = min(until, target)
                    finished = trainer.run_segment(until, episode_done, lambda: bool(caught))
                    if not finished:
                        save(final=True)
                        name = signal.Signals(caught[0]).name
                        raise Interrupted(
                            f"{name}: stopped at episode {state['episode']}; saved {output} "
                            f"(continue with --resume {output})", caught[0])
                    save(final=target is not None and state["episode"] >= target)
        finally:
            env.close()
    return TrainResult(state["episode"], state["running_reward"], state["seconds"], state["steps"],
                       output, mpath, trainer.peak_step_bytes)

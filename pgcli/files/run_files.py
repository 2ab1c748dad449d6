"""The files of a training run, kept safe: the checkpoint written off the hot path and atomically,
the lock that keeps two runs apart, the claim that a new run never replaces another's files, and
a write probe that shows a full disk before training starts (promises: docs/checkpoints.md)."""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.files.metrics import metrics_path


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
    if resumed_here:
        return
    if overwrite:
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


def step_label(steps: int) -> str:
    """1000000 -> '1M', 2500000 -> '2.5M', 500000 -> '500k', 1234 -> '1234' (the snapshots' names)."""
    if steps >= 1_000_000 and steps % 10_000 == 0:
        return f"{steps / 1e6:g}M"
    return f"{steps // 1000}k" if steps % 1000 == 0 else str(steps)


def snapshot_path(output: Path, steps: int) -> Path:
    """`runs/pong.p` at 2M agent steps -> `runs/pong.2M.p`."""
    return output.with_name(f"{output.stem}.{step_label(steps)}{output.suffix}")


class Snapshots:
    """`--snapshot-every N`: the agent as it was at every N agent steps, kept beside the checkpoint
    as a weights-only export (float32: what `pgcli export` writes) that every command reads: watch,
    record or evaluate it at 1M, 2M, ... steps. Taken at the first finished game past each mark (or at
    the stop, if it reaches one), at a settle point, so training goes on exactly as it would without
    them. A failed write is reported and training goes on (the checkpoint keeps the run safe)."""

    def __init__(self, output: Path, every: int, steps_now: int, on_event: Callable[[str], None]):
        self.output, self.every, self.on_event = output, every, on_event
        self.next = (steps_now // every + 1) * every

    def due(self, steps: int) -> bool:
        return steps >= self.next

    def take(self, steps: int, ckpt: Checkpoint) -> Path | None:
        """Write the agent of `ckpt` for the last mark passed; -> its path (None if the write failed)."""
        mark = steps // self.every * self.every
        self.next = mark + self.every
        path = snapshot_path(self.output, mark)
        try:
            checkpoint.save(path, checkpoint.export_weights(ckpt))
        except (OSError, PgcliError) as e:
            self.on_event(f"warning: could not write the snapshot {path} ({getattr(e, 'strerror', None) or e})")
            return None
        self.on_event(f"kept the agent at {mark:,} agent steps: {path}")
        return path

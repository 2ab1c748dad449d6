"""Writes that a failure at any moment leaves as the old file or the new one, never half of one.

The bottom of the files layer: checkpoints, metrics and every output command write through here.
Failures come out as the OSError that caused them (callers say what it means for their file).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path` (same extension, so writers pick the format);
    it replaces `path` only if the block finishes, and is removed if it does not."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # e.g. a folder where nothing can be made: there is nothing to remove
            pass
        raise


def atomic_write(path: Path, data) -> None:
    """Write data (bytes, or a list of buffers written one after another) to path so that a crash
    at any moment leaves either the old or the new file."""
    path = Path(path)
    parts = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)  # make the rename itself durable
        finally:
            os.close(dfd)
    except OSError:
        pass

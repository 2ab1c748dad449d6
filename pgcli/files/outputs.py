"""Files pgcli writes: checked before any work starts, and written so that a failure at any
moment leaves either the old file or the new one, never half of it."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from pgcli.errors import PgcliError


def check_output(path: Path, formats: tuple[str, ...] | None = None, hint: str = "") -> str:
    """Refuse a directory, an unsupported extension or a missing folder; -> lower-case extension."""
    if path.is_dir():
        raise PgcliError(f"{path}: is a directory")
    ext = path.suffix.lower()
    if formats is not None and ext not in formats:
        raise PgcliError(f"{path}: unsupported output format {ext or '(none)'!r}; {hint}")
    if not path.parent.is_dir():
        raise PgcliError(f"{path.parent}: no such directory")
    return ext


@contextmanager
def atomic_output(path: Path):
    """Yield a temporary path beside `path` (same extension, so writers pick the format);
    it replaces `path` only if the block finishes, and is removed if it does not."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export_file(source: Path, output: Path, karpathy: bool = False, dtype: str = "float32") -> tuple[int, str]:
    """`pgcli export`: a weights-only copy of `source` (config and env settings kept), or Karpathy's
    save.p pickle -> (bytes written, what was written)."""
    from pgcli.files import checkpoint

    ck = checkpoint.load(source)
    check_output(output)
    data = checkpoint.karpathy_pickle(ck) if karpathy else checkpoint.encode(checkpoint.export_weights(ck, dtype))
    try:
        checkpoint.atomic_write(output, data)
    except OSError as e:
        raise PgcliError(f"{output}: cannot write ({e.strerror})") from None
    return len(data), "Karpathy save.p" if karpathy else "pgcli weights"

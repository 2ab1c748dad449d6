"""`pgcli export`: a weights-only copy of a checkpoint, or Karpathy's save.p pickle."""

from __future__ import annotations

from pathlib import Path

from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.atomic import atomic_write
from pgcli.files.outputs import check_output


def export_file(source: Path, output: Path, karpathy: bool = False, dtype: str = "float32") -> tuple[int, str]:
    """A weights-only copy of `source` (config and env settings kept), or Karpathy's save.p pickle
    -> (bytes written, what was written)."""
    ck = checkpoint.load(source)
    check_output(output)
    data = checkpoint.karpathy_pickle(ck) if karpathy else checkpoint.encode(checkpoint.export_weights(ck, dtype))
    try:
        atomic_write(output, data)
    except OSError as e:
        raise PgcliError(f"{output}: cannot write ({e.strerror})") from None
    return len(data), "Karpathy save.p" if karpathy else "pgcli weights"

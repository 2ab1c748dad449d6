"""What the output commands write (weights, record, plot): checked before any work starts, and
written atomically (`pgcli.files.atomic`), a failure said in one line."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from pgcli.base.errors import PgcliError
from pgcli.files.atomic import atomic_path


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
    """`atomic.atomic_path` for what a command makes (an image, an animation, a figure): a file that
    cannot be made or written there is the user's one-line error, not a traceback."""
    try:
        with atomic_path(path) as tmp:
            yield tmp
    except OSError as e:
        raise PgcliError(f"{path}: cannot write ({e.strerror or e})") from None


def save_figure(fig, path: Path, dpi: int = 100) -> str:
    """A matplotlib figure written atomically to `path`, then closed -> the path."""
    import matplotlib.pyplot as plt

    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
    return str(path)


def write_image(path: Path, image, **kw) -> None:
    """An image or an animation (PNG, JPEG, GIF), encoded in memory first, then written atomically:
    imageio's writers open their file lazily and retry at garbage collection, so a destination that
    fails must never be theirs to open."""
    import imageio.v3 as iio

    data = iio.imwrite("<bytes>", image, extension=Path(path).suffix.lower(), **kw)
    with atomic_output(path) as tmp:
        Path(tmp).write_bytes(data)

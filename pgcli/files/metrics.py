"""The metrics CSV beside a checkpoint (`save.p` -> `save.metrics.csv`): one row per finished game,
and a `cut` row for each game a stop cut short (the part of it a gradient took)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from pgcli.files.atomic import atomic_write

METRICS_FIELDS = ["episode", "steps", "reward", "running_reward", "won", "lost", "seconds",
                  "total_steps", "updates", "value_loss", "approx_kl", "clip_frac", "entropy", "epochs", "cut"]
UPDATE_FIELDS = METRICS_FIELDS[9:14]  # the last update's statistics (PPO); empty for REINFORCE


def metrics_path(output: Path) -> Path:
    """save.p -> save.metrics.csv, beside the checkpoint."""
    return output.with_name(output.stem + ".metrics.csv")


def open_metrics(path: Path):
    """A metrics CSV opened to read as text, as training writes it or kept gzip-compressed (docs/runs/)."""
    return (gzip.open if path.suffix == ".gz" else open)(path, "rt", newline="", encoding="utf-8")


def find_metrics(folder: Path, name: str) -> Path | None:
    """The metrics CSV of the run `name` in `folder`: `name.metrics.csv`, else `name.metrics.csv.gz`."""
    for path in (folder / f"{name}.metrics.csv", folder / f"{name}.metrics.csv.gz"):
        if path.exists():
            return path
    return None


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
    atomic_write(path, ("\n".join(lines) + "\n").encode())


class MetricsWriter:
    """Appends one row per `EpisodeStats` (the header first, for a new file), flushed at once."""

    def __init__(self, path: Path):
        new = not path.exists() or path.stat().st_size == 0
        self.file = open(path, "a", newline="")
        self.csv = csv.writer(self.file)
        if new:
            self.csv.writerow(METRICS_FIELDS)

    def row(self, st) -> None:
        upd = [_fmt(st.update.get(k)) for k in UPDATE_FIELDS]
        rr = "" if st.running_reward is None else f"{st.running_reward:.6f}"
        self.csv.writerow([st.episode, st.steps, st.reward, rr, st.won, st.lost, f"{st.seconds:.3f}",
                           st.total_steps, st.updates, *upd, int(st.cut)])
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _fmt(v) -> str:
    if v is None:
        return ""
    return str(v) if isinstance(v, int) else f"{v:.6g}"

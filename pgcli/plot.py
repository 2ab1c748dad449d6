"""Learning curves from metrics CSVs: running reward against episodes and against hours."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pgcli import outputs
from pgcli.errors import PgcliError

MILESTONES = (-15, -10, -5, 0)


@dataclass
class Curve:
    label: str
    episode: np.ndarray
    running_reward: np.ndarray
    hours: np.ndarray
    steps: np.ndarray

    def first_reaching(self, level: float) -> tuple[int, float, int] | None:
        """(episode, hours, agent steps) when the running reward first reached `level`."""
        hit = np.flatnonzero(self.running_reward >= level)
        if not len(hit):
            return None
        i = hit[0]
        return int(self.episode[i]), float(self.hours[i]), int(self.steps[i])


def read_metrics(path: Path, label: str | None = None) -> Curve:
    path = Path(path)
    if path.is_dir():
        raise PgcliError(f"{path}: is a directory, expected a metrics CSV")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise PgcliError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise PgcliError(f"{path}: not a metrics CSV (binary content; is it a checkpoint?)") from None
    except (OSError, csv.Error) as e:
        raise PgcliError(f"{path}: cannot read metrics ({type(e).__name__})") from None
    need = ("episode", "running_reward", "seconds", "total_steps")
    if not rows or any(k not in rows[0] for k in need):
        raise PgcliError(f"{path}: not a pgcli metrics CSV (needs columns {', '.join(need)})")
    try:
        data = {k: np.array([float(r[k]) for r in rows]) for k in need}
    except (TypeError, ValueError):
        raise PgcliError(f"{path}: malformed number in metrics") from None
    order = np.argsort(data["episode"], kind="stable")  # a resumed run may repeat episodes
    return Curve(label or path.stem.replace(".metrics", ""), data["episode"][order].astype(int),
                 data["running_reward"][order], data["seconds"][order] / 3600, data["total_steps"][order])


def check_output(path: Path) -> None:
    outputs.check_output(path, (".png", ".svg", ".pdf"), "use .png, .svg or .pdf")


def plot(curves: list[Curve], output: Path, title: str | None = None) -> None:
    """Two panels, running reward vs episodes and vs wall-clock hours. Written atomically."""
    check_output(output)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PgcliError("plotting needs matplotlib: pip install 'pgcli[plot]'") from None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for c in curves:
        axes[0].plot(c.episode, c.running_reward, label=c.label, lw=1.6)
        axes[1].plot(c.hours, c.running_reward, label=c.label, lw=1.6)
    for ax, xlabel in zip(axes, ("episodes", "wall-clock hours of training")):
        ax.axhline(0, color="0.4", lw=0.8, ls="--")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].text(0.01, 0.5, "beats the built-in AI above 0", transform=axes[0].get_yaxis_transform(),
                 va="bottom", fontsize=8, color="0.3")
    axes[0].set_ylabel("running reward (0.99/0.01 running mean)")
    axes[0].set_ylim(-21.5, max(5.0, max(float(c.running_reward.max()) for c in curves) + 1))
    axes[0].legend(loc="lower right", fontsize=9)
    fig.suptitle(title or "pgcli: Pong from pixels, learning curve")
    fig.tight_layout()
    try:
        with outputs.atomic_output(output) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)

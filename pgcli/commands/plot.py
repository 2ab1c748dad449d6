"""Learning curves from metrics CSVs: running reward against episodes, hours and agent steps.

CSVs that share a label are runs of one method (e.g. three seeds): they are drawn as the median
line with a min-max band, and their milestones are summarised as median (range).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pgcli.files import outputs
from pgcli.files.metrics import open_metrics
from pgcli.base.errors import PgcliError

MILESTONES = (-15, -10, -5, 0, 10, 15, 18)  # Pong's (0, +10, +15, +18: the sticky-game anchors of Rainbow and DQN)


def milestones(game: str | None) -> tuple[tuple[float, ...], tuple[float, float, str] | None]:
    """The levels to report for a game, and its (random, human) scores: the DQN paper's, else
    Agent57's table (Phoenix has no DQN-paper human): Pong's milestones by default; for another
    game its random and human scores, half-way and twice human where known, else a few round numbers.
    -> (levels, (random, human, whose table) or None)."""
    if game is None or game == "pong":
        return MILESTONES, None
    from pgcli.base.references import REFERENCES

    r = REFERENCES.get(game)
    if r is None:
        return (1.0, 10.0, 100.0, 1000.0), None
    lo, hi, table = ((r.random_nature, r.human_nature, "DQN paper") if r.human_nature is not None
                     else (r.random_agent57, r.human_agent57, "Agent57"))
    return (lo, round((lo + hi) / 2, 1), hi, round(2 * hi - lo, 1)), (lo, hi, table)


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
        with open_metrics(path) as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise PgcliError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise PgcliError(f"{path}: not a metrics CSV (binary content; is it a checkpoint?)") from None
    except (OSError, EOFError, csv.Error) as e:  # gzip's BadGzipFile is an OSError
        raise PgcliError(f"{path}: cannot read metrics ({type(e).__name__})") from None
    need = ("episode", "running_reward", "seconds", "total_steps")
    if not rows or any(k not in rows[0] for k in need):
        raise PgcliError(f"{path}: not a pgcli metrics CSV (needs columns {', '.join(need)})")
    rows = [r for r in rows if r.get("cut") != "1"]  # games cut by a stop are not finished episodes
    if not rows:
        raise PgcliError(f"{path}: no finished episode in it yet")
    try:
        data = {k: np.array([float(r[k]) for r in rows]) for k in need}
    except (TypeError, ValueError):
        raise PgcliError(f"{path}: malformed number in metrics") from None
    order = np.argsort(data["episode"], kind="stable")  # a resumed run may repeat episodes
    stem = path.name.removesuffix(".gz").removesuffix(".csv").removesuffix(".metrics")
    return Curve(label or stem, data["episode"][order].astype(int),
                 data["running_reward"][order], data["seconds"][order] / 3600, data["total_steps"][order])


def check_output(path: Path) -> None:
    outputs.check_output(path, (".png", ".svg", ".pdf"), "use .png, .svg or .pdf")


def group(curves: list[Curve]) -> dict[str, list[Curve]]:
    """Curves by label, in order of first appearance."""
    out: dict[str, list[Curve]] = {}
    for c in curves:
        out.setdefault(c.label, []).append(c)
    return out


def milestone_summary(runs: list[Curve], level: float) -> dict:
    """Median and range over runs of (hours, agent steps, episodes) to reach `level`; runs that did
    not reach it are counted, with how far they got."""
    hits = [h for h in (c.first_reaching(level) for c in runs) if h is not None]
    out = {"reached": len(hits), "runs": len(runs)}
    if hits:
        for i, key in enumerate(("episode", "hours", "steps")):
            vals = np.array([h[i] for h in hits], float)
            out[key] = (float(np.median(vals)), float(vals.min()), float(vals.max()))
    return out


def _band(runs: list[Curve], attr: str, grid: np.ndarray):
    """Median and min/max of the runs' running reward on a common x grid (only where a run has data)."""
    ys = np.full((len(runs), len(grid)), np.nan)
    for i, c in enumerate(runs):
        x = getattr(c, attr).astype(float)
        inside = grid <= x[-1]
        ys[i, inside] = np.interp(grid[inside], x, c.running_reward)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(ys, 0), np.nanmin(ys, 0), np.nanmax(ys, 0)


def _draw_runs(axes, panels, label: str, runs: list[Curve]) -> None:
    """One label's runs on the three panels: a single run as its line; several as their median (where
    every run has data), a min-max band, and each run faintly to its end."""
    name = label if len(runs) == 1 else f"{label} (median of {len(runs)} runs, min-max band; thin: each run)"
    for ax, (attr, _, k) in zip(axes, panels):
        if len(runs) == 1:
            c = runs[0]
            ax.plot(getattr(c, attr) * k, c.running_reward, label=name, lw=1.6)
            continue
        top = min(float(getattr(c, attr)[-1]) for c in runs)
        grid = np.linspace(0, top, 600)
        med, lo, hi = _band(runs, attr, grid)
        line, = ax.plot(grid * k, med, label=name, lw=1.8)
        ax.fill_between(grid * k, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        for c in runs:
            ax.plot(getattr(c, attr) * k, c.running_reward, color=line.get_color(), alpha=0.35, lw=0.7)


def _axes_and_references(axes, panels, curves: list[Curve], game: str | None) -> bool:
    """Labels, grids, the score axis and its reference lines (Pong: 0, the built-in AI; another game:
    random play and the human score). Returns whether the figure is Pong's."""
    _, ref = milestones(game)
    pong = game is None or game == "pong"
    lines = [(0.0, "beats the built-in AI above 0")] if pong else (
        [(ref[0], f"random play {ref[0]:g}"), (ref[1], f"human {ref[1]:g} ({ref[2]})")] if ref else [])
    for ax, (_, xlabel, _) in zip(axes, panels):
        for y, _ in lines:
            ax.axhline(y, color="0.4", lw=0.8, ls="--")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    for y, text in lines:
        axes[0].text(0.01, y, text, transform=axes[0].get_yaxis_transform(), va="bottom", fontsize=8, color="0.3")
    axes[0].set_ylabel("running reward (0.99/0.01 running mean)" if pong else "running mean of the score (0.99/0.01)")
    top = max(float(c.running_reward.max()) for c in curves)
    if pong:
        axes[0].set_ylim(-21.5, max(5.0, top + 1))
    else:
        low = min(0.0, min(float(c.running_reward.min()) for c in curves))
        axes[0].set_ylim(low, max(top, ref[1] if ref else 0) * 1.08 + 1)
    return pong


def plot(curves: list[Curve], output: Path, title: str | None = None, game: str | None = None) -> None:
    """Three panels: running reward vs episodes, wall-clock hours and agent steps. Written atomically.
    `game` (not Pong): the score axis fits the data, with the game's random and human scores drawn."""
    check_output(output)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PgcliError("plotting needs matplotlib: pip install 'pgcli[plot]'") from None
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), sharey=True)
    panels = (("episode", "episodes", 1.0), ("hours", "wall-clock hours of training", 1.0),
              ("steps", "agent steps (millions)", 1e-6))
    for label, runs in group(curves).items():
        _draw_runs(axes, panels, label, runs)
    pong = _axes_and_references(axes, panels, curves, game)
    handles, labels = axes[0].get_legend_handles_labels()
    ncol = max(1, min(3, len(labels), 240 // (max(map(len, labels)) + 6)))  # long labels: fewer columns, all readable
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=9, frameon=False)
    fig.suptitle(title or ("pgcli: Pong from pixels, learning curve" if pong else f"pgcli: {game} from pixels, learning curve"))
    rows = -(-len(labels) // ncol)
    fig.tight_layout(rect=(0, 0.05 + 0.05 * rows, 1, 1))
    try:
        with outputs.atomic_output(output) as tmp:
            fig.savefig(tmp, dpi=110)
    finally:
        plt.close(fig)


def report(curves: list, game: str | None = None) -> list[str]:
    """Each run's milestones, then per label of several runs their median (min-max) milestones."""
    out, (levels, _) = [], milestones(game)
    for c in curves:
        last = c.running_reward[-1]
        out.append(f"{c.label}: {c.episode[-1]} episodes, {c.hours[-1]:.2f} h, running reward {last:.2f}")
        for level in levels:
            hit = c.first_reaching(level)
            where = "not reached" if hit is None else f"episode {hit[0]:>6,}  {hit[1]:5.2f} h  {hit[2] / 1e6:6.2f}M steps"
            out.append(f"  running reward >= {level:>3g}: {where}")
    for label, runs in group(curves).items():
        if len(runs) < 2:
            continue
        best = max(float(c.running_reward.max()) for c in runs)
        out.append(f"{label}, {len(runs)} runs: median (min-max); best running reward {best:.2f}")
        for level in levels:
            m = milestone_summary(runs, level)
            if not m["reached"]:
                out.append(f"  running reward >= {level:>3g}: reached by 0 of {m['runs']} runs")
                continue
            (h, h0, h1), (st, s0, s1), (ep, e0, e1) = m["hours"], m["steps"], m["episode"]
            out.append(f"  running reward >= {level:>3g}: {h:5.2f} h ({h0:.2f}-{h1:.2f})  {st / 1e6:5.2f}M steps "
                       f"({s0 / 1e6:.2f}-{s1 / 1e6:.2f})  episode {ep:,.0f} ({e0:,.0f}-{e1:,.0f})  "
                       f"[{m['reached']} of {m['runs']} runs]")
    return out

"""`pgcli benchmark DIR --compare OTHER`: two suites (two recipes) side by side at equal agent steps.

A recipe change is kept when the suite's median improves (docs/benchmark.md). This puts each game's
running score, as HNS by Agent57's table, at the same agent steps in both folders, with the median
over the games both have reached there, and the evaluated HNS where both runs are evaluated. Runs are
found by the suite's file names (`<game>-s<seed>.metrics.csv`, or `.csv.gz` as committed), so a
folder of probe runs trained with `pgcli train -o DIR/<game>-s1.p` compares as well as a suite; a
game's seeds are averaged at each mark, over the seeds that reached it.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from pgcli.base import references
from pgcli.benchmark.suite import SUITE_FILE, describe_recipe, run_of
from pgcli.commands.plot import Curve, read_metrics
from pgcli.base.errors import PgcliError

MARKS = (500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000)
REACHED = 0.99  # a run stopped at a mark ends a few games short of it


@dataclass
class Runs:
    """One folder's runs: each game's seeds' learning curves and evaluated scores."""
    folder: Path
    label: str
    curves: dict[str, list[Curve]] = field(default_factory=dict)
    evaluated: dict[str, list[float]] = field(default_factory=dict)


def read_runs(folder: Path) -> Runs:
    folder = Path(folder)
    if not folder.is_dir():
        raise PgcliError(f"{folder}: no such folder")
    suite = folder / SUITE_FILE
    recipe = _json(suite).get("recipe", {}) if suite.exists() else None
    runs = Runs(folder, describe_recipe(recipe) if recipe is not None else "runs without a suite.json")
    for path in sorted(folder.glob("*-s*.metrics.csv*")):
        if (game := _game_of(path.name.split(".metrics.csv")[0])) is not None:
            runs.curves.setdefault(game, []).append(read_metrics(path))
    for path in sorted(folder.glob("*-s*.evaluate.json")):
        if (game := _game_of(path.name.removesuffix(".evaluate.json"))) is not None:
            try:
                runs.evaluated.setdefault(game, []).append(float(_json(path)["mean_reward"]))
            except (KeyError, TypeError, ValueError):
                raise PgcliError(f"{path}: not a pgcli evaluation (no mean_reward)") from None
    if not runs.curves:
        raise PgcliError(f"{folder}: no runs here (<game>-s<seed>.metrics.csv)")
    return runs


def _game_of(name: str) -> str | None:
    """The game of a run named as a suite names them ('qbert-s1'); None for any other file."""
    try:
        return run_of(name)[0]
    except ValueError:
        return None


def _json(path: Path) -> dict:
    try:
        out = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise PgcliError(f"{path}: cannot read it as JSON ({type(e).__name__})") from None
    if not isinstance(out, dict):
        raise PgcliError(f"{path}: not a pgcli file (expected a JSON object)")
    return out


def running_at(curve: Curve, steps: int) -> float | None:
    """The running score at `steps` agent steps (the last game ended by then), None if not reached."""
    if not len(curve.steps) or curve.steps[-1] < REACHED * steps:
        return None
    before = curve.steps <= steps
    return float(curve.running_reward[before][-1]) if before.any() else None


def hns_at(runs: Runs, game: str, steps: int) -> float | None:
    scores = [s for c in runs.curves.get(game, []) if (s := running_at(c, steps)) is not None]
    return references.hns(game, statistics.fmean(scores)) if scores else None


def compare(a: Runs, b: Runs) -> dict:
    """Per game and mark the HNS in a and in b; per mark the medians over the games both have."""
    games = [g for g in a.curves if g in b.curves and references.hns(g, 0.0) is not None]
    if not games:
        raise PgcliError(f"{a.folder} and {b.folder} have no game in common (with a human score)")
    every = {g: {m: (hns_at(a, g, m), hns_at(b, g, m)) for m in MARKS} for g in games}
    marks = [m for m in MARKS if any(every[g][m] != (None, None) for g in games)]  # a mark some run reached
    rows = {g: {m: every[g][m] for m in marks} for g in games}
    evaluated = {g: tuple(references.hns(g, statistics.fmean(r.evaluated[g])) if g in r.evaluated else None
                          for r in (a, b)) for g in games}
    medians = {}
    for m in marks + ["evaluated"]:
        pairs = [evaluated[g] if m == "evaluated" else rows[g][m] for g in games]
        both = [(x, y) for x, y in pairs if x is not None and y is not None]
        medians[m] = (statistics.median(x for x, _ in both), statistics.median(y for _, y in both), len(both)) if both else None
    return {"games": games, "marks": marks, "rows": rows, "evaluated": evaluated, "medians": medians}


def lines(a: Runs, b: Runs, result: dict) -> list[str]:
    """The comparison as text: one row per game, `a -> b` at each mark."""
    f = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
    cell = lambda pair: f"{f(pair[0])} -> {f(pair[1])}" if pair else "–"  # noqa: E731
    heads = [f"{m / 1e6:g}M" for m in result["marks"]] + ["evaluated"]
    out = ["HNS (Agent57's table) of the running score at equal agent steps, a -> b:",
           f"  a: {a.folder} ({a.label})", f"  b: {b.folder} ({b.label})",
           f"{'game':<16}" + "".join(f"{h:>16}" for h in heads)]
    for g in result["games"]:
        out.append(f"{g:<16}" + "".join(f"{cell(result['rows'][g][m]):>16}" for m in result["marks"])
                   + f"{cell(result['evaluated'][g]):>16}")
    meds = [result["medians"][m] for m in result["marks"] + ["evaluated"]]
    out.append(f"{'median':<16}" + "".join(f"{cell(m[:2]) if m else '–':>16}" for m in meds))
    out.append(f"{'(games in it)':<16}" + "".join(f"{m[2] if m else 0:>16}" for m in meds))
    return out

"""`pgcli tune`'s report, from the study alone: DIR/report.json, report.md, report.png.

The best recipe as the `--recipe` string `pgcli benchmark` takes, every trial's value beside its
minutes (a recipe that costs more time a step must also win at equal minutes), the parameters'
importances (Optuna's default evaluator, PED-ANOVA; from 5 completed trials on), and the search as a
figure: the value of each trial in order, and against its minutes.
"""

from __future__ import annotations

import json
from pathlib import Path

from pgcli.files.atomic import atomic_write
from pgcli.tune.space import recipe_string
from pgcli.tune.trial import TuneSpec


def build(study, spec: TuneSpec) -> dict:
    from optuna.trial import TrialState

    rows = [{"number": t.number, "state": t.state.name.lower(), "value": t.value, "minutes": t.user_attrs.get("minutes"),
             "agent_steps": t.user_attrs.get("agent_steps"), "recipe": t.user_attrs.get("recipe", t.params),
             "parts": t.user_attrs.get("parts"), "folder": t.user_attrs.get("folder"),
             "defaults": bool(t.user_attrs.get("defaults"))}
            for t in study.get_trials(deepcopy=False) if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    complete = [r for r in rows if r["state"] == "complete"]
    best = None
    if complete:
        b = study.best_trial
        best = next(r for r in rows if r["number"] == b.number)
    return {"spec": spec.to_dict(), "direction": spec.direction, "trials": rows, "best": best,
            "best_recipe": None if best is None else recipe_string(best["recipe"]),
            "importances": _importances(study) if len(complete) >= MIN_FOR_IMPORTANCE else None}


MIN_FOR_IMPORTANCE = 5
"""Completed trials before the parameters' importances are reported: fewer say nothing."""


def shown(value: float | None, objective: str) -> str:
    """A trial's value as a reader takes it: HNS to 3 decimals, a geometric mean to 3 significant
    digits (a game's HNS at short budgets can be 0.01), agent steps in millions."""
    if value is None:
        return "–"
    return {"hns": f"{value:.3f}", "geomean": f"{value:.3g}"}.get(objective, f"{value / 1e6:.2f}M")


def part_shown(value: float | None, objective: str) -> str:
    """One game's HNS (3 significant digits) or one run's agent steps, as a trial's part."""
    return shown(value, "steps" if objective == "steps" else "geomean")


WHAT = {"hns": "the interquartile mean of the games' HNS (Agent57's table; the mean for 1-3 games)",
        "geomean": "the geometric mean of the games' HNS (Agent57's table; each at least 0.001): every game counts by its relative gain"}
"""Each objective in words (the report's first line, its figure's axis)."""


def short(recipe: dict, fixed: dict) -> str:
    """The searched part of a trial's recipe, its numbers to 3 significant digits (the table's column)."""
    return recipe_string({k: float(f"{v:.3g}") if isinstance(v, float) else v for k, v in recipe.items() if k not in fixed})


def _importances(study) -> dict | None:
    import optuna

    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
    except (ValueError, RuntimeError, ZeroDivisionError):  # too few distinct trials to tell
        return None


def markdown(rep: dict) -> str:
    spec = rep["spec"]
    what = (f"{WHAT[spec['objective']]}, evaluated on {spec['eval_games']} games a run" if spec["objective"] in WHAT
            else f"agent steps to a running reward of {spec['target']:g} (the median of the runs; never: twice the budget)")
    lines = ["# pgcli tune", "",
             f"Games {', '.join(spec['games'])}, seeds {', '.join(map(str, spec['seeds']))}, {spec['steps']:,} agent steps a run; "
             f"objective: {what}, {'higher' if rep['direction'] == 'maximize' else 'lower'} is better.", ""]
    best = rep["best"]
    base = next((r for r in rep["trials"] if r["defaults"] and r["value"] is not None), None)
    if spec["recipe"]:
        lines += [f"Fixed in every trial: `{recipe_string(spec['recipe'])}`.", ""]
    if base is not None:
        lines += [f"PPO's defaults (trial {base['number']}): {shown(base['value'], spec['objective'])} "
                  f"in {base['minutes']:.1f} minutes.", ""]
    if best is not None and base is not None and spec["objective"] == "geomean" and base["value"] > 0:
        lines += [f"The best trial's score above random is {best['value'] / base['value']:.2f}x the defaults' "
                  "(the geometric mean over the games).", ""]
    if best is not None:
        lines += [f"**Best: trial {best['number']}, {shown(best['value'], spec['objective'])}** in {best['minutes']:.1f} minutes of training "
                  f"({best['agent_steps']:,} agent steps).", "",
                  "Run it on games it was not tuned on:", "", "```bash",
                  f"pgcli benchmark -o runs/tuned --recipe {rep['best_recipe']}", "```", ""]
    if rep["importances"]:
        lines += ["Parameters by importance (PED-ANOVA): " + ", ".join(f"{k} {v:.2f}" for k, v in rep["importances"].items()), ""]
    else:
        lines += [f"Parameters' importances: from {MIN_FOR_IMPORTANCE} completed trials on.", ""]
    parts = list(dict.fromkeys(k for r in rep["trials"] for k in (r["parts"] or {})))  # games (HNS) or runs (steps)
    lines += ["| trial | state | value | " + "".join(f"{k} | " for k in parts) + "minutes | searched recipe |",
              "|---|---|---|" + "---|" * len(parts) + "---|---|"]
    order = sorted(rep["trials"], key=lambda r: (r["value"] is None, -(r["value"] or 0) if rep["direction"] == "maximize"
                                                  else (r["value"] or 0)))
    for r in order:
        minutes = "–" if r["minutes"] is None else f"{r['minutes']:.1f}"
        cells = "".join(f"{part_shown((r['parts'] or {}).get(k), spec['objective'])} | " for k in parts)
        lines.append(f"| {r['number']}{' (defaults)' if r['defaults'] else ''} | {r['state']} | "
                     f"{shown(r['value'], spec['objective'])} | {cells}{minutes} | `{short(r['recipe'], spec['recipe'])}` |")
    return "\n".join(lines) + "\n"


def write(folder: Path, study, spec: TuneSpec) -> dict:
    rep = build(study, spec)
    atomic_write(Path(folder) / "report.json", (json.dumps(rep, indent=1) + "\n").encode())
    atomic_write(Path(folder) / "report.md", markdown(rep).encode())
    rep["figure"] = _figure(Path(folder), rep)
    return rep


def _figure(folder: Path, rep: dict) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return None
    from pgcli.files.outputs import save_figure

    spec, done = rep["spec"], sorted((r for r in rep["trials"] if r["value"] is not None), key=lambda r: r["number"])
    steps = spec["objective"] == "steps"
    scale = 1e6 if steps else 1.0
    ylabel = (f"agent steps to {spec['target']:g} (median of runs), millions" if steps
              else {"hns": "HNS (interquartile mean of the games)", "geomean": "HNS (geometric mean of the games)"}[spec["objective"]])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot([r["number"] for r in done], [r["value"] / scale for r in done], "o", label="completed")
    better = min if rep["direction"] == "minimize" else max
    best = [better(r["value"] for r in done[: i + 1]) / scale for i in range(len(done))]
    ax.step([r["number"] for r in done], best, where="post", color="C1", label="best so far")
    pruned = [r["number"] for r in rep["trials"] if r["state"] == "pruned"]
    if pruned:
        edge = (max if steps else min)((r["value"] for r in done), default=0) / scale
        ax.plot(pruned, [edge] * len(pruned), "x", color="grey", label="pruned")
    for axis in (ax, bx):
        base = [r for r in done if r["defaults"]]
        if base:
            axis.axhline(base[0]["value"] / scale, color="grey", ls="--", lw=1, label="PPO's defaults")
        axis.set_ylabel(ylabel)
    numbers = [r["number"] for r in rep["trials"]]
    ax.set_xlim(min(numbers) - 0.5, max(numbers) + 0.5)  # whole trials, even for one
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel("trial")
    ax.legend(fontsize=8)
    bx.plot([r["minutes"] for r in done], [r["value"] / scale for r in done], "o")
    bx.set_xlabel("minutes of training (all its runs)")
    fig.suptitle(f"pgcli tune: {', '.join(spec['games'])}, seeds {', '.join(map(str, spec['seeds']))}")
    fig.tight_layout()
    return save_figure(fig, folder / "report.png")

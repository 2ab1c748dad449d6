"""`pgcli tune`'s report, from the study alone: DIR/report.json, report.md, report.png.

The best recipe as the `--recipe` string `pgcli benchmark` takes, every trial's value beside its
minutes (a recipe that costs more time a step must also win at equal minutes), the parameters'
importances (Optuna's default evaluator, PED-ANOVA; from 2 completed trials on), and the search as a
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
            "importances": _importances(study) if len(complete) >= 2 else None}


def _importances(study) -> dict | None:
    import optuna

    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
    except (ValueError, RuntimeError, ZeroDivisionError):  # too few distinct trials to tell
        return None


def markdown(rep: dict) -> str:
    spec = rep["spec"]
    what = ("the interquartile mean of the games' HNS (Agent57's table; the mean for 1-3 games), evaluated on "
            f"{spec['eval_games']} games a run" if spec["objective"] == "hns"
            else f"agent steps to a running reward of {spec['target']:g} (the median of the runs; never: twice the budget)")
    lines = ["# pgcli tune", "",
             f"Games {', '.join(spec['games'])}, seeds {', '.join(map(str, spec['seeds']))}, {spec['steps']:,} agent steps a run; "
             f"objective: {what}, {'higher' if rep['direction'] == 'maximize' else 'lower'} is better.", ""]
    best = rep["best"]
    base = next((r for r in rep["trials"] if r["defaults"] and r["value"] is not None), None)
    if base is not None:
        lines += [f"PPO's defaults (trial {base['number']}): {base['value']:.4g} in {base['minutes']:.1f} minutes.", ""]
    if best is not None:
        lines += [f"**Best: trial {best['number']}, {best['value']:.4g}** in {best['minutes']:.1f} minutes of training "
                  f"({best['agent_steps']:,} agent steps).", "",
                  "Run it on games it was not tuned on:", "", "```bash",
                  f"pgcli benchmark -o runs/tuned --recipe {rep['best_recipe']}", "```", ""]
    if rep["importances"]:
        lines += ["Parameters by importance (PED-ANOVA): " + ", ".join(f"{k} {v:.2f}" for k, v in rep["importances"].items()), ""]
    lines += ["| trial | state | value | minutes | recipe |", "|---|---|---|---|---|"]
    order = sorted(rep["trials"], key=lambda r: (r["value"] is None, -(r["value"] or 0) if rep["direction"] == "maximize"
                                                  else (r["value"] or 0)))
    for r in order:
        value = "–" if r["value"] is None else f"{r['value']:.4g}"
        minutes = "–" if r["minutes"] is None else f"{r['minutes']:.1f}"
        lines.append(f"| {r['number']}{' (defaults)' if r['defaults'] else ''} | {r['state']} | {value} | {minutes} | `{recipe_string(r['recipe'])}` |")
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
    except ImportError:
        return None
    from pgcli.files.outputs import save_figure

    done = [r for r in rep["trials"] if r["value"] is not None]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot([r["number"] for r in done], [r["value"] for r in done], "o", label="completed")
    pruned = [r["number"] for r in rep["trials"] if r["state"] == "pruned"]
    if pruned:
        ax.plot(pruned, [min((r["value"] for r in done), default=0)] * len(pruned), "x", color="grey", label="pruned")
    ax.set_xlabel("trial")
    ax.set_ylabel("objective")
    ax.legend(fontsize=8)
    bx.plot([r["minutes"] for r in done], [r["value"] for r in done], "o")
    bx.set_xlabel("minutes of training (all its runs)")
    bx.set_ylabel("objective")
    fig.suptitle(f"pgcli tune: {', '.join(rep['spec']['games'])}")
    fig.tight_layout()
    return save_figure(fig, folder / "report.png")

"""`pgcli tune`: search PPO's recipe with Optuna on games of your choice, resumable, with a report.
Registered on the one `app` of `pgcli.cli` (imported at its end)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from pgcli.cli.benchmark import _csv
from pgcli.cli.root import app
from pgcli.base.errors import PgcliError, Stopped


@app.command()
def tune(
    output: Path = typer.Option(..., "--output", "-o", help="The study's folder: its database, one folder per trial, the report. Give it again to continue.", show_default=False),
    games: Optional[str] = typer.Option(None, "--games", help="Comma-separated games to tune on (default: space_invaders,seaquest,beam_rider: none of the benchmark suite's)."),
    steps: Optional[int] = typer.Option(None, "--steps", min=1000, help="Agent steps per run; the learning rate falls to 0 there. (default: 2,000,000)"),
    seeds: Optional[str] = typer.Option(None, "--seeds", help="Comma-separated seeds: every game at every seed in every trial. (default: 1,2)"),
    trials: int = typer.Option(20, "--trials", min=1, help="Trials to complete (pruned ones count); again with more goes on."),
    param: Optional[List[str]] = typer.Option(None, "--param", help="Search this flag instead of the default space (repeatable): field=low:high, field=low:high:log or field=a|b|c.", show_default=False),
    recipe: Optional[str] = typer.Option(None, "--recipe", help="Flags fixed for every trial, as field=value pairs: --recipe epochs=4,hidden=300.", show_default=False),
    objective: Optional[str] = typer.Option(None, "--objective", help="'geomean': the geometric mean of the games' evaluated HNS, every game counting by its relative gain; 'hns': their interquartile mean (the mean for 1-3 games), the suite's measure; 'steps': agent steps to --target running reward. (default: geomean)"),
    target: Optional[float] = typer.Option(None, "--target", help="The running reward --objective steps counts to (exact-controls Pong: 18)."),
    eval_games: Optional[int] = typer.Option(None, "--eval-games", min=1, help="Games to evaluate each run's final agent on. (default: 30, as the benchmark)"),
    storage: Optional[str] = typer.Option(None, "--storage", help="The study's database as an SQLAlchemy URL (a cluster's shared PostgreSQL); default: OUTPUT/study.db.", show_default=False),
    keep_states: bool = typer.Option(False, "--keep-states", help="Keep each finished trial's full training states (61 MB a run); by default its runs are kept as weights-only exports, every command still reads them."),
    report: bool = typer.Option(False, "--report", help="Only re-make the report from the study (no training)."),
    parallel: Optional[int] = typer.Option(None, "--parallel", min=1, max=1024, help="Run this many trials at once, as Ray tasks of 2 cores each on this machine (needs pgcli\\[ray]).", rich_help_panel="Ray"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Run every trial as a Ray task on the cluster at this address; the folder must be on a file system every node sees (and --storage a database they reach).", rich_help_panel="Ray"),
):
    """Search PPO's recipe with Optuna (TPE, pruning) on games outside the benchmark suite."""
    from pgcli.benchmark.suite import _rom, parse_recipe
    from pgcli.tune import study as tune_study
    from pgcli.tune.report import shown, write

    given = {k: v for k, v in {
        "games": tuple(_rom(g) for g in _csv(games)) if games else None, "steps": steps,
        "seeds": _csv(seeds, int) if seeds else None, "eval_games": eval_games, "objective": objective,
        "target": target, "recipe": parse_recipe(_csv(recipe)) if recipe is not None else None,
        "space": tuple(param) if param else None, "storage": storage, "keep_states": keep_states or None}.items() if v is not None}
    if report:
        if not (output / tune_study.SPEC_FILE).exists():
            raise PgcliError(f"{output}: no tune study here (start one with pgcli tune -o {output})")
        spec = tune_study.settle(output, {})
    else:
        spec = tune_study.settle(output, given)
    tune_study.optuna_module()
    if not report:
        try:
            if parallel is not None or ray_address is not None:
                tune_study.run_on_ray(output, spec, trials, parallel, ray_address, on_event=typer.echo)
            else:
                tune_study.run_here(output, spec, trials, train_run=_with_progress, on_event=typer.echo)
        except Stopped as e:
            raise Stopped(f"{str(e).split(' (continue with')[0]}; continue the study with: pgcli tune -o {output}",
                          e.exit_code - 128) from None
    rep = write(output, tune_study.open_study(output, spec), spec)
    best = rep["best"]
    if best is not None:
        typer.echo(f"best: trial {best['number']}, {shown(best['value'], spec.objective)} in {best['minutes']:.1f} min; "
                   f"pgcli benchmark -o runs/tuned --recipe {rep['best_recipe']}")
    if rep["importances"]:
        typer.echo("importance: " + ", ".join(f"{k} {v:.2f}" for k, v in list(rep["importances"].items())[:6]))
    typer.echo(f"report: {output / 'report.md'}, report.json" + (", report.png" if rep.get("figure") else ""))


def _with_progress(overrides, path, resume, save_every, on_episode, stop, until_reward):
    from pgcli.cli.progress import TrainProgress
    from pgcli.commands.train import Budget, Hooks, Saving, train

    with TrainProgress(None) as prog:
        def episode(st):
            prog.episode(st)
            on_episode(st)

        train(overrides, path, Budget(stop=stop, until_reward=until_reward), resume=resume, saving=Saving(every=save_every),
              hooks=Hooks(on_episode=episode, on_event=prog.message, on_start=prog.started))

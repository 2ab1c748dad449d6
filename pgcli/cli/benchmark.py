"""`pgcli benchmark`: one recipe over a suite of games, resumable, with a report. Registered on the
one `app` of `pgcli.cli` (imported at its end)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pgcli.cli.root import app
from pgcli.base.errors import PgcliError, Stopped


def _csv(text: str, kind=str) -> tuple:
    try:
        return tuple(kind(v.strip()) for v in text.split(",") if v.strip())
    except ValueError:
        raise PgcliError(f"expected a comma-separated list, got {text!r}") from None


@app.command()
def benchmark(
    folder: Optional[Path] = typer.Argument(None, help="The suite's folder (the same as -o).", show_default=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The suite's folder: one run per game and seed, the report. Give it again to continue.", show_default=False),
    games: Optional[str] = typer.Option(None, "--games", help="Comma-separated games. (default: Atari-5 + pong, breakout, boxing; a folder's own suite)"),
    steps: Optional[int] = typer.Option(None, "--steps", min=1000, help="Agent steps per run; the learning rate falls to 0 there. (default: 10,000,000)"),
    seeds: Optional[str] = typer.Option(None, "--seeds", help="Comma-separated seeds: every game at every seed. On a suite's folder more seeds or games extend it; --games with --seeds adds just those runs. (default: 1)"),
    eval_games: Optional[int] = typer.Option(None, "--eval-games", min=1, help="Games to evaluate each final agent on; on a suite's folder, another number evaluates its finished runs again. (default: 30)"),
    recipe: Optional[str] = typer.Option(None, "--recipe", help="Training flags on top of PPO's defaults for every game of a new suite, as field=value pairs: --recipe background=pixel,epochs=4 (the fields of pgcli train's flags).", show_default=False),
    report: bool = typer.Option(False, "--report", help="Only re-make the report from the folder (no training)."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="Only compare the folder with another suite (another recipe, or probe runs named <game>-s<seed>): HNS at equal agent steps and the medians.", show_default=False),
    record: Optional[Path] = typer.Option(None, "--record", help="Only record the suite's agents playing side by side into one GIF (or .mp4): each game's first seed with a checkpoint, sticky actions, its score so far.", show_default=False),
    record_steps: int = typer.Option(300, "--record-steps", min=1, help="Agent steps each game plays in --record (300: 20 seconds; at most 1,800)."),
    parallel: Optional[int] = typer.Option(None, "--parallel", min=1, max=1024, help="Train this many runs at once, as Ray tasks of 2 cores each on this machine (needs pgcli\\[ray]).", rich_help_panel="Ray"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Run every run as a Ray task on the cluster at this address; the folder must be on a file system every node sees.", rich_help_panel="Ray"),
):
    """Train one recipe (PPO's defaults) on a suite of games and report human-normalised scores."""
    from pgcli.benchmark import report as benchmark_report
    from pgcli.benchmark.suite import parse_recipe, run_suite, settle_suite

    if folder is not None and output is not None and folder != output:
        raise PgcliError(f"two folders given ({folder} and -o {output}): give one")
    output = output or folder
    if output is None:
        raise PgcliError("give the suite's folder: pgcli benchmark -o DIR (or pgcli benchmark DIR --report)")
    given = {k: v for k, v in {"games": _csv(games) if games else None, "steps": steps,
                                "seeds": _csv(seeds, int) if seeds else None, "eval_games": eval_games,
                                "recipe": parse_recipe(_csv(recipe)) if recipe is not None else None}.items()
             if v is not None}
    if compare is not None:
        from pgcli.benchmark import compare as bc

        a, b = bc.read_runs(output), bc.read_runs(compare)
        typer.echo("\n".join(bc.lines(a, b, bc.compare(a, b))))
        return
    if (report or record is not None) and not (output / "suite.json").exists():
        raise PgcliError(f"{output}: no benchmark suite here (start one with pgcli benchmark -o {output})")
    if record is not None:
        from pgcli.benchmark.record import record_suite

        done = record_suite(output, settle_suite(output, {}), record, record_steps,
                            on_game=lambda g, s: typer.echo(f"playing {g} (seed {s}) ..."))
        w, h = done["size"]
        typer.echo(f"wrote {record}: {', '.join(done['games'])}, {done['frames']} frames each, {w}x{h}")
        return
    if report:
        _print_report(output, benchmark_report.write(output, settle_suite(output, {})))
        return
    suite = settle_suite(output, given)
    from pgcli.cli.progress import TrainProgress
    from pgcli.commands.train import Hooks, Saving, train as run_train

    def train_run(overrides, path, resume):
        with TrainProgress(None) as prog:
            run_train(overrides, path, resume=resume, saving=Saving(every=suite.save_every),
                      hooks=Hooks(on_episode=prog.episode, on_event=prog.message, on_start=prog.started))

    def evaluated(res):
        typer.echo(f"evaluated {res['run']}: mean score {res['mean_reward']:,.1f} over {res['episodes']} games"
                   + (f" ({res['place']})" if res["place"] else ""))

    if parallel is not None or ray_address is not None:
        from pgcli.benchmark.on_ray import run_suite_on_ray

        run_suite_on_ray(output, suite, parallel, ray_address, on_event=typer.echo, on_evaluated=evaluated)
        _print_report(output, benchmark_report.write(output, suite))
        return
    try:
        run_suite(output, suite, train_run, on_run=lambda p: typer.echo(p.line()), on_evaluated=evaluated)
    except Stopped as e:  # the run's checkpoint is saved; the suite is what continues it
        raise Stopped(f"{str(e).split(' (continue with')[0]}; continue the suite with: pgcli benchmark -o {output}",
                      e.exit_code - 128) from None
    _print_report(output, benchmark_report.write(output, suite))


def _print_report(folder: Path, rep: dict) -> None:
    from pgcli.benchmark import report as benchmark_report

    f = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
    for g in rep["games"]:
        typer.echo(f"{g['game']:<16} score {'–' if g['score'] is None else format(g['score'], ',.1f'):>10}   "
                   f"HNS {f(g['hns_agent57']):>6} (Agent57) {f(g['hns_nature']):>6} (DQN paper)"
                   + (f"   {benchmark_report.run_mark(g)}" if benchmark_report.run_mark(g) else "")
                   + (f"   {g['games_at_frame_cap']} of {g['eval_games']} games cut at the frame cap" if g["games_at_frame_cap"] else ""))
    ci = rep.get("iqm_hns_agent57_ci95")
    if ci is not None:
        typer.echo(f"interquartile mean HNS {f(rep['iqm_hns_agent57'])} (95 % interval {f(ci[0])}-{f(ci[1])}; Agent57's table; "
                   f"CleanRL's conv. PPO at 10M steps: {f(rep.get('cleanrl_ppo_10m_iqm_hns_agent57'))})")
    typer.echo(f"median HNS {f(rep['median_hns_agent57'])} (CleanRL's conv. PPO: "
               f"{f(rep['cleanrl_ppo_10m_median_hns_agent57'])}); Atari-5 estimate of the 57-game median: "
               f"{f(rep['atari5_median57_estimate'])}")
    if rep.get("median_hns_agent57_without_stalled") is not None:
        lo_hi = rep.get("iqm_hns_agent57_without_stalled_ci95")
        typer.echo(f"without {', '.join(rep['stalled_games'])} (stalled to the time cap): "
                   + (f"IQM {f(rep['iqm_hns_agent57_without_stalled'])} ({f(lo_hi[0])}-{f(lo_hi[1])}), " if lo_hi else "")
                   + f"median HNS {f(rep['median_hns_agent57_without_stalled'])} (CleanRL's conv. PPO: "
                   f"{f(rep['cleanrl_ppo_10m_median_hns_agent57_without_stalled'])})")
    typer.echo(f"report: {folder / 'report.md'}, report.json" + (", report.png" if rep.get("figure") else
                                                                  " (pip install '.[plot]' for report.png)"))

"""The commands that look at results: W1 as images (`weights`, `visualize-weights`), `export`,
`plot` and `bench`. Registered on the one `app` of `pgcli.cli` (imported at its end)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pgcli.cli.root import CHECKPOINT, app
from pgcli.base.config import Config

_D = Config()
from pgcli.base.errors import PgcliError


def _weights(checkpoints: list[Path], output: Path, neurons: str, cols: int, scale: int, fps: float, raw: bool,
             part: str) -> None:
    from pgcli.commands.weights import draw, parse_neurons

    n, w, h, weighted = draw(checkpoints, output, parse_neurons(neurons), cols, scale, fps, raw, part)
    view = ("raw W1" if raw else "W1 weighted by each pixel's use in training" if weighted == n else
            "raw W1: no optimizer state to weigh the pixels by" if not weighted else
            f"W1 weighted by use in {weighted} of {n} frames (the others have no optimizer state)")
    typer.echo(f"wrote {output}: {f'{n} frames' if n > 1 else '1 image'}, {w}x{h}; {view}")


WEIGHT_ARGS = dict(
    output=typer.Option(Path("w1.png"), "--output", "-o", help="PNG for one checkpoint; GIF for several."),
    neurons=typer.Option("40", help="How many neurons to draw, or 'all'."),
    cols=typer.Option(10, min=1, help="Neurons per row."),
    scale=typer.Option(2, min=1, max=16, help="Pixel size."),
    fps=typer.Option(2.0, min=0.1, max=50, help="Animation speed (several checkpoints)."),
    raw=typer.Option(False, "--raw", help="Draw W1 as it is (default: each pixel weighted by its use in training, where the file has it)."),
    part=typer.Option("diff", "--part", help="Which 80x80 input picture's weights to draw: diff, or frame / objects / diff2 for agents trained with them (--input)."),
)


@app.command()
def weights(
    checkpoints: list[Path] = typer.Argument(..., help="One checkpoint, or several for an animation.", show_default=False),
    output: Path = WEIGHT_ARGS["output"], neurons: str = WEIGHT_ARGS["neurons"], cols: int = WEIGHT_ARGS["cols"],
    scale: int = WEIGHT_ARGS["scale"], fps: float = WEIGHT_ARGS["fps"], raw: bool = WEIGHT_ARGS["raw"],
    part: str = WEIGHT_ARGS["part"],
):
    """Draw W1's neurons as 80x80 images (white positive, black negative)."""
    _weights(checkpoints, output, neurons, cols, scale, fps, raw, part)


app.command("visualize-weights", help="Same as `weights`.")(weights)  # the blog's name for the figure


@app.command()
def export(
    checkpoint: Path = CHECKPOINT,
    output: Path = typer.Option(..., "--output", "-o", help="File to write, or a model folder: a path ending in / (or an existing folder, or one without a suffix).", show_default=False),
    karpathy: bool = typer.Option(False, "--karpathy", help="Write Karpathy's save.p format (a pickle) for his original script."),
    float64: bool = typer.Option(False, "--float64", help="Keep float64 weights (default: float32 in a file, float16 in a model folder)."),
    float16: bool = typer.Option(False, "--float16", help="float16 weights: half the float32 file, about 3 significant digits."),
    float32: bool = typer.Option(False, "--float32", help="float32 weights (a model folder's default is float16)."),
    eval_games: int = typer.Option(10, "--eval-games", min=1, help="A model folder: games its card's evaluation plays."),
    gif_steps: int = typer.Option(300, "--gif-steps", min=1, max=3000, help="A model folder: agent steps in its replay.gif."),
):
    """Write a weights-only copy of an agent to share: a file, or a model folder with its card."""
    from pgcli.commands.export import export_file, export_folder
    from pgcli.files.model_folder import is_folder_output

    if float16 + float64 + float32 > 1:
        raise PgcliError("choose one of --float16, --float32 and --float64")
    if is_folder_output(output) and not karpathy:
        dtype = "float64" if float64 else "float32" if float32 else "float16"
        done = export_folder(checkpoint, output, dtype, eval_games, gif_steps, on_event=typer.echo)
        ev = done["evaluation"]
        typer.echo(f"wrote {output}/: {', '.join(done['files'])} ({dtype}); evaluated {ev['mean_reward']:.2f} "
                   f"± {ev['std_reward']:.2f} over {ev['episodes']} games")
        return
    dtype = "float16" if float16 else "float64" if float64 else "float32"
    size, kind = export_file(checkpoint, output, karpathy, dtype)
    typer.echo(f"wrote {output} ({size / 1e6:.1f} MB, {kind})")


@app.command()
def plot(
    metrics: list[Path] = typer.Argument(..., help="One or more metrics CSVs written by pgcli train.", show_default=False),
    output: Path = typer.Option(Path("curve.png"), "--output", "-o", help="Image to write (.png, .svg, .pdf)."),
    label: Optional[list[str]] = typer.Option(None, "--label", "-l", help="Legend label per CSV, in order."),
    title: Optional[str] = typer.Option(None, help="Figure title."),
    game: Optional[str] = typer.Option(None, "--game", help="The game the runs played, if not Pong: its score axis, random and human lines and milestones."),
):
    """Plot learning curves (running reward vs episodes and vs hours); print the milestones."""
    from pgcli.commands.plot import check_output, plot as draw, read_metrics, report

    if game is not None:
        from pgcli.base.envs import game_id, registry

        game = next((n for n, i in registry().items() if i == game_id(game)), game)  # breakout, Breakout, ALE/Breakout-v5

    check_output(output)
    labels = list(label or [])
    if len(labels) > len(metrics):
        raise PgcliError(f"{len(labels)} labels for {len(metrics)} metrics files")
    curves = [read_metrics(m, labels[i] if i < len(labels) else None) for i, m in enumerate(metrics)]
    draw(curves, output, title, game)
    typer.echo(f"wrote {output}")
    for line in report(curves, game):
        typer.echo(line)


@app.command()
def bench(
    seconds: float = typer.Option(60.0, min=3, max=7200, help="Time given to each contender in all."),
    rounds: int = typer.Option(3, min=1, max=60, help="Interleaved turns per contender (evens out machine noise)."),
    num_envs: int = typer.Option(_D.num_envs, min=1, max=256, help="Games side by side for (a) and (c)."),
    algo: Optional[list[str]] = typer.Option(None, "--algo", help="Algorithms to run as (c). (default: reinforce and ppo)"),
    workers: Optional[list[int]] = typer.Option(None, "--workers", min=1, max=256, help="Also run (c) with this many Ray rollout workers (repeatable; needs pgcli\\[ray])."),
    env: str = typer.Option(_D.env_id, "--env", "--game", help="The game to play: a gymnasium id or a short name (breakout)."),
    inputs: Optional[str] = typer.Option(None, "--input", help="What pgcli train's network sees (see pgcli train --help; default: each algorithm's own, as in train)."),
    sticky_actions: Optional[float] = typer.Option(None, "--sticky-actions", min=0.0, max=1.0, help="Chance the emulator repeats the last action (default: the env's own)."),
):
    """Benchmark side by side: raw emulator vs the seed's loop vs pgcli train, end to end."""
    from rich.console import Console

    from pgcli.commands.bench import run
    from pgcli.cli.bench_report import report
    from pgcli.base.config import ALGOS
    from pgcli.base.envs import env_settings

    algos = tuple(algo or ALGOS)
    for a in algos:
        if a not in ALGOS:
            raise PgcliError(f"algo must be one of {', '.join(ALGOS)}, got {a!r}")
    console = Console()
    cfg = Config(num_envs=num_envs, env_id=env, sticky_actions=sticky_actions, inputs=inputs).validate()
    s = env_settings(cfg.env_id, cfg.sticky_actions)  # the settings every contender plays with
    console.print(f"{seconds:.0f} s each in {rounds} interleaved turns; {s.env_id} (frameskip {s.frameskip}, "
                  f"sticky actions {s.repeat_action_probability:g}); (a) and (c) play {num_envs} games side by side, "
                  "(b) one game, dense float64 math")
    seen = {a: Config(algo=a, inputs=inputs).inputs for a in algos}
    console.print("(c) sees " + ", ".join(f"{i} ({a})" for a, i in seen.items()))
    out = run(cfg, seconds, rounds, algos, workers=tuple(workers or ()), inputs=inputs,
              on_result=lambda i, r: console.print(f"  round {i + 1}: {r.name:<28} {r.sps:7,.0f} steps/s"
                                                    + ("" if r.useful is None else f", useful {r.useful / r.seconds:7,.0f}")))
    report(console, out, rounds)

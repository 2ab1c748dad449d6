"""The `pgcli` command line: each command parses flags, calls the core, formats the result."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # BLAS threads only slow pgcli's small products

import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from pgcli import __version__
from pgcli.config import Config
from pgcli.errors import PgcliError


class _Group(TyperGroup):
    """Turns every user mistake into one line on stderr: usage errors exit 2, PgcliError 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as e:  # click-style usage errors (exit code 2)
            if type(e).__name__ == "NoArgsIsHelpError":
                typer.echo(e.format_message())
                sys.exit(0)
            typer.echo(f"pgcli: error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except PgcliError as e:
            typer.echo(f"pgcli: error: {e}", err=True)
            sys.exit(getattr(e, "exit_code", 1))
        except (typer.Abort, KeyboardInterrupt):
            typer.echo("pgcli: interrupted", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_Group,
    help="Policy gradients on ATARI Pong from raw pixels (Karpathy's pg-pong, as a tool).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_D = Config()


def _version(value: bool):
    if value:
        typer.echo(f"pgcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
):
    """Policy gradients on ATARI Pong from raw pixels."""


@app.command()
def train(
    batch_size: Optional[int] = typer.Option(None, min=1, help=f"Episodes per parameter update. [default: {_D.batch_size}]"),
    hidden: Optional[int] = typer.Option(None, min=1, max=65536, help=f"Hidden-layer neurons H. [default: {_D.hidden}]"),
    learning_rate: Optional[float] = typer.Option(None, "--learning-rate", "--lr", help=f"Optimizer step size (> 0). [default: {_D.learning_rate}]"),
    gamma: Optional[float] = typer.Option(None, help=f"Reward discount factor, in (0, 1]. [default: {_D.gamma}]"),
    decay_rate: Optional[float] = typer.Option(None, help=f"RMSProp decay of the grad^2 average, in [0, 1). [default: {_D.decay_rate}]"),
    optimizer: Optional[str] = typer.Option(None, help=f"rmsprop (the seed's) or adam. [default: {_D.optimizer}]"),
    fast: bool = typer.Option(False, "--fast", help="Preset: Adam with learning rate 1e-3 (learns Pong several times faster than the seed's RMSProp 1e-4)."),
    seed: Optional[int] = typer.Option(None, min=0, help=f"Seed for weights, actions and emulator. [default: {_D.seed}]"),
    env: Optional[str] = typer.Option(None, "--env", help=f"Pong variant: ALE/Pong-v5, or Pong-v0 for the 2016 setup. [default: {_D.env_id}]"),
    num_envs: Optional[int] = typer.Option(None, min=1, max=256, help=f"Games played side by side. [default: {_D.num_envs}]"),
    episodes: Optional[int] = typer.Option(None, min=1, help="Stop after this many more episodes. [default: until Ctrl-C]"),
    output: Path = typer.Option(Path("save.p"), "--output", "-o", help="Checkpoint to write (metrics go to <stem>.metrics.csv beside it)."),
    save_every: int = typer.Option(100, min=1, help="Checkpoint every this many episodes."),
    resume: Optional[Path] = typer.Option(None, help="Continue from a pgcli checkpoint or a Karpathy save.p."),
    render: bool = typer.Option(False, "--render", help="Show one game in a window while training (slow)."),
):
    """Train a policy network on Pong from raw pixels (Ctrl-C saves and stops)."""
    from pgcli.progress import TrainProgress
    from pgcli.train import train as run_train

    overrides = {k: v for k, v in dict(
        batch_size=batch_size, hidden=hidden, learning_rate=learning_rate, gamma=gamma, decay_rate=decay_rate,
        optimizer=optimizer, seed=seed, env_id=env, num_envs=num_envs).items() if v is not None}
    if fast:
        overrides.setdefault("optimizer", "adam")
        overrides.setdefault("learning_rate", 1e-3)
    with TrainProgress(episodes) as prog:
        result = run_train(overrides, output, episodes=episodes, save_every=save_every, resume=resume,
                           render=render, on_episode=prog.episode, on_event=prog.message, on_start=prog.started)
    rr = "-" if result.running_reward is None else f"{result.running_reward:.2f}"
    typer.echo(f"saved {result.output} after episode {result.episodes} (running reward {rr}); "
               f"metrics in {result.metrics}")


def _progress(total: int, what: str):
    """A rich progress bar on stderr (stdout stays clean for results and --json)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal, transient=True)


CHECKPOINT = typer.Argument(..., help="A pgcli checkpoint or a Karpathy save.p.", show_default=False)
EPISODES = typer.Option(..., "--episodes", "-n", min=1, help="Games to play.")


@app.command()
def play(
    checkpoint: Path = CHECKPOINT,
    render: bool = typer.Option(False, "--render", help="Watch in a window at the game's real speed."),
    terminal: bool = typer.Option(False, "--terminal", help="Watch in this terminal (works over SSH)."),
    episodes: int = typer.Option(1, "--episodes", "-n", min=1, help="Games to play."),
    seed: int = typer.Option(0, min=0, help="Seed for the emulator and the action sampling."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the more likely action (default: sample, as in training)."),
    env: Optional[str] = typer.Option(None, "--env", help="Override the env the agent was trained on."),
):
    """Watch a trained agent play full games against the built-in AI."""
    from pgcli.agent import load_agent
    from pgcli.watch import watch

    agent = load_agent(checkpoint, env)
    if render and terminal:
        raise PgcliError("choose one of --render and --terminal")
    if render and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise PgcliError(f"no display found (DISPLAY is not set); watch in this terminal instead: "
                         f"pgcli play {checkpoint} --terminal")

    def on_point(view):
        if not terminal:
            me, ai = view.score
            who = "agent" if view.reward > 0 else "AI"
            typer.echo(f"game {view.episode + 1}: point to {who:<5}  {me:2d} : {ai:<2d}")

    mode = "terminal" if terminal else "window" if render else "headless"
    try:
        results = watch(agent, episodes, seed, greedy, mode, on_point)
    except KeyboardInterrupt:
        raise typer.Exit(130)
    for i, r in enumerate(results):
        typer.echo(f"game {i + 1}: final score agent {r['won']} : {r['lost']} AI ({r['reward']:+d}, {r['steps']} steps)")


@app.command()
def evaluate(
    checkpoint: Path = CHECKPOINT,
    episodes: int = typer.Option(10, "--episodes", "-n", min=1, help="Games to play."),
    seed: int = typer.Option(0, min=0, help="Seed: same seed, same result."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the more likely action."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    env: Optional[str] = typer.Option(None, "--env", help="Override the env the agent was trained on."),
):
    """Measure an agent against the built-in AI over N games (no learning)."""
    import json

    from pgcli.agent import load_agent
    from pgcli.evaluate import evaluate as run_eval

    agent = load_agent(checkpoint, env)
    with _progress(episodes, "evaluating") as prog:
        task = prog.add_task("eval", total=episodes, info="")
        done = []

        def tick(r):
            done.append(r["reward"])
            prog.update(task, advance=1, info=f"mean reward {sum(done) / len(done):+.2f}")

        res = run_eval(agent, episodes, seed, greedy, on_episode=tick)
    res["checkpoint"] = str(checkpoint)
    if json_out:
        typer.echo(json.dumps(res))
        return
    typer.echo(f"{checkpoint}: {episodes} games on {res['env_id']} ({'greedy' if greedy else 'sampled'} actions, seed {seed})")
    typer.echo(f"  mean reward   {res['mean_reward']:+.2f} ± {res['std_reward']:.2f}  (points won minus lost; +21 is a perfect game)")
    typer.echo(f"  points        won {res['points_won']}, lost {res['points_lost']}")
    typer.echo(f"  games won     {res['games_won']} of {episodes}")
    typer.echo(f"  game length   {res['mean_episode_steps']:.0f} agent steps on average")
    typer.echo(f"  speed         {res['steps_per_second']:.0f} agent steps/s")


@app.command()
def record(
    checkpoint: Path = CHECKPOINT,
    output: Path = typer.Option(Path("pong.gif"), "--output", "-o", help="Output file: .gif, or .mp4 (needs pgcli[mp4])."),
    episodes: int = typer.Option(1, "--episodes", "-n", min=1, help="Games to record."),
    max_frames: Optional[int] = typer.Option(None, min=1, help="Stop after this many frames."),
    fps: Optional[float] = typer.Option(None, min=1, max=100, help="Frames per second. [default: real game speed]"),
    scale: int = typer.Option(2, min=1, max=8, help="Pixel size."),
    show_input: bool = typer.Option(False, "--show-input", help="Add a panel with what the network sees and P(UP)."),
    seed: int = typer.Option(0, min=0, help="Seed for the emulator and the action sampling."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the more likely action."),
    env: Optional[str] = typer.Option(None, "--env", help="Override the env the agent was trained on."),
):
    """Record gameplay to a GIF or MP4 (works without a display)."""
    from pgcli.agent import load_agent
    from pgcli.record import check_output, record as run_record

    check_output(output)
    agent = load_agent(checkpoint, env)
    with _progress(max_frames or 0, "recording") as prog:
        task = prog.add_task("rec", total=max_frames, info="")
        res = run_record(agent, output, episodes, max_frames, fps, scale, show_input, seed, greedy,
                         on_frame=lambda n: prog.update(task, completed=n, info=f"{n} frames"))
    w, h = res["size"]
    score = ", ".join(f"{g['won']}:{g['lost']}" + ("" if g["finished"] else " (cut)") for g in res["games"])
    typer.echo(f"wrote {output}: {res['frames']} frames, {w}x{h}, {res['fps']:.0f} fps (score {score})")


def _weights(checkpoints: list[Path], output: Path, neurons: str, cols: int, scale: int, fps: float) -> None:
    from pgcli.weights import draw, parse_neurons

    n, w, h = draw(checkpoints, output, parse_neurons(neurons), cols, scale, fps)
    typer.echo(f"wrote {output}: {f'{n} frames' if n > 1 else '1 image'}, {w}x{h}")


WEIGHT_ARGS = dict(
    output=typer.Option(Path("w1.png"), "--output", "-o", help="PNG for one checkpoint; GIF for several."),
    neurons=typer.Option("40", help="How many neurons to draw, or 'all'."),
    cols=typer.Option(10, min=1, help="Neurons per row."),
    scale=typer.Option(2, min=1, max=16, help="Pixel size."),
    fps=typer.Option(2.0, min=0.1, max=50, help="Animation speed (several checkpoints)."),
)


@app.command()
def weights(
    checkpoints: list[Path] = typer.Argument(..., help="One checkpoint, or several for an animation.", show_default=False),
    output: Path = WEIGHT_ARGS["output"], neurons: str = WEIGHT_ARGS["neurons"], cols: int = WEIGHT_ARGS["cols"],
    scale: int = WEIGHT_ARGS["scale"], fps: float = WEIGHT_ARGS["fps"],
):
    """Draw W1's neurons as 80x80 images (white positive, black negative)."""
    _weights(checkpoints, output, neurons, cols, scale, fps)


@app.command("visualize-weights")
def visualize_weights(
    checkpoints: list[Path] = typer.Argument(..., help="One checkpoint, or several for an animation.", show_default=False),
    output: Path = WEIGHT_ARGS["output"], neurons: str = WEIGHT_ARGS["neurons"], cols: int = WEIGHT_ARGS["cols"],
    scale: int = WEIGHT_ARGS["scale"], fps: float = WEIGHT_ARGS["fps"],
):
    """Same as `weights`."""
    _weights(checkpoints, output, neurons, cols, scale, fps)


@app.command()
def export(
    checkpoint: Path = CHECKPOINT,
    output: Path = typer.Option(..., "--output", "-o", help="File to write.", show_default=False),
    karpathy: bool = typer.Option(False, "--karpathy", help="Write Karpathy's save.p format (a pickle) for his original script."),
    float64: bool = typer.Option(False, "--float64", help="Keep float64 weights (default: float32, half the size)."),
):
    """Write a small weights-only copy of a checkpoint to share (config and env settings kept)."""
    from pgcli import checkpoint as ckpt_io

    from pgcli.outputs import check_output

    ck = ckpt_io.load(checkpoint)
    check_output(output)
    if karpathy:
        data = ckpt_io.karpathy_pickle(ck)
    else:
        data = ckpt_io.encode(ckpt_io.export_weights(ck, float32=not float64))
    try:
        ckpt_io.atomic_write(output, data)
    except OSError as e:
        raise PgcliError(f"{output}: cannot write ({e.strerror})") from None
    typer.echo(f"wrote {output} ({len(data) / 1e6:.1f} MB, {'Karpathy save.p' if karpathy else 'pgcli weights'})")


@app.command()
def plot(
    metrics: list[Path] = typer.Argument(..., help="One or more metrics CSVs written by pgcli train.", show_default=False),
    output: Path = typer.Option(Path("curve.png"), "--output", "-o", help="Image to write (.png, .svg, .pdf)."),
    label: Optional[list[str]] = typer.Option(None, "--label", "-l", help="Legend label per CSV, in order."),
    title: Optional[str] = typer.Option(None, help="Figure title."),
):
    """Plot learning curves (running reward vs episodes and vs hours); print the milestones."""
    from pgcli.plot import MILESTONES, check_output, plot as draw, read_metrics

    check_output(output)
    labels = list(label or [])
    if len(labels) > len(metrics):
        raise PgcliError(f"{len(labels)} labels for {len(metrics)} metrics files")
    curves = [read_metrics(m, labels[i] if i < len(labels) else None) for i, m in enumerate(metrics)]
    draw(curves, output, title)
    typer.echo(f"wrote {output}")
    for c in curves:
        last = c.running_reward[-1]
        typer.echo(f"{c.label}: {c.episode[-1]} episodes, {c.hours[-1]:.2f} h, running reward {last:.2f}")
        for level in MILESTONES:
            hit = c.first_reaching(level)
            where = "not reached" if hit is None else f"episode {hit[0]:>6,}  {hit[1]:5.2f} h  {hit[2] / 1e6:6.2f}M steps"
            typer.echo(f"  running reward >= {level:>3}: {where}")


@app.command()
def bench(
    seconds: float = typer.Option(30.0, min=3, max=3600, help="Time given to each contender in all."),
    rounds: int = typer.Option(6, min=1, max=60, help="Interleaved turns per contender (evens out machine noise)."),
    num_envs: int = typer.Option(_D.num_envs, min=1, max=256, help="Games side by side for (a) and (c)."),
):
    """Benchmark side by side: raw emulator vs the seed's loop vs pgcli train."""
    from rich.console import Console
    from rich.table import Table

    from pgcli.bench import run

    console = Console()
    console.print(f"{seconds:.0f} s each; ALE/Pong-v5 settings (frameskip 4, sticky actions 0.25); "
                  f"(a) and (c) play {num_envs} games side by side, (b) one game with dense float64 math")
    out = run(Config(num_envs=num_envs), seconds, rounds,
              on_result=lambda i, r: console.print(f"  round {i + 1}: {r.name:<22} {r.sps:7,.0f} steps/s"))
    console.print(out["machine"])
    table = Table()
    for col in ("contender", "frames/s", "steps/s", "bytes/step", "not waiting"):
        table.add_column(col, justify="left" if col == "contender" else "right")
    for r in out["results"].values():
        table.add_row(r.name, f"{r.fps:,.0f}", f"{r.sps:,.0f}",
                      "-" if r.bytes_per_step is None else f"{r.bytes_per_step:,.0f}",
                      "-" if r.outside_emulator is None else f"{r.outside_emulator:.0%}")
    console.print(table)
    console.print(f"c/a (pgcli vs the faster raw layout, median of {rounds} rounds): {out['ratio_vs_raw']:.2f}")
    console.print(f"c/b (pgcli vs the seed's loop, median of {rounds} rounds): {out['ratio_vs_seed']:.2f}x")
    console.print("bytes/step: memory per stored agent step; not waiting: share of pgcli's wall time "
                  f"spent outside the emulator calls; peak RSS {out['peak_rss_mb']:.0f} MB")


def main() -> None:
    app()

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
from pgcli.cli_flags import HOW_LONG, WHERE, config_options
from pgcli.config import Config
from pgcli.errors import PgcliError, Stopped


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
        except Stopped as e:  # the user asked for it: say what happened, not "error"
            typer.echo(f"pgcli: {e}", err=True)
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
    rich_markup_mode="rich",
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
@config_options
def train(
    config: dict,
    preset: Optional[str] = typer.Option(None, help="karpathy: the 2016 script exactly (RMSProp, lr 1e-4, batch 10, Pong-v0).", rich_help_panel="What to train"),
    fast: bool = typer.Option(False, "--fast", help="Adam at lr 1e-3 (now the default; kept for old scripts).", rich_help_panel="REINFORCE (the seed's method)"),
    episodes: Optional[int] = typer.Option(None, min=1, help="Stop after this many more episodes. (default: until Ctrl-C)", rich_help_panel=HOW_LONG),
    minutes: Optional[float] = typer.Option(None, min=0.01, help="Stop after this many more minutes of training (then save).", rich_help_panel=HOW_LONG),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Checkpoint to write (metrics go to <stem>.metrics.csv beside it). (default: the checkpoint resumed, else save.p)", rich_help_panel=WHERE),
    overwrite: bool = typer.Option(False, "--overwrite", help="Let this new run replace the checkpoint and metrics of another run at --output.", rich_help_panel=WHERE),
    save_every: int = typer.Option(100, min=1, help="Checkpoint every this many episodes (the games go on while it is written).", rich_help_panel=WHERE),
    resume: Optional[Path] = typer.Option(None, help="Continue from a pgcli checkpoint or a Karpathy save.p.", rich_help_panel=WHERE),
    tensorboard: Optional[Path] = typer.Option(None, "--tensorboard", help="Also write TensorBoard logs to this folder (needs pgcli\\[tensorboard]).", rich_help_panel=WHERE),
    render: bool = typer.Option(False, "--render", help="Show one game in a window while training (slow).", rich_help_panel="Performance"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=1024, help="Play the games in this many Ray rollout workers (needs pgcli\\[ray]).", rich_help_panel="Performance"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Join this Ray cluster (e.g. 10.0.0.5:6379) instead of starting a local one.", rich_help_panel="Performance"),
    worker_timeout: float = typer.Option(60.0, "--worker-timeout", min=1.0, help="Seconds a rollout worker may take to answer before it is replaced (a hung or stopped worker).", rich_help_panel="Performance"),
):
    """Train a policy network on Pong from raw pixels (Ctrl-C saves and stops).

    REINFORCE with Adam by default; --algo ppo for a strong agent in minutes; --preset karpathy for 2016.
    """
    from pgcli.commands.progress import TrainProgress
    from pgcli.commands.train import train as run_train

    if fast:
        config.setdefault("optimizer", "adam")
        config.setdefault("learning_rate", 1e-3)
    with TrainProgress(episodes) as prog:
        result = run_train(config, output, episodes=episodes, save_every=save_every, resume=resume,
                           render=render, preset=preset, max_seconds=None if minutes is None else minutes * 60,
                           tensorboard=tensorboard, workers=workers, ray_address=ray_address, on_episode=prog.episode, on_event=prog.message,
                           on_start=prog.started, overwrite=overwrite, worker_timeout=worker_timeout)
    rr = "-" if result.running_reward is None else f"{result.running_reward:.2f}"
    typer.echo(f"saved {result.output} after episode {result.episodes} (running reward {rr}); "
               f"metrics in {result.metrics}")
    if result.session_steps:
        typer.echo(f"learned from {result.learned_steps / result.session_steps:.1%} of the {result.session_steps:,} "
                   f"agent steps played ({result.salvaged_steps:,} from points completed in the games cut by the stop)")


def _progress(total: int, what: str):
    """A rich progress bar on stderr (stdout stays clean for results and --json)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal, transient=True)


CHECKPOINT = typer.Argument(..., help="A pgcli checkpoint or a Karpathy save.p.", show_default=False)
STICKY = typer.Option(None, "--sticky-actions", min=0.0, max=1.0,
                      help="Chance the emulator repeats the last action (default: what the agent trained with).")
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
    sticky_actions: Optional[float] = STICKY,
):
    """Watch a trained agent play full games against the built-in AI."""
    from pgcli.commands.agent import load_agent
    from pgcli.commands.watch import watch

    agent = load_agent(checkpoint, env, sticky_actions)
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
    sticky_actions: Optional[float] = STICKY,
):
    """Measure an agent against the built-in AI over N games (no learning)."""
    import json

    from pgcli.commands.agent import load_agent
    from pgcli.commands.evaluate import evaluate as run_eval

    agent = load_agent(checkpoint, env, sticky_actions)
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
    typer.echo(f"{checkpoint}: {episodes} games on {res['env_id']} with sticky actions {res['sticky_actions']:g} "
               f"({'greedy' if greedy else 'sampled'} actions, seed {seed})")
    typer.echo(f"  mean reward   {res['mean_reward']:+.2f} ± {res['std_reward']:.2f}  (points won minus lost; +21 is a perfect game)")
    typer.echo(f"  points        won {res['points_won']}, lost {res['points_lost']}")
    typer.echo(f"  games won     {res['games_won']} of {episodes}")
    typer.echo(f"  game length   {res['mean_episode_steps']:.0f} agent steps on average")
    typer.echo(f"  speed         {res['steps_per_second']:.0f} agent steps/s")


@app.command()
def record(
    checkpoint: Path = CHECKPOINT,
    output: Path = typer.Option(Path("pong.gif"), "--output", "-o", help="Output file: .gif, or .mp4 (needs pgcli\\[mp4])."),
    episodes: int = typer.Option(1, "--episodes", "-n", min=1, help="Games to record."),
    max_frames: Optional[int] = typer.Option(None, min=1, help="Stop after this many frames."),
    fps: Optional[float] = typer.Option(None, min=1, max=100, help="Frames per second. (default: real game speed)"),
    scale: int = typer.Option(2, min=1, max=8, help="Pixel size."),
    show_input: bool = typer.Option(False, "--show-input", help="Add a panel with what the network sees and P(UP)."),
    seed: int = typer.Option(0, min=0, help="Seed for the emulator and the action sampling."),
    greedy: bool = typer.Option(False, "--greedy", help="Always take the more likely action."),
    env: Optional[str] = typer.Option(None, "--env", help="Override the env the agent was trained on."),
    sticky_actions: Optional[float] = STICKY,
):
    """Record gameplay to a GIF or MP4 (works without a display)."""
    from pgcli.commands.agent import load_agent
    from pgcli.commands.record import check_output, record as run_record

    check_output(output)
    agent = load_agent(checkpoint, env, sticky_actions)
    with _progress(max_frames or 0, "recording") as prog:
        task = prog.add_task("rec", total=max_frames, info="")
        res = run_record(agent, output, episodes, max_frames, fps, scale, show_input, seed, greedy,
                         on_frame=lambda n: prog.update(task, completed=n, info=f"{n} frames"))
    w, h = res["size"]
    score = ", ".join(f"{g['won']}:{g['lost']}" + ("" if g["finished"] else " (cut)") for g in res["games"])
    typer.echo(f"wrote {output}: {res['frames']} frames, {w}x{h}, {res['fps']:.0f} fps (score {score})")


def _weights(checkpoints: list[Path], output: Path, neurons: str, cols: int, scale: int, fps: float) -> None:
    from pgcli.commands.weights import draw, parse_neurons

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
    from pgcli.files import checkpoint as ckpt_io

    from pgcli.files.outputs import check_output

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
    from pgcli.commands.plot import MILESTONES, check_output, group, milestone_summary, plot as draw, read_metrics

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
    for label, runs in group(curves).items():
        if len(runs) < 2:
            continue
        best = max(float(c.running_reward.max()) for c in runs)
        typer.echo(f"{label}, {len(runs)} runs: median (min-max); best running reward {best:.2f}")
        for level in MILESTONES:
            m = milestone_summary(runs, level)
            if not m["reached"]:
                typer.echo(f"  running reward >= {level:>3}: reached by 0 of {m['runs']} runs")
                continue
            (h, h0, h1), (st, s0, s1), (ep, e0, e1) = m["hours"], m["steps"], m["episode"]
            typer.echo(f"  running reward >= {level:>3}: {h:5.2f} h ({h0:.2f}-{h1:.2f})  {st / 1e6:5.2f}M steps "
                       f"({s0 / 1e6:.2f}-{s1 / 1e6:.2f})  episode {ep:,.0f} ({e0:,.0f}-{e1:,.0f})  "
                       f"[{m['reached']} of {m['runs']} runs]")


@app.command()
def bench(
    seconds: float = typer.Option(60.0, min=3, max=7200, help="Time given to each contender in all."),
    rounds: int = typer.Option(3, min=1, max=60, help="Interleaved turns per contender (evens out machine noise)."),
    num_envs: int = typer.Option(_D.num_envs, min=1, max=256, help="Games side by side for (a) and (c)."),
    algo: Optional[list[str]] = typer.Option(None, "--algo", help="Algorithms to run as (c). (default: reinforce and ppo)"),
    workers: Optional[list[int]] = typer.Option(None, "--workers", min=1, max=256, help="Also run (c) with this many Ray rollout workers (repeatable; needs pgcli\\[ray])."),
    env: str = typer.Option(_D.env_id, "--env", help="Gymnasium id of the Pong variant to play."),
    sticky_actions: Optional[float] = typer.Option(None, "--sticky-actions", min=0.0, max=1.0, help="Chance the emulator repeats the last action (default: the env's own)."),
):
    """Benchmark side by side: raw emulator vs the seed's loop vs pgcli train, end to end."""
    from rich.console import Console
    from rich.table import Table

    from pgcli.commands.bench import run
    from pgcli.config import ALGOS
    from pgcli.envs import env_settings

    algos = tuple(algo or ALGOS)
    for a in algos:
        if a not in ALGOS:
            raise PgcliError(f"algo must be one of {', '.join(ALGOS)}, got {a!r}")
    console = Console()
    cfg = Config(num_envs=num_envs, env_id=env, sticky_actions=sticky_actions).validate()
    s = env_settings(cfg.env_id, cfg.sticky_actions)  # the settings every contender plays with
    console.print(f"{seconds:.0f} s each in {rounds} interleaved turns; {s.env_id} (frameskip {s.frameskip}, "
                  f"sticky actions {s.repeat_action_probability:g}); (a) and (c) play {num_envs} games side by side, "
                  "(b) one game, dense float64 math")
    out = run(cfg, seconds, rounds, algos, workers=tuple(workers or ()),
              on_result=lambda i, r: console.print(f"  round {i + 1}: {r.name:<28} {r.sps:7,.0f} steps/s"
                                                    + ("" if r.useful is None else f", useful {r.useful / r.seconds:7,.0f}")))
    console.print(out["machine"])
    table = Table()
    for col in ("contender", "emulated frames/s", "useful frames/s", "steps/s", "bytes/step"):
        table.add_column(col, justify="left" if col == "contender" else "right")
    for r in out["results"].values():
        table.add_row(r.name, f"{r.fps:,.0f}", f"{r.useful_fps:,.0f}", f"{r.sps:,.0f}",
                      "-" if r.bytes_per_step is None else f"{r.bytes_per_step:,.0f}")
    console.print(table)
    for k, q in out["ratios"].items():
        console.print(f"{out['results'][k].name}: useful/raw {q['useful_vs_raw']:.2f} (emulated/raw "
                      f"{q['emulated_vs_raw']:.2f}), useful/seed {q['useful_vs_seed']:.2f}x, thrown away "
                      f"{q['thrown_away']:.1%}; whole run with start-up: useful/raw {q['whole_run_useful_vs_raw']:.2f}")
    for k, q in out["cluster"].items():
        console.print(f"{out['results'][k].name}: learner {q['learner_us_per_step']:.1f} us CPU per agent step, workers "
                      f"{q['worker_us_per_step']:.0f} us CPU per step, {q['wire_bytes_per_step']:.0f} bytes of experience per step")
    console.print(f"useful: steps that entered a gradient; useful/raw = emulated/raw (median of {rounds} per-round "
                  "ratios) x the run's useful share; raw: the faster layout of (a); the seed's loop counts all its "
                  f"steps as useful; bytes/step: memory per stored agent step; peak RSS {out['peak_rss_mb']:.0f} MB")


def main() -> None:
    app()

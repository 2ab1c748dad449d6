"""The `pgcli` command line: each command parses flags, calls the core, formats the result."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from pgcli import __version__
from pgcli.cli_flags import HOW_LONG, WHERE, config_options
from pgcli.cli_stdout import give_up_stdout, stdout_failure
from pgcli.errors import PgcliError, Stopped


class _Group(TyperGroup):
    """Turns every user mistake into one line on stderr: usage errors exit 2, PgcliError 1, an
    output that cannot be written 1."""

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
        except OSError as e:
            if (failed := stdout_failure(e)) is None:
                raise e  # not standard output: a bug, keep its traceback
            give_up_stdout(failed)
        if (failed := stdout_failure()) is not None:
            give_up_stdout(failed)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_Group,
    help="Policy gradients on ATARI games from raw pixels (Karpathy's pg-pong, as a tool).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool):
    if value:
        typer.echo(f"pgcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
):
    """Policy gradients on ATARI games from raw pixels."""


@app.command()
@config_options
def train(
    config: dict,
    preset: Optional[str] = typer.Option(None, help="karpathy: the 2016 script exactly (RMSProp, lr 1e-4, batch 10, Pong-v0); atari: PPO with its defaults, what measured best on the sticky-action games (--input diff+objects+action, --episodic-life).", rich_help_panel="What to train"),
    episodes: Optional[int] = typer.Option(None, min=1, help="Stop after this many more episodes. (default: until Ctrl-C)", rich_help_panel=HOW_LONG),
    minutes: Optional[float] = typer.Option(None, min=0.01, help="Stop after this many more minutes of training (then save).", rich_help_panel=HOW_LONG),
    steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Stop after this many more agent steps (then save).", rich_help_panel=HOW_LONG),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Checkpoint to write (metrics go to <stem>.metrics.csv beside it). (default: the checkpoint resumed, else save.p)", rich_help_panel=WHERE),
    overwrite: bool = typer.Option(False, "--overwrite", help="Let this new run replace the checkpoint and metrics of another run at --output.", rich_help_panel=WHERE),
    save_every: int = typer.Option(100, min=1, help="Checkpoint every this many episodes (the games go on while it is written).", rich_help_panel=WHERE),
    snapshot_every: Optional[int] = typer.Option(None, "--snapshot-every", min=1, help="Also keep the agent at every this many agent steps, as <stem>.1M.p, <stem>.2M.p, ... beside the checkpoint (weights only; play, record or evaluate each).", rich_help_panel=WHERE),
    resume: Optional[Path] = typer.Option(None, help="Continue from a pgcli checkpoint or a Karpathy save.p.", rich_help_panel=WHERE),
    tensorboard: Optional[Path] = typer.Option(None, "--tensorboard", help="Also write TensorBoard logs to this folder (needs pgcli\\[tensorboard]).", rich_help_panel=WHERE),
    render: bool = typer.Option(False, "--render", help="Show one game in a window while training (slow).", rich_help_panel="Performance"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=1024, help="Play the games in this many Ray rollout workers (needs pgcli\\[ray]).", rich_help_panel="Performance"),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Join this Ray cluster (e.g. 10.0.0.5:6379) instead of starting a local one.", rich_help_panel="Performance"),
    worker_timeout: float = typer.Option(60.0, "--worker-timeout", min=1.0, help="Seconds a rollout worker may take to answer before it is replaced (a hung or stopped worker).", rich_help_panel="Performance"),
):
    """Train a policy network on Pong (or --game NAME) from raw pixels (Ctrl-C saves and stops).

    REINFORCE with Adam by default; --algo ppo for a strong agent in minutes; --preset karpathy for 2016.
    """
    from pgcli.commands.progress import TrainProgress
    from pgcli.commands.train import train as run_train

    with TrainProgress(episodes) as prog:
        result = run_train(config, output, episodes=episodes, save_every=save_every, resume=resume,
                           render=render, preset=preset, max_seconds=None if minutes is None else minutes * 60, max_steps=steps,
                           tensorboard=tensorboard, workers=workers, ray_address=ray_address, on_episode=prog.episode, on_event=prog.message,
                           on_start=prog.started, overwrite=overwrite, worker_timeout=worker_timeout,
                           snapshot_every=snapshot_every)
    rr = "-" if result.running_reward is None else f"{result.running_reward:.2f}"
    typer.echo(f"saved {result.output} after episode {result.episodes} (running reward {rr}); "
               f"metrics in {result.metrics}")
    if result.session_steps:
        typer.echo(f"learned from {result.learned_steps / result.session_steps:.1%} of the {result.session_steps:,} "
                   f"agent steps played ({result.salvaged_steps:,} from points completed in the games cut by the stop)")


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

    pong = agent.game.name == "pong"

    def on_point(view):
        if not terminal and pong:
            me, ai = view.score
            who = "agent" if view.reward > 0 else "AI"
            typer.echo(f"game {view.episode + 1}: point to {who:<5}  {me:2d} : {ai:<2d}")

    mode = "terminal" if terminal else "window" if render else "headless"
    try:
        results = watch(agent, episodes, seed, greedy, mode, on_point)
    except KeyboardInterrupt:
        raise typer.Exit(130)
    for i, r in enumerate(results):
        if pong:
            typer.echo(f"game {i + 1}: final score agent {r['won']} : {r['lost']} AI ({r['reward']:+g}, {r['steps']} steps)")
        else:
            typer.echo(f"game {i + 1}: score {r['reward']:g} ({r['steps']} steps{'' if r['finished'] else ', cut'})")


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
    """Measure an agent over N games (Pong: against the built-in AI), no learning."""
    import json

    from pgcli.commands.agent import load_agent
    from pgcli.commands.evaluate import evaluate as run_eval

    agent = load_agent(checkpoint, env, sticky_actions)
    from pgcli.commands.progress import progress_bar

    with progress_bar(episodes, "evaluating") as prog:
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
    if "points_won" in res:
        typer.echo(f"  mean reward   {res['mean_reward']:+.2f} ± {res['std_reward']:.2f}  (points won minus lost; +21 is a perfect game)")
        typer.echo(f"  points        won {res['points_won']}, lost {res['points_lost']}")
        typer.echo(f"  games won     {res['games_won']} of {episodes}")
    else:
        typer.echo(f"  mean score    {res['mean_reward']:.2f} ± {res['std_reward']:.2f}  (the game's own score, unclipped)")
    if res["place"]:
        typer.echo(f"  vs humans     {res['place']}")
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
    show_input: bool = typer.Option(False, "--show-input", help="Add a panel with what the network sees and its action probabilities."),
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
    from pgcli.commands.progress import progress_bar

    with progress_bar(max_frames or 0, "recording") as prog:
        task = prog.add_task("rec", total=max_frames, info="")
        res = run_record(agent, output, episodes, max_frames, fps, scale, show_input, seed, greedy,
                         on_frame=lambda n: prog.update(task, completed=n, info=f"{n} frames"))
    w, h = res["size"]
    pong = agent.game.name == "pong"
    score = ", ".join((f"{g['won']}:{g['lost']}" if pong else f"{g['reward']:g}") + ("" if g["finished"] else " (cut)")
                      for g in res["games"])
    typer.echo(f"wrote {output}: {res['frames']} frames, {w}x{h}, {res['fps']:.0f} fps (score {score})")


@app.command("games")
def games_(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON list instead of a table."),
):
    """List the Atari games ale-py ships, with the actions the policy picks from."""
    import json

    from pgcli.games import REFERENCES, catalogue

    rows = catalogue()
    if json_out:
        typer.echo(json.dumps([{"game": n, "env_id": i, "actions": a, "random_human": REFERENCES.get(n)}
                               for n, i, a in rows]))
        return
    for name, gid, a in rows:
        ref = REFERENCES.get(name)
        note = "cannot be loaded by this ale-py" if not a else ("2 (UP, DOWN; the seed's sigmoid)" if name == "pong" else str(a))
        typer.echo(f"{name:<20} {gid:<26} actions {note}" + (f"   random {ref[0]:g}, human {ref[1]:g}" if ref else ""))
    typer.echo(f"{len(rows)} games; train one with: pgcli train --game NAME (e.g. pgcli train --game breakout --algo ppo)")


from pgcli import cli_benchmark, cli_results  # noqa: E402,F401  (register weights, visualize-weights, export, plot, bench, benchmark on `app`)


def main() -> None:
    app()

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
        except typer.Abort:
            typer.echo("pgcli: aborted", err=True)
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
    render: bool = typer.Option(False, help="Show one game in a window while training (slow)."),
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
    start = 0
    if resume is not None:
        from pgcli.checkpoint import load

        start = load(resume).episode
    with TrainProgress(episodes, start) as prog:
        result = run_train(overrides, output, episodes=episodes, save_every=save_every, resume=resume,
                           render=render, on_episode=prog.episode, on_event=prog.message)
    rr = "-" if result.running_reward is None else f"{result.running_reward:.2f}"
    typer.echo(f"saved {result.output} after episode {result.episodes} (running reward {rr}); "
               f"metrics in {result.metrics}")


def main() -> None:
    app()

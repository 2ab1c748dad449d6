"""`pgcli train`: the flags (one per Config field, from `pgcli.cli.flags`), the progress, the result line."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pgcli.cli.root import app
from pgcli.cli.flags import HOW_LONG, WHERE, config_options
from pgcli.base.config import SAVE_EVERY


@app.command()
@config_options
def train(
    config: dict,
    preset: Optional[str] = typer.Option(None, help="karpathy: the 2016 script exactly (RMSProp, lr 1e-4, batch 10, Pong-v0); atari: PPO with its defaults, what measured best on the sticky-action games (--input diff+objects+action, --episodic-life).", rich_help_panel="What to train"),
    episodes: Optional[int] = typer.Option(None, min=1, help="Stop after this many more episodes. (default: until Ctrl-C)", rich_help_panel=HOW_LONG),
    minutes: Optional[float] = typer.Option(None, min=0.01, help="Stop after this many more minutes of training (then save).", rich_help_panel=HOW_LONG),
    steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Stop after this many more agent steps (then save).", rich_help_panel=HOW_LONG),
    until_reward: Optional[float] = typer.Option(None, "--until-reward", help="Stop once the running reward reaches this (then save); 0 on Pong: as many points won as lost.", rich_help_panel=HOW_LONG),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Checkpoint to write (metrics go to <stem>.metrics.csv beside it). (default: the checkpoint resumed, else save.p)", rich_help_panel=WHERE),
    overwrite: bool = typer.Option(False, "--overwrite", help="Let this new run replace the checkpoint and metrics of another run at --output.", rich_help_panel=WHERE),
    save_every: int = typer.Option(SAVE_EVERY, min=1, help="Checkpoint every this many episodes (the games go on while it is written).", rich_help_panel=WHERE),
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
    from pgcli.cli.progress import TrainProgress
    from pgcli.commands.train import Budget, Hooks, Saving, Where, train as run_train

    with TrainProgress(episodes) as prog:
        budget = Budget(episodes=episodes, seconds=None if minutes is None else minutes * 60, steps=steps,
                        until_reward=until_reward)
        result = run_train(config, output, budget, resume=resume, preset=preset, overwrite=overwrite,
                           saving=Saving(every=save_every, snapshot_every=snapshot_every, tensorboard=tensorboard),
                           where=Where(render=render, workers=workers, ray_address=ray_address, worker_timeout=worker_timeout),
                           hooks=Hooks(on_episode=prog.episode, on_event=prog.message, on_start=prog.started))
    rr = "-" if result.running_reward is None else f"{result.running_reward:.2f}"
    typer.echo(f"saved {result.output} after episode {result.episodes} (running reward {rr}); "
               f"metrics in {result.metrics}")
    if result.session_steps:
        typer.echo(f"learned from {result.learned_steps / result.session_steps:.1%} of the {result.session_steps:,} "
                   f"agent steps played ({result.salvaged_steps:,} from points completed in the games cut by the stop)")

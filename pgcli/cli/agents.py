"""The commands that run an agent: `play`, `evaluate`, `record`, and `games` (what there is to play)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from pgcli.cli.root import CHECKPOINT, STICKY, app
from pgcli.base.errors import PgcliError


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
    from pgcli.files.agents import load_agent
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

    from pgcli.files.agents import load_agent
    from pgcli.commands.evaluate import evaluate as run_eval

    agent = load_agent(checkpoint, env, sticky_actions)
    from pgcli.cli.progress import progress_bar

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
    from pgcli.files.agents import load_agent
    from pgcli.commands.record import check_output, record as run_record

    check_output(output)
    agent = load_agent(checkpoint, env, sticky_actions)
    from pgcli.cli.progress import progress_bar

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
    """List the Atari games ale-py ships, with the actions the policy picks from (and the games whose
    input needs the max of two frames or each pixel's own background)."""
    import json

    from pgcli.base.envs import catalogue
    from pgcli.base.games import FLICKER_GAMES, REFERENCES, SCENERY_SCREENS

    rows = catalogue()
    if json_out:
        typer.echo(json.dumps([{"game": n, "env_id": i, "actions": a,
                                "random_human": (REFERENCES.get(n) or {}).get("nature"),  # the DQN paper's
                                "random_human_agent57": (REFERENCES.get(n) or {}).get("agent57"),
                                "flickers": n in FLICKER_GAMES, "screen_of_scenery": n in SCENERY_SCREENS}
                               for n, i, a in rows]))
        return
    for name, gid, a in rows:
        ref = REFERENCES.get(name)
        note = "cannot be loaded by this ale-py" if not a else ("2 (UP, DOWN; the seed's sigmoid)" if name == "pong" else str(a))
        typer.echo(f"{name:<20} {gid:<26} actions {note}" + (f"   {_random_human(ref)}" if ref else "")
                   + ("   flickers: sees each step's max of two frames" if name in FLICKER_GAMES else "")
                   + ("   all scenery by colour (PPO: each pixel against its own background)" if name in SCENERY_SCREENS else ""))
    typer.echo(f"{len(rows)} games; train one with: pgcli train --game NAME (e.g. pgcli train --game breakout --algo ppo)")


def _random_human(ref: dict) -> str:
    """'random 227.8, human 7127.7 (Agent57's table; DQN paper: 227.8, 6875.4)' for `pgcli games`."""
    r, h = ref["agent57"]
    nature = ref["nature"]
    other = "" if nature is None else f"; DQN paper: {nature[0]:g}, {nature[1]:g}"
    return f"random {r:g}, human {h:g} (Agent57's table{other})"

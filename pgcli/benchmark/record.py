"""`pgcli benchmark DIR --record suite.gif`: one picture of the suite's claim, every game's agent playing
at once. Each game's first seed with a checkpoint plays the real game as it was evaluated (sticky
actions 0.25, actions sampled), the same number of agent steps each; a game that ends early starts
its next one. Each game plays straight into its place in the picture's frames (one copy in memory). The tiles sit in a grid, each under a caption with its run (game and seed) and its score so far."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pgcli.benchmark.suite import EVAL_STICKY, Suite, run_name
from pgcli.commands.play import play
from pgcli.commands.record import PANEL_BG, caption, check_output, gif_frame_ms, write_video
from pgcli.base.errors import PgcliError

CAPTION = 14  # rows of the caption strip above each game's screen
SCREEN = (210, 160)  # every ALE game's screen, rows x columns
TILE = (CAPTION + SCREEN[0], SCREEN[1])
COLUMNS = 4
MAX_STEPS = 1800  # 2 minutes of play at 15 agent steps a second: 1.5 GB of frames for 8 games


def agents_to_record(folder: Path, suite: Suite) -> list[tuple[str, int, Path]]:
    """(game, seed, checkpoint) of each game's first seed that has a checkpoint, in the suite's order."""
    out = []
    for game in suite.games:
        found = [(game, s, Path(folder) / f"{run_name(game, s)}.p") for s in suite.seeds_of(game)]
        out += [f for f in found if f[2].exists()][:1]
    if not out:
        raise PgcliError(f"{folder}: no agents to record (no run's checkpoint here; a folder kept without "
                         "them reports only)")
    return out


def grid(n_games: int, steps: int, columns: int = COLUMNS) -> tuple[np.ndarray, list[tuple[slice, slice]]]:
    """The picture's frames (steps, rows x tile, columns x tile, 3), blank, and each game's place in
    them (rows, columns): the games in rows of `columns`, the last row's empty places left blank."""
    rows, cols = -(-n_games // columns), min(columns, n_games)
    frames = np.empty((steps, rows * TILE[0], cols * TILE[1], 3), np.uint8)
    frames[:] = PANEL_BG
    places = [(slice(r * TILE[0], (r + 1) * TILE[0]), slice(c * TILE[1], (c + 1) * TILE[1]))
              for r, c in (divmod(i, columns) for i in range(n_games))]
    return frames, places


def play_into(tiles: np.ndarray, path: Path, name: str, play_seed: int) -> float:
    """Fill `tiles` (steps, tile rows, tile columns, 3) with one agent playing, each frame under its
    caption (the run's name, the score so far) -> the game's frames per agent step."""
    from pgcli.files.agents import load_agent

    agent = load_agent(path, sticky_actions=EVAL_STICKY)
    blank = np.empty((CAPTION, TILE[1], 3), np.uint8)
    blank[:] = PANEL_BG
    n = 0

    def grab(view) -> bool:
        nonlocal n
        if view.frame.shape[:2] != SCREEN:
            raise PgcliError(f"{path}: its game's screen is {view.frame.shape[1]}x{view.frame.shape[0]}, not Atari's 160x210")
        tiles[n, CAPTION:] = view.frame
        tiles[n, :CAPTION] = caption(blank, [(3, 1, f"{name}: {view.total:,.0f}")])  # only the strip is drawn on
        n += 1
        return n >= len(tiles)

    play(agent, episodes=10**6, seed=play_seed, greedy=False, on_step=grab)
    return agent.settings.mean_frameskip


def record_suite(folder: Path, suite: Suite, output: Path, steps: int = 300, seed: int = 0,
                 on_game: Callable[[str, int], None] = lambda game, seed: None) -> dict:
    """Record the suite's agents into one GIF (or MP4) at output -> what was recorded."""
    check_output(output)  # before any game is played
    if steps > MAX_STEPS:
        raise PgcliError(f"--record-steps {steps:,}: at most {MAX_STEPS:,} (2 minutes of play; the frames are kept in memory)")
    chosen = agents_to_record(folder, suite)
    frames, places = grid(len(chosen), steps)
    skips = []
    for (game, run_seed, path), (rows, cols) in zip(chosen, places):
        on_game(game, run_seed)
        skips.append(play_into(frames[:, rows, cols], path, run_name(game, run_seed), seed))
    fps = 60.0 / max(skips)  # the real game's speed (every ALE v5 game: 4 frames an agent step, 15 a second)
    if output.suffix.lower() == ".gif":
        fps = 1000 / gif_frame_ms(fps)
    write_video(output, frames, fps)
    return {"games": [run_name(g, s) for g, s, _ in chosen], "frames": len(frames), "size": frames.shape[2:0:-1]}

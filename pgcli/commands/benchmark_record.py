"""`pgcli benchmark DIR --record suite.gif`: one picture of the suite's claim, every game's agent playing
at once. Each game's first seed with a checkpoint plays the real game as it was evaluated (sticky
actions 0.25, actions sampled), the same number of agent steps each; a game that ends early starts
its next one. The tiles sit in a grid, each under a caption with its run (game and seed) and its score so far."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pgcli.commands.benchmark import EVAL_STICKY, Suite, run_name
from pgcli.commands.play import play
from pgcli.commands.record import PANEL_BG, caption, check_output, gif_frame_ms, write_video
from pgcli.errors import PgcliError

CAPTION = 14  # rows of the caption strip above each game's screen
COLUMNS = 4


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


def play_tiles(path: Path, game: str, seed: int, steps: int, play_seed: int) -> tuple[list[np.ndarray], float]:
    """`steps` frames of one agent playing, each under its caption, and the game's frames per agent step."""
    from pgcli.files.agents import load_agent

    agent = load_agent(path, sticky_actions=EVAL_STICKY)
    tiles: list[np.ndarray] = []

    def grab(view) -> bool:
        strip = np.empty((CAPTION, view.frame.shape[1], 3), np.uint8)
        strip[:] = PANEL_BG
        tile = np.concatenate([strip, view.frame], axis=0)
        tiles.append(caption(tile, [(3, 1, f"{run_name(game, seed)}: {view.total:,.0f}")]))
        return len(tiles) >= steps

    play(agent, episodes=10**6, seed=play_seed, greedy=False, on_step=grab)
    return tiles, agent.settings.mean_frameskip


def montage(tiles: list[list[np.ndarray]], columns: int = COLUMNS) -> list[np.ndarray]:
    """Per frame, the games' tiles in a grid of `columns` (the last row padded with the caption colour)."""
    h, w = tiles[0][0].shape[:2]
    rows = -(-len(tiles) // columns)
    frames = []
    for t in range(len(tiles[0])):
        canvas = np.empty((rows * h, min(columns, len(tiles)) * w, 3), np.uint8)
        canvas[:] = PANEL_BG
        for i, game_tiles in enumerate(tiles):
            r, c = divmod(i, columns)
            canvas[r * h:(r + 1) * h, c * w:(c + 1) * w] = game_tiles[t]
        frames.append(canvas)
    return frames


def record_suite(folder: Path, suite: Suite, output: Path, steps: int = 300, seed: int = 0,
                 on_game: Callable[[str, int], None] = lambda game, seed: None) -> dict:
    """Record the suite's agents into one GIF (or MP4) at output -> what was recorded."""
    check_output(output)  # before any game is played
    chosen = agents_to_record(folder, suite)
    tiles, skips = [], []
    for game, run_seed, path in chosen:
        on_game(game, run_seed)
        game_tiles, frameskip = play_tiles(path, game, run_seed, steps, seed)
        tiles.append(game_tiles)
        skips.append(frameskip)
    frames = montage(tiles)
    fps = 60.0 / max(skips)  # the real game's speed (every ALE v5 game: 4 frames an agent step, 15 a second)
    if output.suffix.lower() == ".gif":
        fps = 1000 / gif_frame_ms(fps)
    write_video(output, frames, fps)
    return {"games": [f"{run_name(g, s)}" for g, s, _ in chosen], "frames": len(frames),
            "size": frames[0].shape[1::-1]}

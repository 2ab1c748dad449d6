"""Watch an agent play: headless (points only), in a window, or drawn in the terminal with rich
(each character cell shows two pixels with '▀'), at the game's real speed."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from rich.text import Text

from pgcli.commands.play import StepView, play
from pgcli.core.agent import Agent

MODES = ("headless", "window", "terminal")


def frame_to_text(frame: np.ndarray, width: int = 80) -> Text:
    """(210, 160, 3) frame -> rich Text, `width` cells wide, the play area only (rows 34:194).
    Downsampling takes the brightest pixel of each block, so the 2-pixel ball never vanishes."""
    k = max(1, 160 // width)
    area = frame[34:194, : (160 // k) * k]
    rows = (len(area) // (2 * k)) * 2  # an even number of pixel rows: two per character line
    img = area[: rows * k].reshape(rows, k, -1, k, 3).max(axis=(1, 3))  # (rows, width, 3)
    text = Text()
    for top, bottom in zip(img[0::2], img[1::2]):
        cells = [tuple(t) + tuple(b) for t, b in zip(top.tolist(), bottom.tolist())]
        run = 1
        for i, c in enumerate(cells):  # one styled span per run of identical cells
            if i + 1 < len(cells) and cells[i + 1] == c:
                run += 1
                continue
            text.append("▀" * run, style="rgb({},{},{}) on rgb({},{},{})".format(*c))
            run = 1
        text.append("\n")
    return text


def status_line(view: StepView, labels: tuple[str, ...] = ("DOWN", "UP")) -> str:
    """Pong: the points and P(UP); other games: the score and the likeliest action."""
    if len(view.p) == 2 and labels == ("DOWN", "UP"):
        me, ai = view.score
        return f"game {view.episode + 1}  agent {me} : {ai} AI   P(UP) {view.p_up:.2f}   (Ctrl-C to quit)"
    best = int(np.argmax(view.p))
    return (f"game {view.episode + 1}  score {view.total:g}   P({labels[best]}) {view.p[best]:.2f}"
            "   (Ctrl-C to quit)")


class Pacer:
    """Sleeps so that each agent step takes `frameskip` frames of 60 per second of real time."""

    def __init__(self, frameskip: float):
        self.frame_time = frameskip / 60.0
        self.next = time.perf_counter()

    def __call__(self) -> None:
        self.next += self.frame_time
        delay = self.next - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:  # running behind (or the window already paced us): don't try to catch up
            self.next = time.perf_counter()


def watch(agent: Agent, episodes: int, seed: int, greedy: bool, mode: str,
          on_point: Callable[[StepView], None] = lambda v: None, console=None) -> list[dict]:
    """Play `episodes` games in `mode`; on_point is called for every step that scores."""
    pace = Pacer(agent.settings.mean_frameskip)

    def scored(view: StepView) -> None:
        if view.reward:
            on_point(view)

    if mode == "terminal":
        from rich.console import Console, Group
        from rich.live import Live

        with Live(console=console or Console(), auto_refresh=False) as live:
            def draw(view: StepView) -> None:
                live.update(Group(frame_to_text(view.frame), Text(status_line(view, agent.game.labels))), refresh=True)
                pace()

            return play(agent, episodes, seed, greedy, on_step=draw)

    def step(view: StepView) -> None:
        scored(view)
        if mode == "window":
            pace()

    return play(agent, episodes, seed, greedy, render_mode="human" if mode == "window" else None, on_step=step)

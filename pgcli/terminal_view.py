"""Draw Pong in a terminal with rich: each character cell shows two pixels with '▀'."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from pgcli.agent import StepView


def frame_to_text(frame: np.ndarray, width: int = 80) -> Text:
    """(210, 160, 3) frame -> rich Text, `width` cells wide, the play area only (rows 34:194)."""
    step = max(1, 160 // width)
    img = frame[34:194:step, ::step]  # (rows, width, 3); two rows make one line
    if len(img) % 2:
        img = img[:-1]
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


def status_line(view: StepView) -> str:
    me, ai = view.score
    return f"game {view.episode + 1}  agent {me} : {ai} AI   P(UP) {view.p_up:.2f}   (Ctrl-C to quit)"

"""What the network sees: a game's frames -> one int8 vector of -1/0/+1 per step, for a batch of games.

The seed's input is the difference of two preprocessed frames, `cur_x - prev_x` (80x80 = 6400).
`--input` may add, after it, in this order (each saved in the checkpoint's config):
    frame    the current preprocessed frame (0/1): a paddle that stands still is still there
    objects  the current frame without its scenery (`pgcli.base.scenery`: pixels lit most of a fixed
             stretch of random play, such as Breakout's walls and bricks): the still paddle, at a few lit pixels
    diff2    the previous difference frame: two steps of motion (speed and direction changes)
    action   the previous action, one-hot (A entries): with sticky actions the emulator may have
             repeated it, and the policy cannot see that from one difference
Everything stays -1/0/+1 and mostly zero, so `pgcli.core.sparse` serves every input.
"""

from __future__ import annotations

import numpy as np

from pgcli.base.games import Game
from pgcli.base.inputs import SEED, InputSpec
from pgcli.base.scenery import Scenery, needs_scenery
from pgcli.base.screen import Screen
from pgcli.core.pg_math import D

class Observer:
    """The network's input for N games, step after step (the seed's `cur_x - prev_x` and more).

    `__call__(frames, fresh)` -> (N, size) int8; a game whose `fresh` flag is set (its first frame)
    sees no motion yet (zero differences) and no previous action. `took(actions)` tells it the
    action indices chosen, for the `action` part. `scenery`: the game's (`RunSpec.scenery`), for the
    `objects` part and the `pixel` rule; the observer never measures it itself.
    """

    def __init__(self, frames: np.ndarray, spec: str | InputSpec, game: Game, scenery: Scenery | None = None):
        spec = InputSpec.parse(spec)
        self.parts, self.A = spec.parts, game.n_actions
        self.size = spec.size(self.A)
        rule = spec.background  # decided for the game by its RunSpec
        if rule not in ("colour", "pixel"):
            raise ValueError(f"an Observer takes a decided background ('colour' or 'pixel'), got {rule!r}: "
                             "RunSpec.of decides 'auto' for a game")
        if scenery is None and needs_scenery(spec):
            raise ValueError(f"{spec} by the {rule} rule needs the game's scenery: RunSpec.scenery measures it")
        self.screen = Screen(game, frames, scenery.image if rule == "pixel" else None)
        self.prev = self.screen(frames)
        n = len(frames)
        self.diff = np.zeros((n, D), np.int8)  # the last difference frame (for diff2)
        self.last = np.full(n, -1)  # the last action index, -1 for none
        if "objects" in self.parts:
            self.moving = (~scenery.still[rule]).view(np.int8)  # 1 where something may move, 0 on scenery

    def __call__(self, frames: np.ndarray, fresh: np.ndarray | None = None) -> np.ndarray:
        cur = self.screen(frames)
        x = cur - self.prev  # (N, 6400) int8 difference frames
        if fresh is not None:
            x[fresh] = 0  # first frame of an episode: no difference yet
            self.last[fresh] = -1
        self.prev = cur
        if self.parts == (SEED,):
            return x
        out = [x]
        for part in self.parts[1:]:
            if part == "frame":
                out.append(cur)
            elif part == "objects":
                out.append(cur * self.moving)
            elif part == "diff2":
                prev_diff = self.diff.copy()
                if fresh is not None:
                    prev_diff[fresh] = 0
                out.append(prev_diff)
            else:
                onehot = np.zeros((len(cur), self.A), np.int8)
                has = self.last >= 0
                onehot[np.flatnonzero(has), self.last[has]] = 1
                out.append(onehot)
        self.diff = x
        return np.concatenate(out, axis=1)

    def took(self, actions: np.ndarray) -> None:
        self.last = np.asarray(actions, np.intp).copy()

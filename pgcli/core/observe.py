"""What the network sees: a game's frames -> one int8 vector of -1/0/+1 per step, for a batch of games.

The seed's input is the difference of two preprocessed frames, `cur_x - prev_x` (80x80 = 6400).
`--input` may add, after it, in this order (each saved in the checkpoint's config):
    frame    the current preprocessed frame (0/1): a paddle that stands still is still there
    objects  the current frame without its scenery (`scenery`: pixels lit most of a fixed stretch of
             random play, such as Breakout's walls and bricks): the still paddle, at a few lit pixels
    diff2    the previous difference frame: two steps of motion (speed and direction changes)
    action   the previous action, one-hot (A entries): with sticky actions the emulator may have
             repeated it, and the policy cannot see that from one difference
Everything stays -1/0/+1 and mostly zero, so `pgcli.core.sparse` serves every input.
"""

from __future__ import annotations

import functools

import numpy as np

from pgcli.core.pg_math import D
from pgcli.games import PONG, Game
from pgcli.inputs import SEED, InputSpec


class Screen:
    """The seed's `prepro` for a batch, per game: crop the 160-row play area, downsample by 2, erase
    the background, everything else 1. (N, 210, 160, 3) RGB or (N, 210, 160) grey uint8 -> (N, 6400) int8.
    A game without known backgrounds takes the commonest colour of the first frame it is shown."""

    def __init__(self, game: Game, first: np.ndarray):
        self.top = game.crop_top
        self.grey, self.red = game.grey_background, game.red_background
        if self.grey is None:  # the generic rule, in the frames' own format (grey level or RGB colour)
            area = first[0, self.top : self.top + 160 : 2, ::2]
            colours, counts = np.unique(area.reshape(-1, area.shape[-1]) if area.ndim == 3 else area.ravel(),
                                        axis=0, return_counts=True)
            self.colour = colours[counts.argmax()]
        if self.red is not None:
            self.keep = np.ones(256, bool)
            self.keep[list(self.red)] = False  # erase background (type 1 and type 2), in one table look-up

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        n, a = len(frames), self.top
        if frames.ndim == 4 and self.red is not None:  # the seed's rule: red channel, two colours
            return self.keep[frames[:, a : a + 160 : 2, ::2, 0]].reshape(n, D).view(np.int8)
        if frames.ndim == 4:
            lit = (frames[:, a : a + 160 : 2, ::2] != self.colour).any(axis=3)
        else:
            rows = frames[:, a : a + 160 : 2].view("<u2")  # every 2nd row; pixel pairs as little-endian uint16
            I = rows.astype(np.uint8)  # the low byte of each pair: every 2nd pixel, copied contiguous (2x faster)
            if self.grey is None:
                lit = I != self.colour
            else:
                lit = I != self.grey[0]
                for g in self.grey[1:]:
                    lit &= I != g  # two compares beat a look-up here
        return lit.reshape(n, D).view(np.int8)


WARM_UP = 1000  # agent steps of random play that decide what is scenery


@functools.lru_cache(maxsize=None)
def scenery(game: Game, steps: int = WARM_UP) -> np.ndarray:
    """(6400,) bool: the input pixels lit in at least half the frames of `steps` agent steps of
    uniformly random play (4 frames each, sticky actions 0.25, new games as they end), always from
    seed 0, so every command and every worker finds the same scenery. Measured in Breakout: walls
    and bricks are lit in 76-100 % of the frames, any pixel of the paddle in at most 38 %; in
    Boxing, Freeway, Video Pinball no pixel falls between 30 and 70 %."""
    from pgcli.games import emulator

    ale = emulator(game.name, seed=0, sticky=0.25)
    actions, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    frames = [ale.getScreenRGB()]
    for _ in range(steps):
        a = actions[game.actions[rng.integers(game.n_actions)]]
        for _ in range(4):
            ale.act(a)
        if ale.game_over():
            ale.reset_game()
        frames.append(ale.getScreenRGB())
    frames = np.stack(frames)
    return Screen(game, frames[:1])(frames).mean(axis=0) >= 0.5


class Observer:
    """The network's input for N games, step after step (the seed's `cur_x - prev_x` and more).

    `__call__(frames, fresh)` -> (N, size) int8; a game whose `fresh` flag is set (its first frame)
    sees no motion yet (zero differences) and no previous action. `took(actions)` tells it the
    action indices chosen, for the `action` part.
    """

    def __init__(self, frames: np.ndarray, spec: str | InputSpec = SEED, game: Game = PONG):
        spec = spec if isinstance(spec, InputSpec) else InputSpec.parse(spec)
        self.parts, self.A = spec.parts, game.n_actions
        self.size = spec.size(self.A)
        self.screen = Screen(game, frames)
        self.prev = self.screen(frames)
        n = len(frames)
        self.diff = np.zeros((n, D), np.int8)  # the last difference frame (for diff2)
        self.last = np.full(n, -1)  # the last action index, -1 for none
        if "objects" in self.parts:
            self.moving = (~scenery(game)).view(np.int8)  # 1 where something may move, 0 on scenery

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

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
from pgcli.base.games import Game
from pgcli.base.inputs import SEED, InputSpec


class Screen:
    """The seed's `prepro` for a batch, per game: crop the 160-row play area, downsample by 2, erase
    the background, everything else 1. (N, 210, 160, 3) RGB or (N, 210, 160) grey uint8 -> (N, 6400) int8.
    A game without known backgrounds takes the commonest colour of the first frame it is shown; with
    `image` (`background(game)`: `--background pixel`) each pixel is lit where it differs from its own
    usual colour instead."""

    def __init__(self, game: Game, first: np.ndarray, image: np.ndarray | None = None):
        self.top, self.image = game.crop_top, image
        self.grey, self.red = game.grey_background, game.red_background
        if self.grey is None and image is None:  # the generic rule, in the frames' own format (grey level or RGB colour)
            area = self.sample(first[:1])[0]
            colours, counts = np.unique(area.reshape(-1, area.shape[-1]) if area.ndim == 3 else area.ravel(),
                                        axis=0, return_counts=True)
            self.colour = colours[counts.argmax()]
        if self.red is not None:
            self.keep = np.ones(256, bool)
            self.keep[list(self.red)] = False  # erase background (type 1 and type 2), in one table look-up

    def sample(self, frames: np.ndarray) -> np.ndarray:
        """The 80x80 input pixels of each frame: (N, 80, 80, 3) RGB or (N, 80, 80) grey, contiguous."""
        a = self.top
        if frames.ndim == 4:
            return frames[:, a : a + 160 : 2, ::2]
        rows = frames[:, a : a + 160 : 2].view("<u2")  # every 2nd row; pixel pairs as little-endian uint16
        return rows.astype(np.uint8)  # the low byte of each pair: every 2nd pixel, copied contiguous (2x faster)

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        return self.lit(self.sample(frames))

    def lit(self, area: np.ndarray) -> np.ndarray:
        """Sampled pixels (`sample`) -> (N, 6400) int8, 1 where lit."""
        n, rgb = len(area), area.ndim == 4
        if self.image is not None:  # each pixel against its own background, in grey levels
            lit = (grey_levels(area) if rgb else area).reshape(n, D) != self.image
        elif rgb and self.red is not None:  # the seed's rule: red channel, two colours
            return self.keep[area[..., 0]].reshape(n, D).view(np.int8)
        elif rgb:
            lit = (area != self.colour).any(axis=3)
        elif self.grey is None:
            lit = area != self.colour
        else:
            lit = area != self.grey[0]
            for g in self.grey[1:]:
                lit &= area != g  # two compares beat a look-up here
        return lit.reshape(n, D).view(np.int8)


WARM_UP = 1000  # agent steps of random play that decide what is scenery and each pixel's background


LUMA = np.array([0.299, 0.587, 0.114])


def grey_levels(rgb: np.ndarray) -> np.ndarray:
    """RGB pixels (..., 3) -> ALE's grey levels (...) uint8: round(0.299 R + 0.587 G + 0.114 B), which
    is `getScreenGrayscale` exactly on every colour of the suite's games (checked on 124 colours)."""
    return np.rint(rgb @ LUMA).astype(np.uint8)


@functools.lru_cache(maxsize=None)
def warm_up(game: Game, steps: int = WARM_UP) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """What `steps` agent steps of uniformly random play show (4 frames each, sticky actions 0.25,
    new games as they end), always from seed 0, so every command and every worker finds the same:
    (each pixel's commonest grey level (6400,) uint8, {rule: (6400,) bool scenery}) where the
    scenery is the input pixels lit in at least half the frames by that background rule. Measured in Breakout by the colour
    rule: walls and bricks are lit in 76-100 % of the frames, any pixel of the paddle in at most
    38 %; in Boxing, Freeway, Video Pinball no pixel falls between 30 and 70 %. Against each pixel's
    own background little is scenery (Battle Zone's horizon, none in most games)."""
    from pgcli.base.games import emulator

    ale = emulator(game.name, seed=0, sticky=0.25)
    actions, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    first = ale.getScreenRGB()
    sampler = Screen(game, first[None])
    rgb, grey = [sampler.sample(first[None])], [sampler.sample(ale.getScreenGrayscale()[None])]
    for _ in range(steps):
        a = actions[game.actions[rng.integers(game.n_actions)]]
        for _ in range(4):
            ale.act(a)
        if ale.game_over():
            ale.reset_game()
        rgb.append(sampler.sample(ale.getScreenRGB()[None]))
        grey.append(sampler.sample(ale.getScreenGrayscale()[None]))
    rgb, grey = np.concatenate(rgb), np.concatenate(grey)  # (steps + 1, 80, 80, 3), (steps + 1, 80, 80)
    g = grey.reshape(len(grey), D)
    counts = np.zeros((256, D), np.int32)
    np.add.at(counts, (g, np.broadcast_to(np.arange(D), g.shape)), 1)
    image = counts.argmax(axis=0).astype(np.uint8)  # each pixel's commonest grey level
    rules = {"colour": sampler, "pixel": Screen(game, first[None], image)}
    return image, {rule: screen.lit(rgb).mean(axis=0) >= 0.5 for rule, screen in rules.items()}


def background(game: Game) -> np.ndarray:
    """Each input pixel's usual grey level (6400,) (`--background pixel`), from `warm_up`."""
    return warm_up(game)[0]


def scenery(game: Game, rule: str = "colour") -> np.ndarray:
    """(6400,) bool: the pixels lit in at least half the frames of random play by `rule` (`warm_up`)."""
    return warm_up(game)[1][rule]


class Observer:
    """The network's input for N games, step after step (the seed's `cur_x - prev_x` and more).

    `__call__(frames, fresh)` -> (N, size) int8; a game whose `fresh` flag is set (its first frame)
    sees no motion yet (zero differences) and no previous action. `took(actions)` tells it the
    action indices chosen, for the `action` part.
    """

    def __init__(self, frames: np.ndarray, spec: str | InputSpec, game: Game):
        spec = InputSpec.parse(spec)
        self.parts, self.A = spec.parts, game.n_actions
        self.size = spec.size(self.A)
        rule = spec.background  # decided for the game by its RunSpec
        if rule not in ("colour", "pixel"):
            raise ValueError(f"an Observer takes a decided background ('colour' or 'pixel'), got {rule!r}: "
                             "RunSpec.of decides 'auto' for a game")
        self.screen = Screen(game, frames, background(game) if rule == "pixel" else None)
        self.prev = self.screen(frames)
        n = len(frames)
        self.diff = np.zeros((n, D), np.int8)  # the last difference frame (for diff2)
        self.last = np.full(n, -1)  # the last action index, -1 for none
        if "objects" in self.parts:
            self.moving = (~scenery(game, rule)).view(np.int8)  # 1 where something may move, 0 on scenery

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

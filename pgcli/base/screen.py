"""What a lit pixel is, game by game: the seed's `prepro` for a batch of frames (crop the play area,
downsample by 2, erase the background, everything else 1), with each game's background rule
(`pgcli.base.games`: the seed's red levels, a grey level, the commonest colour, or each pixel's own
usual grey level, `--background pixel`). Pure numpy on frames: the engine's observer and the
scenery measured at a run's start (`pgcli.base.scenery`) share it."""

from __future__ import annotations

import numpy as np

from pgcli.base.games import Game
from pgcli.base.inputs import PICTURE as D


class Screen:
    """The seed's `prepro` for a batch, per game: crop the 160-row play area, downsample by 2, erase
    the background, everything else 1. (N, 210, 160, 3) RGB or (N, 210, 160) grey uint8 -> (N, 6400) int8.
    A game without known backgrounds takes the commonest colour of the first frame it is shown; with
    `image` (`pgcli.base.scenery.of(game).image`: `--background pixel`) each pixel is lit where it differs from its own
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


LUMA = np.array([0.299, 0.587, 0.114])


def grey_levels(rgb: np.ndarray) -> np.ndarray:
    """RGB pixels (..., 3) -> ALE's grey levels (...) uint8: round(0.299 R + 0.587 G + 0.114 B), which
    is `getScreenGrayscale` exactly on every colour of the suite's games (checked on 124 colours)."""
    return np.rint(rgb @ LUMA).astype(np.uint8)

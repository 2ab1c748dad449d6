"""A game's scenery, measured once per process from random play on the real emulator: each input
pixel's commonest grey level (`--background pixel`'s image) and, by each background rule, the pixels
lit in at least half the frames (what the `objects` input erases). A run's spec hands it to the
engine (`RunSpec.scenery`), so the engine never starts an emulator of its own."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from pgcli.base.games import Game
from pgcli.base.screen import Screen
from pgcli.base.inputs import PICTURE as D

WARM_UP = 1000  # agent steps of random play that decide what is scenery and each pixel's background


class Scenery(NamedTuple):
    image: np.ndarray  # (6400,) uint8: each input pixel's commonest grey level in random play
    still: dict  # {rule: (6400,) bool}: the pixels lit in at least half the frames by that rule


@functools.lru_cache(maxsize=None)
def warm_up(game: Game, steps: int = WARM_UP) -> Scenery:
    """What `steps` agent steps of uniformly random play show (4 frames each, sticky actions 0.25,
    new games as they end), always from seed 0, so every command and every worker finds the same
    `Scenery`: each pixel's commonest grey level, and by each background rule the input pixels lit in
    at least half the frames. Measured in Breakout by the colour
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
    return Scenery(image, {rule: screen.lit(rgb).mean(axis=0) >= 0.5 for rule, screen in rules.items()})


def needs_scenery(inputs) -> bool:
    """Whether an input (`InputSpec`) reads its game's scenery: the `objects` part, or the `pixel` rule."""
    return "objects" in inputs.parts or inputs.background == "pixel"


def of(game: Game) -> Scenery:
    """`game`'s scenery (measured once a process): `.image`, and `.still[rule]` for 'colour' or 'pixel'."""
    return warm_up(game)

"""Games as data: what pgcli needs to know of an Atari game, one small record each.

A `Game` carries the actions the policy picks from (indices into the ALE's minimal action set),
the 160-row play area cropped to the network's 80x80 input, the background colours erased so the
input stays sparse, and how rewards end a return. Pong keeps the seed's choices exactly (two
actions, UP and DOWN, behind one sigmoid; the red backgrounds 144 and 109; a return ends at every
point). Every other game ale-py ships gets the generic rule: all of its minimal action set behind a
softmax, the same 160 rows from row 35, the commonest colour of its first frame as the background,
and returns that run to the end of the game (discounted by gamma). `lookup` accepts an ALE id
(`ALE/Breakout-v5`), an old gym id (`Pong-v0`) or a short name (`breakout`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from pgcli.base import references
from pgcli.base.errors import PgcliError


@dataclass(frozen=True)
class Game:
    name: str  # the ROM's name, e.g. 'breakout'
    actions: tuple[int, ...]  # policy output i -> this index into the minimal action set
    labels: tuple[str, ...]  # the actions' names, in the policy's order
    crop_top: int = 35  # first of the 160 rows of the play area (the seed's crop for Pong)
    grey_background: tuple[int, ...] | None = None  # grey levels erased; None: the first frame's commonest
    red_background: tuple[int, ...] | None = None  # on RGB frames, red levels erased (the seed's Pong rule)
    point_resets: bool = False  # a non-zero reward ends the discounted return (Pong: every point)
    lives: bool = False  # the game counts lives (Breakout: 5; Pong and Boxing: none), as the emulator says

    @property
    def n_actions(self) -> int:
        return len(self.actions)

    def place(self, score: float) -> str:
        """Where a score stands against random and human play (DQN paper's table, and Agent57's where
        it differs), if known."""
        ref = references.REFERENCES.get(self.name)
        if ref is None:
            return ""
        parts = []
        for table, random, human in (("", ref.random_nature, ref.human_nature),
                                     (" (Agent57's table)", ref.random_agent57, ref.human_agent57)):
            if human is not None and not (parts and human == ref.human_nature):
                pct = 100 * references.hns(self.name, score, "agent57" if table else "nature")
                parts.append(f"random {random:g}, human {human:g}{table}: {pct:.0f}% of the way from random to human")
        return "; ".join(parts)


PONG = Game("pong", actions=(3, 2), labels=("DOWN", "UP"), grey_background=(87, 107),
            red_background=(144, 109), point_resets=True)
"""The seed's Pong: P(UP) = sigmoid(W2 . h); action 2 moves the paddle up, 3 down."""
PONG_NOOP = replace(PONG, actions=(0, 3, 2), labels=("NOOP", "DOWN", "UP"))
"""Pong with `--noop`: the paddle may also stay where it is (a softmax over NOOP, DOWN and UP). The
seed's two actions cannot hold a still paddle: it must jitter, and sticky actions make it drift."""

SCENERY_SCREENS = frozenset({
    "bank_heist", "battle_zone", "earthworld", "entombed", "et", "koolaid", "krull", "sir_lancelot",
    "solaris", "space_war", "superman", "tic_tac_toe_3d"})
"""The games whose screen the colour rule makes nearly all scenery: at least 90 % of the input pixels
lit in most frames of random play (`pgcli.base.scenery`; every game's count is in
docs/runs/games/every-game.txt: these have 6,042 to 6,400 of 6,400, the next is Tutankham's 5,537).
Their commonest colour is not the background, so what moves is lit like what stands still."""


def background_rule(game: Game, background: str) -> str:
    """What a lit pixel is for `game`: `--background auto` is 'pixel' (each pixel against its own
    usual colour) on `SCENERY_SCREENS` and 'colour' elsewhere; 'colour' and 'pixel' stay as given."""
    if background != "auto":
        return background
    return "pixel" if game.name in SCENERY_SCREENS else "colour"


FLICKER_GAMES = frozenset({"assault", "asteroids", "yars_revenge"})
"""The games that draw objects on alternate frames, so the last frame of an agent step shows under
60 % of what its last two frames light (Asteroids 1 %, Yars' Revenge 47 %, Assault 48 %; the next is
Journey Escape's 74 %, fast motion: docs/runs/flicker/every-game.txt, made by docs/runs/flicker/flicker.py).
The max over the last two frames (DQN's preprocessing) gives them back."""


def frame_max_rule(game: Game, frame_max: str) -> str:
    """Whether `game`'s input frame is the max of each agent step's last two frames: `--frame-max
    auto` is 'on' for `FLICKER_GAMES` and 'off' elsewhere; 'on' and 'off' stay as given."""
    if frame_max != "auto":
        return frame_max
    return "on" if game.name in FLICKER_GAMES else "off"


REFERENCES = {name: {"nature": None if r.human_nature is None else (r.random_nature, r.human_nature),
                     "agent57": (r.random_agent57, r.human_agent57)} for name, r in references.REFERENCES.items()}
"""Random / human per ROM by each table (`pgcli.base.references`): the DQN paper's (49 games; None for the
others) and Agent57's (57 games)."""


def emulator(rom: str, seed: int = 0, sticky: float = 0.25):
    """A bare ale-py emulator with `rom` loaded (no gymnasium), quiet; one line if it cannot load."""
    import ale_py
    from ale_py import roms

    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    ale = ale_py.ALEInterface()
    ale.setInt("random_seed", seed)
    ale.setFloat("repeat_action_probability", sticky)
    try:
        ale.loadROM(roms.get_rom_path(rom))
    except Exception as e:  # a ROM this ale-py cannot load
        raise PgcliError(f"ale-py cannot load the {rom} ROM ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    return ale


@functools.lru_cache(maxsize=None)
def read_rom(rom: str) -> tuple[tuple[str, ...], bool]:
    """What the emulator says of a ROM without playing it: the names of its minimal action set, and
    whether it counts lives (Breakout: 5; Pong and Boxing: none). One emulator a ROM and process."""
    ale = emulator(rom)
    return tuple(a.name for a in ale.getMinimalActionSet()), ale.lives() > 0


def for_rom(rom: str, noop: bool = False) -> Game:
    """The game record of a ROM: Pong's exact one (with NOOP if `noop`), else the generic rule over
    its minimal action set (which has NOOP already: `noop` changes nothing there)."""
    if rom == "pong":
        return PONG_NOOP if noop else PONG
    labels, lives = read_rom(rom)
    return Game(rom, actions=tuple(range(len(labels))), labels=labels, lives=lives)

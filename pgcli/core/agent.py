"""An agent and its one act step.

`Agent` is a policy with what it was trained with: the game (its actions), the input it sees and the
emulator settings. `Actor` is the one act step for N games side by side, as training, play,
record, evaluate and the Python API all take it:

    frames -> what the network sees (`observe.Observer`: the difference frame and the --input parts)
           -> P(actions) (`Policy.forward`, sparse over the lit inputs)
           -> sampled (or, greedy, the likeliest) action indices -> the emulator's actions

so what an agent sees and how it picks are decided here once. Loading an agent from a file is
`pgcli.files.agents.load_agent`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pgcli.core import sparse
from pgcli.core.network import Policy, sample
from pgcli.base.scenery import Scenery
from pgcli.core.observe import Observer
from pgcli.base.envs import EnvSettings
from pgcli.base.games import Game
from pgcli.base.inputs import SEED, InputSpec


@dataclass
class Acted:
    """What one act step decided for N games."""

    x: np.ndarray  # (N, inputs) int8: what the network saw
    signed: np.ndarray  # x in sparse form (`sparse.encode`), as the step log keeps it
    counts: np.ndarray
    p: np.ndarray  # P(UP) (N,) for the seed's two actions, or P (N, A)
    v: np.ndarray | None  # the value head's estimates (N,) (PPO agents), else None
    i: np.ndarray  # (N,) action indices, in the game's action order
    actions: np.ndarray  # (N,) the emulator's actions


class Actor:
    """The act step for a batch of games that started at `frames` (their first frames)."""

    def __init__(self, policy: Policy, frames: np.ndarray, rng: np.random.Generator, game: Game,
                 inputs: str | InputSpec = SEED, greedy: bool = False, scenery: Scenery | None = None):
        self.policy, self.rng, self.greedy = policy, rng, greedy
        self.see = Observer(frames, inputs, game, scenery)
        self.to_ale = np.asarray(game.actions, np.int64)  # action index -> the emulator's action

    def __call__(self, frames: np.ndarray, fresh: np.ndarray | None = None) -> Acted:
        """Act on each game's newest frame; a game whose `fresh` flag is set starts anew (no motion yet)."""
        x = self.see(frames, fresh)
        signed, counts = sparse.encode(x)
        p, v = self.policy.forward(signed, counts)
        i = sample(p, self.rng, self.greedy)
        self.see.took(i)
        return Acted(x, signed, counts, p, v, i, self.to_ale[i])


@dataclass
class Agent:
    """A trained policy plus the emulator settings, the game and the input it was trained with."""

    policy: Policy
    settings: EnvSettings
    game: Game
    inputs: str | InputSpec  # what it sees (an InputSpec carries the background rule)
    scenery: Scenery | None = None  # its game's, where the input reads it (`RunSpec.scenery`)
    episode: int = 0  # episodes it was trained for (0 for Karpathy files)
    source: str = "pgcli"

    def actor(self, frames: np.ndarray, rng: np.random.Generator, greedy: bool = False) -> Actor:
        """This agent's act step for a batch of games starting at `frames`."""
        return Actor(self.policy, frames, rng, self.game, self.inputs, greedy, self.scenery)

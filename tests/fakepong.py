"""A tiny Pong-shaped environment for unit tests: no emulator, learnable in seconds.

Frames are real 210x160x3 uint8 arrays on Pong's background colour (red channel 144), so the
seed's `prepro` applies unchanged. Every point takes 3 steps: a blank frame, then a 4x4 "ball"
appears in the top or the bottom half of the play area, then blank again. The reward, given
on the step the ball is shown, is +1 when the agent moved towards it (UP for top, DOWN for
bottom) and -1 otherwise; the other steps give 0. A game is `points` points. A random policy
scores 0 on average; a policy that reads the ball's position scores +points.
"""

from __future__ import annotations

import numpy as np

from pgcli.core.pg_math import UP


class FakePong:
    def __init__(self, num_envs: int = 4, points: int = 10, groups: int = 2):
        k = min(groups, num_envs)
        self.groups = [num_envs // k + (g < num_envs % k) for g in range(k)]
        self.num_envs, self.points = num_envs, points
        self.closed = False

    def _frames(self, g: int) -> np.ndarray:
        n = self.groups[g]
        f = np.zeros((n, 210, 160, 3), np.uint8)
        f[..., 0], f[..., 1], f[..., 2] = 144, 72, 17  # Pong's brown background
        for i in range(n):
            if self.phase[g][i] == 1:  # the ball is shown
                row = 60 if self.top[g][i] else 160
                f[i, row : row + 4, 80:84] = 236  # white ball
        return f

    def reset(self, seed: int) -> list[np.ndarray]:
        self.rng = np.random.default_rng(seed)
        self.phase = [np.zeros(n, int) for n in self.groups]
        self.top = [self.rng.random(n) < 0.5 for n in self.groups]
        self.scored = [np.zeros(n, int) for n in self.groups]
        self.sent = [None] * len(self.groups)
        return [self._frames(g) for g in range(len(self.groups))]

    def send(self, g: int, actions: np.ndarray) -> None:
        assert self.sent[g] is None, "send twice without recv"
        self.sent[g] = np.asarray(actions)

    def lives_lost(self, g: int) -> np.ndarray:
        return np.zeros(self.groups[g], bool)  # Pong has no lives

    def recv(self, g: int):
        actions, self.sent[g] = self.sent[g], None
        n = self.groups[g]
        rewards, dones = np.zeros(n), np.zeros(n, bool)
        shown = self.phase[g] == 1
        good = (actions == UP) == self.top[g]
        rewards[shown] = np.where(good[shown], 1.0, -1.0)
        self.scored[g] += shown
        self.phase[g] = (self.phase[g] + 1) % 3
        new_ball = self.phase[g] == 1
        self.top[g] = np.where(new_ball, self.rng.random(n) < 0.5, self.top[g])
        dones[:] = (self.scored[g] >= self.points) & (self.phase[g] == 0)
        self.scored[g][dones] = 0
        self.phase[g][dones] = 0
        return self._frames(g), rewards, dones

    def close(self) -> None:
        self.closed = True


def fake_scenery(game):
    """Pong's scenery as random play on the emulator finds it (nothing stays lit by either rule, each
    pixel's usual grey level 87: tests/test_games.py checks it), without one; another game's (FakePong
    dressed as Boxing in the benchmark's tests) is measured on the emulator as usual."""
    from pgcli.base.scenery import Scenery, warm_up

    if game.name != "pong":
        return warm_up(game)
    return Scenery(np.full(6400, 87, np.uint8), {"colour": np.zeros(6400, bool), "pixel": np.zeros(6400, bool)})

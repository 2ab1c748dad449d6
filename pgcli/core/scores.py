"""Each game's score as it is played: steps, rewards won and lost (Pong: points) and the score, for N
games side by side; a game that ends is handed out as `Finished` and its counts start again.
Training's collector and `pgcli evaluate` keep their games' scores with it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Finished:
    """One game that just ended: its length, its score and the rewards won and lost in it (Pong: points)."""

    game: int
    steps: int
    won: int
    lost: int
    score: float


class Scores:
    def __init__(self, n: int):
        self.count = np.zeros((3, n), np.int64)  # steps, rewards won, rewards lost, per game
        self.score = np.zeros(n)

    def add(self, rewards: np.ndarray, dones: np.ndarray, playing: np.ndarray | None = None) -> list[Finished]:
        """One step of every game (those `playing`, if given) -> the games it ended, reset."""
        live = np.ones(len(rewards), bool) if playing is None else playing
        c = self.count
        c[0] += live
        c[1] += (rewards > 0) & live
        c[2] += (rewards < 0) & live
        self.score += rewards * live
        ended = np.flatnonzero(dones & live)
        finished = [Finished(int(i), *map(int, c[:, i]), float(self.score[i])) for i in ended]
        c[:, ended] = 0
        self.score[ended] = 0
        return finished

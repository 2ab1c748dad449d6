"""Episode memory for a group of games played side by side, in compact sparse form.

The seed keeps `xs, hs, dlogps, drs` lists for its one game. pgcli plays n games at once, so
each agent step appends one *row* for all n games with a handful of numpy calls (no Python
loop over games): the games' signed pixel indices (see `sparse.encode`), how many each has,
the actions taken (Pong: 1 = UP) and, once the emulator answers, the rewards. When game i finishes, `episode(i)`
gathers its rows since it started. Rows no game needs any more are dropped when the log fills,
so memory follows the games in flight, not the number of episodes trained.
"""

from __future__ import annotations

import numpy as np


class StepLog:
    def __init__(self, n: int, rows: int = 1 << 12):
        self.n = n
        self.counts = np.empty((rows, n), np.int32)  # lit pixels of game i at row t
        self.row_start = np.empty(rows, np.int64)  # where row t begins in self.idx
        self.y = np.empty((rows, n), np.uint8)  # the action index taken (Pong: 1 where UP was taken)
        self.r = np.empty((rows, n), np.float32)  # reward that followed
        self.p = np.empty((rows, n), np.float64)  # P(the action taken) when it was sampled (PPO's old policy)
        self.v = np.empty((rows, n), np.float32)  # value estimate at that step (PPO), else 0
        self.d = np.empty((rows, n), bool)  # the game ended with this step
        self.idx = np.empty(rows * n * 32, np.int16)  # signed pixel indices, all games, row by row
        self.T = self.n_idx = 0  # rows and indices in use
        self.first = np.zeros(n, np.int64)  # row where each game's current episode began

    def add(self, signed: np.ndarray, counts: np.ndarray, y: np.ndarray, p=0.0, v=0.0) -> None:
        """Append one step of all n games (signed: their indices, game after game)."""
        if self.T == len(self.counts):
            self._make_room(rows=1)
        if self.n_idx + len(signed) > len(self.idx):
            self._make_room(indices=len(signed))
        t, k = self.T, len(signed)
        self.idx[self.n_idx : self.n_idx + k] = signed
        self.counts[t] = counts
        self.row_start[t] = self.n_idx
        self.y[t] = y
        self.p[t], self.v[t] = p, v
        self.r[t] = 0.0
        self.d[t] = False
        self.T, self.n_idx = t + 1, self.n_idx + k

    def reward(self, rewards: np.ndarray, dones: np.ndarray | bool = False) -> None:
        """Rewards (n,) for the last step, and which games it ended."""
        self.r[self.T - 1] = rewards
        self.d[self.T - 1] = dones

    def rows(self, a: int, b: int) -> tuple[np.ndarray, ...]:
        """All games' steps of rows [a, b), in (row, game) order -> (signed, counts, y, r, p, v, d),
        the per-step arrays shaped (b - a, n). Relative to the oldest row still held."""
        idx = self.idx[self.row_start[a] : (self.row_start[b] if b < self.T else self.n_idx)].copy()
        return (idx, self.counts[a:b].copy(), self.y[a:b].copy(), self.r[a:b].copy(),
                self.p[a:b].copy(), self.v[a:b].copy(), self.d[a:b].copy())

    def release(self, row: int) -> None:
        """No episode will ask for rows before `row` again (PPO consumes rollouts, not episodes)."""
        np.maximum(self.first, row, out=self.first)

    def episode(self, i: int, end: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Game i's episode so far (rows up to `end`) -> (signed, counts, y, r); the rest of its
        steps start a new one."""
        a, b = self.first[i], self.T if end is None else end
        counts = self.counts[a:b, i].copy()
        starts = self.row_start[a:b] + self.counts[a:b, :i].sum(axis=1)  # after games 0..i-1
        before = np.cumsum(counts) - counts  # where each step's indices go in the result
        pos = np.repeat(starts - before, counts) + np.arange(int(counts.sum()))
        self.first[i] = b
        return self.idx[pos], counts, self.y[a:b, i].copy(), self.r[a:b, i].copy()

    def completed_points(self, i: int):
        """Game i's steps up to its last scored point (None if it scored none since it began):
        complete training data, as the discounted return resets at every point."""
        a = int(self.first[i])
        scored = np.flatnonzero(self.r[a : self.T, i])
        return None if not len(scored) else self.episode(i, end=a + int(scored[-1]) + 1)

    def held(self) -> tuple[int, int]:
        """(game steps, bytes) held: every row from the oldest unfinished episode on."""
        keep = int(self.first.min())
        rows = self.T - keep
        if not rows:
            return 0, 0
        per_row = sum(a.itemsize for a in self._per_game) * self.n + self.row_start.itemsize
        indices = self.n_idx - int(self.row_start[keep])
        return rows * self.n, rows * per_row + indices * self.idx.itemsize

    @property
    def bytes_per_step(self) -> int:
        steps, nbytes = self.held()
        return nbytes // steps if steps else 0

    @property
    def capacity_bytes(self) -> int:
        return sum(a.nbytes for a in (*self._per_game, self.row_start, self.idx))

    @property
    def _per_game(self) -> tuple[np.ndarray, ...]:
        return self.counts, self.y, self.r, self.p, self.v, self.d

    def _make_room(self, rows: int = 0, indices: int = 0) -> None:
        """Drop the rows every game is done with; grow the arrays only if that is not enough."""
        keep = int(self.first.min())
        cut = int(self.row_start[keep]) if keep < self.T else self.n_idx
        live_rows, live_idx = self.T - keep, self.n_idx - cut
        for name in ("counts", "row_start", "y", "r", "p", "v", "d"):
            a = getattr(self, name)
            if live_rows + rows > len(a) // 2:  # keep head room so drops stay rare
                grown = np.empty((2 * len(a),) + a.shape[1:], a.dtype)
                grown[:live_rows] = a[keep : self.T]
                setattr(self, name, grown)
            else:
                a[:live_rows] = a[keep : self.T]
        self.row_start[:live_rows] -= cut
        if live_idx + indices > len(self.idx) // 2:
            grown = np.empty(2 * max(len(self.idx), live_idx + indices), self.idx.dtype)
            grown[:live_idx] = self.idx[cut : self.n_idx]
            self.idx = grown
        else:
            self.idx[:live_idx] = self.idx[cut : self.n_idx]
        self.T, self.n_idx = live_rows, live_idx
        self.first -= keep

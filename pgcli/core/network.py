"""The policy network as an object: its parameters, and acting on difference frames.

Parameters (the seed's, plus PPO's value head):
    W1 (H, 6400)  kept pixel-major in memory (a (6400, H) buffer, W1 is its transposed view), the
                  layout the sparse paths read and write fastest; the math sees (H, 6400) (wider with
                  a richer `--input`, see `pgcli.core.observe`)
    W2 (H,)       P(UP) = sigmoid(W2 . relu(W1 x)); (H, A) for a game of A > 2 actions: a softmax
    Wv (H,), bv (1,)   optional value head on the same hidden layer: V(x) = Wv . h + bv (PPO)
`sync()` rebuilds the fast float32 copies used for acting, in one place, after every update: they
are the *settled* weights, safe to read from any thread (see `pgcli.core.trainer` for who owns what).
`sample` turns P(UP) into action indices for training, `play`, `evaluate` and `record` alike (the
game maps an index to the emulator's action, `pgcli.base.games.Game.actions`).
"""

from __future__ import annotations

import numpy as np

from pgcli.core import heads, pg_math, sparse

MODEL_KEYS = ("W1", "W2")
VALUE_KEYS = ("Wv", "bv")


def sample(p: np.ndarray, rng: np.random.Generator, greedy: bool = False) -> np.ndarray:
    """P(UP) (N,) or P (N, A) -> action indices (N,) (Pong: 1 = UP): roll the dice (greedy: the likeliest)."""
    return heads.sample(p, rng, greedy)


def pixel_major(W1: np.ndarray) -> np.ndarray:
    """(H, 6400) -> the same values as an (H, 6400) view of a contiguous (6400, H) buffer."""
    return np.ascontiguousarray(np.asarray(W1, dtype=np.float64).T).T


class Policy:
    def __init__(self, params: dict[str, np.ndarray]):
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.params["W1"] = pixel_major(self.params["W1"])
        self.version = -1  # how many times the acting copies were rebuilt (rollout workers follow it)
        self.sync()

    @classmethod
    def init(cls, H: int, rng: np.random.Generator, value_head: bool = False, inputs: int = pg_math.D,
             actions: int = 2) -> "Policy":
        """The seed's Xavier-style init; a value head starts at zero (V = 0 everywhere)."""
        params = pg_math.init_model(H, rng, inputs, actions)
        if value_head:
            params.update(Wv=np.zeros(H), bv=np.zeros(1))
        return cls(params)

    def load(self, params: dict[str, np.ndarray]) -> None:
        """Take new weights (e.g. float32 ones from the learner) in place, then sync."""
        for k, v in params.items():
            np.copyto(self.params[k], v)
        self.sync()

    def acting_weights(self) -> dict[str, np.ndarray]:
        """The settled weights as float32 (W1 pixel-major), from the acting copies: half the bytes to
        ship to rollout workers, and safe to take while an update runs."""
        A = self.params["W2"].shape[1] if self.params["W2"].ndim == 2 else 0
        out = {"W1": self.acting_W1(), "W2": self.heads32[:, :A].copy() if A else self.heads32[:, 0].copy()}
        if self.has_value:
            out.update(Wv=self.heads32[:, -1].copy(), bv=np.array([self.bv], np.float32))
        return out

    @property
    def has_value(self) -> bool:
        return "Wv" in self.params

    @property
    def H(self) -> int:
        return self.params["W2"].shape[0]

    @property
    def n_actions(self) -> int:
        """2 for the seed's sigmoid head, A for a softmax over A actions."""
        W2 = self.params["W2"]
        return 2 if W2.ndim == 1 else W2.shape[1]

    @property
    def inputs(self) -> int:
        return self.params["W1"].shape[1]

    def sync(self) -> None:
        """Copies for acting: W1 pixel-major in float32, the heads, the value bias. Acting reads
        only these, so an update may change `params` meanwhile (weights changed: call again)."""
        self.W1T = self.params["W1"].T  # (6400, H) contiguous view, float64, for gradients
        self.W1T32 = self.W1T.astype(np.float32)
        hidden_out = [self.params["W2"].reshape(self.H, -1)] + ([self.params["Wv"][:, None]] if self.has_value else [])
        self.heads32 = np.concatenate(hidden_out, axis=1).astype(np.float32)  # (H, 1 or A, + 1 with a value head)
        self.bv = float(self.params["bv"][0]) if self.has_value else 0.0
        self.version += 1

    def acting_W1(self) -> np.ndarray:
        """W1 (H, 6400) as the games act with it: the weights settled at the last `sync`. Safe to
        read from any thread while an update changes `params` (a sync makes a new array)."""
        return self.W1T32.T

    def forward(self, signed: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Sparse steps -> (P(UP) (N,) or P (N, A), V (N,) or None), in float32 (only used to act)."""
        h = sparse.hidden32(self.W1T32, signed, counts)  # (N, H)
        out = (h @ self.heads32).astype(np.float64)  # (N, 1 or A, + 1 with a value head)
        A = self.n_actions
        p = pg_math.sigmoid(out[:, 0]) if A == 2 else heads.probs(out[:, :A])
        v = out[:, -1] + self.bv if self.has_value else None
        return p, v

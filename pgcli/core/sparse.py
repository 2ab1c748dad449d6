"""The same forward and backward passes as `pgcli.core.pg_math`, exploiting the input's sparsity.

A difference frame holds only -1, 0 and +1, and ~0.35 % of it is non-zero (22 of 6400 pixels
on average). So instead of the dense (H, 6400) @ (6400,) product per step we add up the ~22
rows of W1.T that are switched on, and we store each step as those signed pixel indices:
index j+1 for +1 and -(j+1) for -1, in int16 (~50 bytes a step instead of 51,200).
Any input `pgcli.core.observe` builds (up to 3 x 6400 + 18 entries of -1/0/+1) takes the same
path. Both passes give the dense reference's numbers, for either head (tests/test_sparse.py).
The loops over the lit inputs are `pgcli.core.kernels` (numba): work in proportion to what is lit.
"""

from __future__ import annotations

import numpy as np

from pgcli.core import heads, kernels


def encode(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, D) int8 inputs (difference frames) -> (signed int16 indices, counts per row)."""
    flat = np.flatnonzero(x.view(bool))  # the bool view makes this ~20x faster than on int8
    rows, cols = np.divmod(flat, x.shape[1])
    signed = (cols + 1).astype(np.int16)
    signed[x.ravel()[flat] < 0] *= -1  # +-(j+1)
    return signed, np.bincount(rows, minlength=len(x))


def decode(signed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Signed int16 indices -> (pixel columns, their -1/+1 values): the inverse of `encode`."""
    return np.abs(signed).astype(np.intp) - 1, np.sign(signed)


def offsets_of(counts: np.ndarray) -> np.ndarray:
    """Per-step counts (N,) -> where each step's indices start, and the end (N + 1,)."""
    out = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def hidden32(W1T32: np.ndarray, signed: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """relu(x @ W1.T) for a batch of N sparse steps, in float32 (for acting). W1T32: (6400, H)."""
    h = np.empty((len(counts), W1T32.shape[1]), np.float32)  # (N, H) = x @ W1.T, the lit rows added
    kernels.add_rows(W1T32, signed, offsets_of(counts), h)
    np.maximum(h, 0, out=h)  # ReLU nonlinearity
    return h


def episode_gradient(W1T, W2, signed, counts, y, epr_adv, dW1T=None):
    """Gradient of one episode in float64, recomputing h and p with the current weights.

    W1T (6400, H) is W1 transposed, so a pixel's weights are one contiguous row; W2 (H,) (or (H, A),
    a softmax head); signed/counts: the episode's T steps in sparse form; y: (T,) the actions taken
    (1.0 where UP was taken); epr_adv: (T,) standardised discounted returns. dW1T (6400, H), if
    given, is added to in place (the batch's gradient buffer), else a new one is made.
    The seed's products, on the lit inputs only: eph = epx @ W1.T adds each step's lit rows of W1T,
    and dW1 = dh.T @ epx adds each step's dh into its lit rows. Returns (dW1T (6400, H), dW2).
    """
    (D, H), T = W1T.shape, len(counts)
    dW1T = np.zeros((D, H)) if dW1T is None else dW1T
    offsets = offsets_of(counts)
    eph = np.empty((T, H))
    kernels.add_rows(W1T, signed, offsets, eph)  # (T, H) = epx @ W1.T
    np.maximum(eph, 0, out=eph)  # ReLU nonlinearity
    z = eph @ W2  # (T,) log-odds of UP, or (T, A) logits
    epdlogp = heads.per_step(epr_adv, heads.dlogp(z, y))  # grad of log P(action taken), advantaged
    dW2 = eph.T @ epdlogp  # (H,) or (H, A)
    dh = heads.backward(epdlogp, W2)  # (T, H)
    np.copyto(dh, 0.0, where=eph <= 0)  # backprop through ReLU
    kernels.scatter_rows(dh, signed, offsets, np.arange(D), dW1T)  # dW1T += epx.T @ dh, lit rows only
    return dW1T, dW2


def select(signed: np.ndarray, counts: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sparse form of `steps` (indices into a batch of sparse steps) -> (signed, counts)."""
    offsets = offsets_of(counts)
    c = counts[steps]
    before = np.cumsum(c) - c  # where each chosen step's indices go in the result
    pos = np.repeat(offsets[steps] - before, c) + np.arange(int(c.sum()))
    return signed[pos], c


class Batch:
    """N sparse steps ready for forward and backward passes (PPO's minibatches).

    The two products follow the lit inputs (`pgcli.core.kernels`): ~60 rows of W1T added per step
    forward, ~60 rows of the gradient added to backward, in float32 (inputs are exactly -1/0/+1;
    within ~1e-6 of the float64 reference, tests/test_ppo.py; the hidden layer comes back in float64
    for the heads, W1's gradient stays float32 into Adam).
    Only the pixels lit somewhere in the batch get a gradient: `pixels`, sorted.
    """

    def __init__(self, signed: np.ndarray, counts: np.ndarray, D: int):
        self.signed, self.offsets = signed, offsets_of(counts)
        lit = np.zeros(D, bool)
        lit[np.abs(signed.astype(np.intp)) - 1] = True
        self.pixels = np.flatnonzero(lit)  # (U,) the lit pixels, sorted
        self.slot = np.empty(D, np.intp)  # pixel -> its row in the gradient
        self.slot[self.pixels] = np.arange(len(self.pixels))

    def hidden(self, W1T32: np.ndarray) -> np.ndarray:
        """x @ W1.T for the N steps (before ReLU), float64 (N, H). W1T32: (6400, H) float32."""
        h = np.empty((len(self.offsets) - 1, W1T32.shape[1]), np.float32)
        kernels.add_rows(W1T32, self.signed, self.offsets, h)
        return h.astype(np.float64)

    def grad_W1T(self, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dh (N, H) float32 -> (the lit pixels (U,), their rows of dLoss/dW1T (U, H) float32); the
        other pixels' rows are 0."""
        g = np.zeros((len(self.pixels), dh.shape[1]), np.float32)
        kernels.scatter_rows(dh, self.signed, self.offsets, self.slot, g)
        return self.pixels, g

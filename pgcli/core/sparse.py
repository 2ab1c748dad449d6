"""The same forward and backward passes as `pgcli.core.pg_math`, exploiting the input's sparsity.

A difference frame holds only -1, 0 and +1, and ~0.35 % of it is non-zero (22 of 6400 pixels
on average). So instead of the dense (H, 6400) @ (6400,) product per step we add up the ~22
rows of W1.T that are switched on, and we store each step as those signed pixel indices:
index j+1 for +1 and -(j+1) for -1, in int16 (~50 bytes a step instead of 51,200).
Any input `pgcli.core.observe` builds (up to 3 x 6400 + 18 entries of -1/0/+1) takes the same
path. Both passes give the dense reference's numbers, for either head (tests/test_sparse.py).
"""

from __future__ import annotations

import numpy as np

from pgcli.core import heads

STEP_CHUNK = 64  # steps per chunk of the episode gradient (fastest on real Pong play: 12.4 us/step vs 16.3 at 256)


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


def hidden32(W1T32: np.ndarray, signed: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """relu(x @ W1.T) for a batch of N sparse steps, in float32 (for acting). W1T32: (6400, H)."""
    cols, signs = decode(signed)
    rows = W1T32.take(cols, axis=0)  # (nnz, H): the lit pixels' weights
    signs = signs.astype(np.float32)
    h = np.empty((len(counts), W1T32.shape[1]), np.float32)  # (N, H) = x @ W1.T, step by step
    a = 0
    for t, k in enumerate(counts.tolist()):  # a short loop of small dots beats one (N, nnz) matmul
        np.dot(signs[a : a + k], rows[a : a + k], out=h[t])
        a += k
    np.maximum(h, 0, out=h)  # ReLU nonlinearity
    return h


def episode_gradient(W1T, W2, signed, counts, y, epr_adv, dW1T=None):
    """Gradient of one episode in float64, recomputing h and p with the current weights.

    W1T (6400, H) is W1 transposed, so a pixel's weights are one contiguous row; W2 (H,) (or (H, A),
    a softmax head); signed/counts: the episode's T steps in sparse form; y: (T,) the actions taken
    (1.0 where UP was taken);
    epr_adv: (T,) standardised discounted returns. dW1T (6400, H), if given, is added to in
    place (the batch's gradient buffer), else a new one is made.
    In chunks of STEP_CHUNK steps, only the pixels lit somewhere in the chunk matter (~400 of
    6400 in real Pong play): their inputs form a small dense matrix epx, and the seed's dense
    products run on those rows of W1T alone. Returns (dW1T (6400, H), dW2 (H,) or (H, A)).
    """
    (D, H), T = W1T.shape, len(counts)
    dW1T = np.zeros((D, H)) if dW1T is None else dW1T
    dW2 = np.zeros(W2.shape)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    lit, slot = np.zeros(D, bool), np.empty(D, np.intp)  # scratch: is pixel j lit, its column in epx
    for t0 in range(0, T, STEP_CHUNK):
        t1 = min(T, t0 + STEP_CHUNK)
        cols, signs = decode(signed[offsets[t0] : offsets[t1]])
        lit[cols] = True
        used = np.flatnonzero(lit)  # the lit pixels of this chunk, sorted (cheaper than np.unique)
        lit[used] = False
        slot[used] = np.arange(len(used))
        epx = np.zeros((t1 - t0, len(used)))  # (t, U) inputs restricted to the lit pixels
        epx[np.repeat(np.arange(t1 - t0), counts[t0:t1]), slot[cols]] = signs
        eph = epx @ W1T[used]  # (t, H)
        np.maximum(eph, 0, out=eph)  # ReLU nonlinearity
        z = eph @ W2  # (t,) log-odds of UP, or (t, A) logits
        epdlogp = heads.per_step(epr_adv[t0:t1], heads.dlogp(z, y[t0:t1]))  # grad of log P(action taken), advantaged
        dW2 += eph.T @ epdlogp  # (H,) or (H, A)
        dh = heads.backward(epdlogp, W2)  # (t, H)
        np.copyto(dh, 0.0, where=eph <= 0)  # backprop through ReLU
        dW1T[used] += epx.T @ dh  # (U, H): the only pixels with a non-zero gradient
    return dW1T, dW2


def select(signed: np.ndarray, counts: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sparse form of `steps` (indices into a batch of sparse steps) -> (signed, counts)."""
    offsets = np.concatenate([[0], np.cumsum(counts)])
    c = counts[steps]
    before = np.cumsum(c) - c  # where each chosen step's indices go in the result
    pos = np.repeat(offsets[steps] - before, c) + np.arange(int(c.sum()))
    return signed[pos], c


class Batch:
    """N sparse steps ready for float64 forward and backward passes (PPO's minibatches).

    Only the pixels lit somewhere in the batch matter (~750-1,500 of 6400 in 1,024 steps of real
    Pong): their inputs form a small dense matrix epx (N, U), and the seed's dense products run on
    those rows of W1T alone, as in `episode_gradient`. The two big products run in float32 (2x
    faster; inputs are exactly -1/0/+1, results are returned in float64): within ~1e-6 of the
    float64 reference (tests/test_ppo.py), far below the noise of a policy gradient.
    """

    def __init__(self, signed: np.ndarray, counts: np.ndarray, D: int):
        cols, signs = decode(signed)
        lit = np.zeros(D, bool)
        lit[cols] = True
        self.pixels = np.flatnonzero(lit)  # (U,) the lit pixels, sorted
        slot = np.empty(D, np.intp)
        slot[self.pixels] = np.arange(len(self.pixels))
        self.epx = np.zeros((len(counts), len(self.pixels)), np.float32)  # (N, U) inputs on the lit pixels
        self.epx[np.repeat(np.arange(len(counts)), counts), slot[cols]] = signs

    def hidden(self, W1T: np.ndarray) -> np.ndarray:
        """x @ W1.T for the N steps (before ReLU), float64 (N, H). W1T: (6400, H)."""
        return (self.epx @ W1T[self.pixels].astype(np.float32)).astype(np.float64)

    def grad_W1T(self, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dh (N, H) -> (the lit pixels (U,), their rows of dLoss/dW1T (U, H)); others are 0."""
        return self.pixels, (self.epx.T @ dh.astype(np.float32)).astype(np.float64)

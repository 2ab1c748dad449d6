"""The same forward and backward passes as `pgcli.core.pg_math`, exploiting the input's sparsity.

A difference frame holds only -1, 0 and +1, and ~0.35 % of it is non-zero (22 of 6400 pixels
on average). So instead of the dense (H, 6400) @ (6400,) product per step we add up the ~22
rows of W1.T that are switched on, and we store each step as those signed pixel indices:
index j+1 for +1 and -(j+1) for -1, in int16 (~50 bytes a step instead of 51,200).
Any input `pgcli.core.observe` builds (up to 3 x 6400 + 18 entries of -1/0/+1) takes the same
path. Both passes give the dense reference's numbers, for either head (tests/test_sparse.py).
The loops over the lit inputs are `pgcli.core.kernels` (numba): work in proportion to what is lit,
or, on a busy screen, to what changes from one step of a game to the next (`Deltas`).
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
    D, H = W1T.shape
    dW1T = np.zeros((D, H)) if dW1T is None else dW1T
    chains = Deltas(signed, counts, D).chains()  # an episode's steps, each after the one before
    eph = chains.hidden(W1T, np.float64)  # (T, H) = epx @ W1.T
    np.maximum(eph, 0, out=eph)  # ReLU nonlinearity
    z = eph @ W2  # (T,) log-odds of UP, or (T, A) logits
    epdlogp = heads.per_step(epr_adv, heads.dlogp(z, y))  # grad of log P(action taken), advantaged
    dW2 = eph.T @ epdlogp  # (H,) or (H, A)
    dh = heads.backward(epdlogp, W2)  # (T, H)
    np.copyto(dh, 0.0, where=eph <= 0)  # backprop through ReLU
    chains.scatter(dh, np.arange(D), dW1T)  # dW1T += epx.T @ dh, lit rows only
    return dW1T, dW2


class Deltas:
    """A batch's N sparse steps, each also as its difference from the step before it of the same
    game, where that has fewer entries (`kernels.step_deltas`): computed once a batch, so that any
    subset of its steps (a minibatch) can be stored as chains (`chains`).

    On a busy screen a step lights much the same inputs as the one before it (Enduro's road, Battle
    Zone's ground: thousands a step), so x[i] = x[p] + (x[i] - x[p]) with few entries in the
    difference; the forward pass adds its rows to the hidden row of p, the backward pass scatters
    the sum of dh over the rest of the chain (`kernels.chain_rows`, `kernels.chain_scatter`). The
    same products at the cost of what changes; where nothing is cheaper (Pong's few lit pixels) a
    step stays plain and its sums are the plain loops' bits.
    `streams` (N,): which game each step came from, a game's steps in time order (None: every step
    follows the one before it, as an episode's do)."""

    def __init__(self, signed: np.ndarray, counts: np.ndarray, D: int, streams: np.ndarray | None = None):
        N = len(counts)
        self.signed, self.counts, self.offsets, self.D = signed, counts, offsets_of(counts), D
        if streams is None:
            self.streams, order, linked = None, np.arange(N), np.ones(N, bool)
        else:
            self.streams = streams
            order = np.argsort(streams, kind="stable")  # game by game, in time order
            linked = np.concatenate([[False], streams[order][1:] == streams[order][:-1]])
        self.rank = np.empty(N, np.intp)
        self.rank[order] = np.arange(N)  # a step's place in that order
        cols, vals = np.empty(len(signed), np.int32), np.empty(len(signed), np.int8)
        self.doffsets, is_delta = np.empty(N + 1, np.int64), np.empty(N, np.bool_)
        n = kernels.step_deltas(signed, self.offsets, order, linked, cols, vals, self.doffsets, is_delta)
        self.dcols, self.dvals = cols[:n], vals[:n]
        self.segment = np.cumsum(~is_delta)  # steps linked by differences share a segment
        self.scratch = np.zeros(D, np.int8)

    def chains(self, steps: np.ndarray | None = None) -> "Chains":
        """The steps `steps` (sorted indices; None: all) stored as chains for the two products."""
        steps = np.arange(len(self.counts)) if steps is None else steps
        order = steps if self.streams is None else steps[np.argsort(self.streams[steps], kind="stable")]
        room = int(self.counts[steps].sum())
        cols, vals = np.empty(room, np.int32), np.empty(room, np.float32)
        offsets, chained = np.empty(len(steps) + 1, np.int64), np.empty(len(steps), np.bool_)
        n = kernels.chain_gather(self.signed, self.offsets, self.dcols, self.dvals, self.doffsets, self.segment,
                                 self.rank, order, self.scratch, cols, vals, offsets, chained)
        where = None if self.streams is None else np.searchsorted(steps, order)  # order's rows in `steps`
        return Chains(cols[:n], vals[:n], offsets, chained, where)


class Chains:
    """Steps for the two products: each as its lit inputs, or as its difference from the step before
    it (`chained`), in an order of games (`where`: the rows of the caller's steps they are, or None
    for the same order)."""

    def __init__(self, cols, vals, offsets, chained, where=None):
        self.cols, self.vals, self.offsets, self.chained, self.where = cols, vals, offsets, chained, where

    @property
    def rows(self) -> int:
        """Rows of W1 a product reads."""
        return len(self.cols)

    def pixels(self, D: int) -> np.ndarray:
        """The inputs lit in any of the steps, sorted (a difference's entries are lit before or after)."""
        lit = np.zeros(D, bool)
        lit[self.cols] = True
        return np.flatnonzero(lit)

    def hidden(self, W1T: np.ndarray, dtype=np.float32) -> np.ndarray:
        """x @ W1.T (N, H), before the ReLU, in `dtype` (W1T's own, or float32 from a float32 copy)."""
        h = np.empty((len(self.chained), W1T.shape[1]), dtype)
        kernels.chain_rows(W1T, self.cols, self.vals, self.offsets, self.chained, h)
        if self.where is None:
            return h
        out = np.empty_like(h)
        out[self.where] = h
        return out

    def scatter(self, dh: np.ndarray, slot: np.ndarray, g: np.ndarray) -> None:
        """g[slot[j]] += x[:, j] @ dh for every lit input j: x.T @ dh on the lit rows, in place."""
        dh = dh if self.where is None else dh[self.where]
        kernels.chain_scatter(dh, self.cols, self.vals, self.offsets, self.chained, slot, g)


class Batch:
    """N sparse steps ready for forward and backward passes (PPO's minibatches): `steps` of a batch's
    `Deltas`, or all of `Deltas(signed, counts, D)`.

    The two products follow the lit inputs (`Chains`: what changes from step to step of a game,
    where that is less), in float32 (inputs are exactly -1/0/+1; within ~1e-6 of the float64
    reference, tests/test_ppo.py; the hidden layer comes back in float64 for the heads, W1's
    gradient stays float32 into Adam).
    Only the pixels lit somewhere in the batch get a gradient: `pixels`, sorted.
    """

    def __init__(self, deltas: Deltas, steps: np.ndarray | None = None):
        self.chains = deltas.chains(steps)
        self.pixels = self.chains.pixels(deltas.D)  # (U,) the lit pixels, sorted
        self.slot = np.empty(deltas.D, np.intp)  # pixel -> its row in the gradient
        self.slot[self.pixels] = np.arange(len(self.pixels))

    def hidden(self, W1T32: np.ndarray) -> np.ndarray:
        """x @ W1.T for the N steps (before ReLU), float64 (N, H). W1T32: (6400, H) float32."""
        return self.chains.hidden(W1T32).astype(np.float64)

    def grad_W1T(self, dh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dh (N, H) float32 -> (the lit pixels (U,), their rows of dLoss/dW1T (U, H) float32); the
        other pixels' rows are 0."""
        g = np.zeros((len(self.pixels), dh.shape[1]), np.float32)
        self.chains.scatter(dh, self.slot, g)
        return self.pixels, g

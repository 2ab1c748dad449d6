"""The three loops that follow the lit inputs, compiled with numba (docs/speed.md says why numba).

A step lights ~60 of PPO's 12,818 inputs (the seed's difference frame: ~22 of 6,400), each -1 or +1,
stored as signed indices (`sparse.encode`: +-(j+1)). So x @ W1.T is a sum of ~60 signed rows of
W1T, and the gradient dL/dW1T adds each step's dh into ~60 rows: work in proportion to the lit
inputs, where a dense product over every column lit anywhere in a 1,024-step minibatch did ~55x
more. Plain loops, in a fixed order (no fastmath): the same inputs give the same bits on every run.

    add_rows(W, signed, offsets, out)            out[i] = sum_k sign_k W[j_k]  over step i's lit inputs
    scatter_rows(dh, signed, offsets, slot, g)   g[slot[j_k]] += sign_k dh[i]  (the transpose)
    hidden_grad(dz, W2, dv, Wv, h, out)          dL/dh from the heads, through the ReLU, in one pass
    sum_squares(g)                               sum of g^2 in float64 (the gradient-norm clip)
    adam_rows(W, m, v, rows, g, scale, ...)      Adam on the rows of W that a gradient touched, in place

Compiled on first use and cached beside this file (or in numba's user cache when that is read-only).
`error_model="numpy"`: a division by zero gives inf as in numpy instead of a check that raises
ZeroDivisionError; without those checks LLVM vectorises Adam's divisions and square roots (2.5x
faster, measured; IEEE-exact either way, so the same bits).
"""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def add_rows(W, signed, offsets, out):
    """out (N, H) = x @ W for N sparse steps: step i's inputs are signed[offsets[i]:offsets[i + 1]]."""
    n, h = out.shape
    for i in range(n):
        acc = out[i]
        acc[:] = 0.0
        for k in range(offsets[i], offsets[i + 1]):
            s = signed[k]
            if s > 0:
                row = W[s - 1]
                for j in range(h):
                    acc[j] += row[j]
            else:
                row = W[-s - 1]
                for j in range(h):
                    acc[j] -= row[j]


@jit
def scatter_rows(dh, signed, offsets, slot, g):
    """g[slot[j]] += x[i, j] dh[i] for every lit input j of every step i: x.T @ dh on the lit rows."""
    n, h = dh.shape
    for i in range(n):
        d = dh[i]
        for k in range(offsets[i], offsets[i + 1]):
            s = signed[k]
            if s > 0:
                r = g[slot[s - 1]]
                for j in range(h):
                    r[j] += d[j]
            else:
                r = g[slot[-s - 1]]
                for j in range(h):
                    r[j] -= d[j]


@jit
def hidden_grad(dz, W2T, dv, Wv, h, out):
    """out (N, H) float32 = dL/dh before the ReLU: dz @ W2T + outer(dv, Wv) where h > 0, else 0.
    dz (N, A) and W2T (A, H) (the sigmoid head as A = 1), dv (N,), Wv (H,), h (N, H) after the ReLU."""
    n, hh = out.shape
    acc = np.empty(hh)
    for i in range(n):
        for j in range(hh):
            acc[j] = dv[i] * Wv[j]
        for a in range(dz.shape[1]):
            d, w = dz[i, a], W2T[a]
            for j in range(hh):
                acc[j] += d * w[j]
        o, hi = out[i], h[i]
        for j in range(hh):
            o[j] = acc[j] if hi[j] > 0 else 0.0  # backprop through ReLU


@jit
def sum_squares(g):
    """sum(g ** 2) over a 2-D array, accumulated in float64."""
    total = 0.0
    for i in range(g.shape[0]):
        r = g[i]
        for j in range(g.shape[1]):
            x = np.float64(r[j])
            total += x * x
    return total


@jit
def adam_rows(W, m, v, rows, g, scale, t, learning_rate, beta1, beta2, eps, mirror):
    """`pg_math.adam_step` (an ascent step, the same operations in the same order, so the same bits)
    on rows `rows` of W (D, H) and its moments, in place, along scale x g: g (len(rows), H), float32
    or float64, holds those rows' gradient (`scale` carries the clip and the sign: the products give
    the loss's gradient, Adam ascends). `mirror` (D, H) float32 takes the new rows too (the
    learner's float32 copy for its products), or pass `NO_MIRROR`."""
    h = W.shape[1]
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t  # bias corrections
    follow, spare = mirror.shape[0] > 0, np.empty(h, np.float32)  # no mirror: write a spare row
    for i in range(len(rows)):
        r = rows[i]
        Wr, mr, vr, gr = W[r], m[r], v[r], g[i]
        out = mirror[r] if follow else spare  # one loop without branches: LLVM vectorises it
        for j in range(h):
            gj = scale * np.float64(gr[j])
            mj = beta1 * mr[j] + (1.0 - beta1) * gj
            vj = beta2 * vr[j] + gj * gj * (1.0 - beta2)
            mr[j] = mj
            vr[j] = vj
            w = Wr[j] + mj / c1 * learning_rate / (np.sqrt(vj / c2) + eps)
            Wr[j] = w
            out[j] = w


NO_MIRROR = np.zeros((0, 0), np.float32)

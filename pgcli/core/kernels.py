"""The three loops that follow the lit inputs, compiled with numba (docs/speed.md says why numba).

A step lights ~60 of PPO's 12,818 inputs (the seed's difference frame: ~22 of 6,400), each -1 or +1,
stored as signed indices (`sparse.encode`: +-(j+1)). So x @ W1.T is a sum of ~60 signed rows of
W1T, and the gradient dL/dW1T adds each step's dh into ~60 rows: work in proportion to the lit
inputs, where a dense product over every column lit anywhere in a 1,024-step minibatch did ~55x
more. Plain loops, in a fixed order (no fastmath): the same inputs give the same bits on every run.

    add_rows(W, signed, offsets, out)            out[i] = sum_k sign_k W[j_k]  over step i's lit inputs
    scatter_rows(dh, signed, offsets, slot, g)   g[slot[j_k]] += sign_k dh[i]  (the transpose)
    adam_rows(W, m, v, rows, g, ...)             Adam on the rows of W that a gradient touched, in place

Compiled on first use and cached beside this file (or in numba's user cache when that is read-only).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
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


@numba.njit(cache=True, nogil=True)
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


@numba.njit(cache=True, nogil=True)
def adam_rows(W, m, v, rows, g, t, learning_rate, beta1, beta2, eps, mirror):
    """`pg_math.adam_step` (an ascent step, the same operations in the same order, so the same bits)
    on rows `rows` of W (D, H) and its moments, in place; g (len(rows), H) holds those rows' gradient.
    `mirror` (D, H) float32 takes the new rows too (the learner's float32 copy for its products), or
    pass `NO_MIRROR`."""
    h = W.shape[1]
    follow = mirror.shape[0] > 0
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t  # bias corrections
    for i in range(len(rows)):
        r = rows[i]
        for j in range(h):
            gj = g[i, j]
            mj = beta1 * m[r, j] + (1.0 - beta1) * gj
            vj = beta2 * v[r, j] + gj * gj * (1.0 - beta2)
            m[r, j] = mj
            v[r, j] = vj
            w = W[r, j] + mj / c1 * learning_rate / (np.sqrt(vj / c2) + eps)
            W[r, j] = w
            if follow:
                mirror[r, j] = w


NO_MIRROR = np.zeros((0, 0), np.float32)

"""The loops that follow the lit inputs, compiled with numba (docs/speed.md says why numba).

A step lights ~60 of PPO's 12,818 inputs on Pong (the seed's difference frame: ~22 of 6,400), each
-1 or +1, stored as signed indices (`sparse.encode`: +-(j+1)). So x @ W1.T is a sum of ~60 signed
rows of W1T, and the gradient dL/dW1T adds each step's dh into ~60 rows: work in proportion to the
lit inputs. A busy screen lights thousands (Enduro, Battle Zone), but much the same ones from one
step of a game to the next: there a step is stored as its difference from the game's step before
it in the minibatch (a chain), and the products cost what changes (`sparse.Deltas`).
Plain loops, in a fixed order (no fastmath): the same inputs give the same bits on every run.

    add_rows(W, signed, offsets, out)            out[i] = sum_k sign_k W[j_k]  over step i's lit inputs (acting)
    step_deltas(...), chain_gather(...)          a batch's steps as differences from the step before
                                                 of their game, where that is fewer rows (busy screens)
    chain_rows(W, cols, vals, offsets, chained, out)     the forward product over those chains
    chain_scatter(dh, cols, vals, offsets, chained, slot, g)   its transpose: g[slot[j]] += x[:, j] @ dh
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
def plain(signed, a0, a1, cols, vals, pos):
    """Write entries a0..a1 of `signed` as (column, -1/+1) at cols[pos:], vals[pos:] -> the next pos."""
    for k in range(a0, a1):
        s = np.int64(signed[k])
        cols[pos], vals[pos] = abs(s) - 1, np.sign(s)
        pos += 1
    return pos


@jit
def step_deltas(signed, offsets, order, linked, cols, vals, chain_offsets, chained):
    """Each step of `order` as its lit inputs (cols, vals = their -1/+1), or, where that is fewer
    entries, as its difference from the step before it in `order` (vals in -2..2): a busy screen
    lights much the same inputs from one step of a game to the next. linked[r]: order[r] may build
    on order[r - 1] (the same game, the next step in time). Fills cols, vals (room for every lit
    input), chain_offsets (N + 1,) and chained (N,), in the order of `order`; -> the entries written.
    A step's indices must be increasing in |signed| (`sparse.encode`'s order); one that is not is
    kept plain."""
    pos = 0
    chain_offsets[0] = 0
    for r in range(len(order)):
        i = order[r]
        a0, a1 = offsets[i], offsets[i + 1]
        use = r > 0 and linked[r]
        if use:  # merge the two sorted steps, writing the difference; give up once it is no shorter
            p = order[r - 1]
            b0, b1 = offsets[p], offsets[p + 1]
            a, b, last, n = a0, b0, 0, 0
            while a < a1 or b < b1:
                ca = abs(np.int64(signed[a])) if a < a1 else 1 << 40
                cb = abs(np.int64(signed[b])) if b < b1 else 1 << 40
                c = min(ca, cb)
                if c <= last or n >= a1 - a0:  # not increasing, or no fewer entries: plain
                    use = False
                    break
                last = c
                if ca == cb:
                    d = np.sign(signed[a]) - np.sign(signed[b])
                    a += 1
                    b += 1
                elif ca < cb:
                    d = np.sign(signed[a])
                    a += 1
                else:
                    d = -np.sign(signed[b])
                    b += 1
                if d != 0:
                    cols[pos + n], vals[pos + n] = c - 1, d
                    n += 1
            if use:
                pos += n
        chained[r] = use
        if not use:
            pos = plain(signed, a0, a1, cols, vals, pos)
        chain_offsets[r + 1] = pos
    return pos


@jit
def chain_gather(signed, offsets, dcols, dvals, doffsets, segment, rank, order, scratch,
                 cols, vals, chain_offsets, chained):
    """The steps `order` (a minibatch, game by game, in time order) for `chain_rows`: each as its lit
    inputs, or as its difference from the step before it in `order`, where that is fewer entries.
    That difference is the sum of the steps' own differences in between (`step_deltas`, ranked by
    `rank`, stored in a game's time order: one contiguous range), summed here into `scratch` (D,)
    int8 zeros, left zero) so that inputs that changed and changed back cost nothing. Steps in one
    `segment` are linked without a plain step between. Fills cols, vals, chain_offsets, chained;
    -> the entries written."""
    pos = 0
    chain_offsets[0] = 0
    for r in range(len(order)):
        i = order[r]
        a0, a1 = offsets[i], offsets[i + 1]
        use = False
        if r > 0:
            kp, ki = rank[order[r - 1]], rank[i]
            d0, d1 = doffsets[kp + 1], doffsets[ki + 1]
            use = segment[kp] == segment[ki] and kp < ki and d1 - d0 + 1 < a1 - a0  # fewer rows by more than a copy
        chained[r] = use
        if use:
            start = pos
            for k in range(d0, d1):
                c = dcols[k]
                if scratch[c] == 0:
                    cols[pos] = c
                    pos += 1
                scratch[c] += np.int8(dvals[k])
            end, pos = pos, start
            for k in range(start, end):  # the net change of each input touched; zero ones dropped
                c = cols[k]
                v = scratch[c]
                scratch[c] = 0
                if v != 0:
                    cols[pos], vals[pos] = c, v
                    pos += 1
        else:
            pos = plain(signed, a0, a1, cols, vals, pos)
        chain_offsets[r + 1] = pos
    return pos


@jit
def chain_rows(W, cols, vals, offsets, chained, out):
    """out (N, H) = x @ W for steps stored by `chain_gather`: out[r] = out[r - 1] (where chained) +
    sum_k vals_k W[cols_k]. Multiplying by +-1 or +-2 is exact: a plain step's sum is `add_rows`'.
    Row by row: measured faster here than a block of steps reading each row of W once (the
    hardware prefetcher streams a row's 13 cache lines; a block's output tile costs more stores)."""
    n, h = out.shape
    for r in range(n):
        acc = out[r]
        if chained[r]:
            acc[:] = out[r - 1]
        else:
            acc[:] = 0.0
        for k in range(offsets[r], offsets[r + 1]):
            row, v = W[cols[k]], vals[k]
            for j in range(h):
                acc[j] += v * row[j]


@jit
def chain_scatter(dh, cols, vals, offsets, chained, slot, g):
    """The transpose of `chain_rows`: g[slot[j]] += x[r, j] dh[r] over every step r, with x stored as
    differences. Step r's entries are in every later step of its chain, so each takes the sum of dh
    from r to the chain's end (S[r] = dh[r] + S[r + 1] where r + 1 is chained). Steps in order:
    without chains, the sums of a plain loop over the steps."""
    n, h = dh.shape
    S = dh.copy()
    for r in range(n - 2, -1, -1):
        if chained[r + 1]:
            a, b = S[r], S[r + 1]
            for j in range(h):
                a[j] += b[j]
    for r in range(n):
        d = S[r]
        for k in range(offsets[r], offsets[r + 1]):
            row, v = g[slot[cols[k]]], vals[k]
            for j in range(h):
                row[j] += v * d[j]


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

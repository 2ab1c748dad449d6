"""The policy's output layer, for two actions or many: logits z -> action probabilities.

Two actions keep the seed's head exactly: one logit per step, z (N,) = h . W2 with W2 (H,), and
P(action 1) = sigmoid(z) (Pong: P(UP)). More actions get a softmax: z (N, A) = h @ W2 with W2 (H, A),
P(a) = exp(z_a) / sum_b exp(z_b) (CleanRL's `Categorical(logits=...)`). Every function takes the
logits of either head and the taken actions as indices, so the algorithms never ask which it is.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))  # squash to the interval [0, 1]


def probs(z: np.ndarray) -> np.ndarray:
    """Logits -> P(action 1) (N,) for the sigmoid head, P(every action) (N, A) for the softmax."""
    if z.ndim == 1:
        return sigmoid(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sample(p: np.ndarray, rng: np.random.Generator, greedy: bool = False) -> np.ndarray:
    """Probabilities from `probs` -> action indices (N,): one uniform draw a step, as the seed rolls
    `np.random.uniform() < aprob` (greedy: the likeliest action)."""
    if p.ndim == 1:
        return (p > 0.5 if greedy else rng.random(len(p)) < p).astype(np.intp)  # roll the dice!
    if greedy:
        return p.argmax(axis=1)
    u = rng.random(len(p))[:, None]
    return np.minimum((u > np.cumsum(p, axis=1)).sum(axis=1), p.shape[1] - 1)  # inverse CDF


def taken(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """P(the action taken) (N,) from `probs`' output and the indices (1 - p for action 0 of two)."""
    if p.ndim == 1:
        return np.where(a == 1, p, 1 - p)
    return p[np.arange(len(a)), np.asarray(a, np.intp)]


def log_prob(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log P(a) (N,), computed stably."""
    if z.ndim == 1:
        return -np.logaddexp(0.0, np.where(a == 1, -z, z))
    m = z.max(axis=1)
    return z[np.arange(len(a)), np.asarray(a, np.intp)] - m - np.log(np.exp(z - m[:, None]).sum(axis=1))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log P(every action) (N, A) from a softmax head's logits, computed stably."""
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def kl(z_p: np.ndarray, z_q: np.ndarray) -> np.ndarray:
    """KL(p || q) (N,) between the action distributions of two policies' logits, exactly (every
    action's probability, not a sample): sum_a p(a) (log p(a) - log q(a))."""
    if z_p.ndim == 1:  # two actions: P(1) = sigmoid(z)
        p = sigmoid(z_p)
        log_p1, log_p0 = -np.logaddexp(0.0, -z_p), -np.logaddexp(0.0, z_p)
        log_q1, log_q0 = -np.logaddexp(0.0, -z_q), -np.logaddexp(0.0, z_q)
        return np.maximum(p * (log_p1 - log_q1) + (1 - p) * (log_p0 - log_q0), 0.0)
    log_p, log_q = log_softmax(z_p), log_softmax(z_q)
    return np.maximum((np.exp(log_p) * (log_p - log_q)).sum(axis=1), 0.0)


def dlogp(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """d log P(a) / dz: the seed's "fake label" gradient y - p, and one-hot(a) - p for a softmax."""
    if z.ndim == 1:
        return a - sigmoid(z)
    g = -probs(z)
    g[np.arange(len(a)), np.asarray(a, np.intp)] += 1
    return g


def entropy(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-> (H (N,), dH/dz, shaped as z). Sigmoid: H = softplus(z) - p z, dH/dz = -p (1 - p) z;
    softmax: H = -sum p log p, dH/dz = -p (log p + H)."""
    if z.ndim == 1:
        p = sigmoid(z)
        return np.logaddexp(0.0, z) - p * z, -p * (1 - p) * z
    logp = log_softmax(z)
    p = np.exp(logp)
    H = -(p * logp).sum(axis=1)
    return H, -p * (logp + H[:, None])


def per_step(w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Scale each step's gradient row by w (N,): `w * g` for either head's shape."""
    return w * g if g.ndim == 1 else w[:, None] * g


def backward(dz: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """dL/dz -> dL/dh (N, H) before the ReLU: outer(dz, W2) or dz @ W2.T."""
    return np.multiply.outer(dz, W2) if W2.ndim == 1 else dz @ W2.T

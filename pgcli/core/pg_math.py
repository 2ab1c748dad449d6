"""The policy-gradient math of Karpathy's "Pong from Pixels", as pure numpy functions.

Read this beside the blog post's 130-line script (karpathy/pg-pong.py): the names are the
same (`prepro`, `discount_rewards`, `policy_forward`, `policy_backward`, `W1`, `W2`,
`epx`/`eph`/`epdlogp`), but every array is passed in explicitly and nothing reads a global.
This dense float64 code is the reference; `pgcli.core.sparse` computes the same numbers faster.

References: A. Karpathy, "Deep Reinforcement Learning: Pong from Pixels" (2016);
R. J. Williams, "Simple statistical gradient-following algorithms" (REINFORCE, 1992);
T. Tieleman & G. Hinton, RMSProp (Coursera lecture 6.5, 2012); Kingma & Ba, Adam (2015).
"""

from __future__ import annotations

import numpy as np

from pgcli.core import heads
from pgcli.core.heads import sigmoid  # 1 / (1 + exp(-x)): squash to the interval [0, 1]

D = 80 * 80  # input dimensionality: an 80x80 grid
UP, DOWN = 2, 3  # ALE Pong actions: 2 moves the right paddle up, 3 moves it down


def prepro(I: np.ndarray) -> np.ndarray:
    """210x160x3 uint8 frame -> 6400 float64 vector of 0/1 (paddles and ball are 1)."""
    I = I[35:195]  # crop to the play area (160, 160, 3)
    I = I[::2, ::2, 0]  # downsample by 2, red channel only (80, 80)
    keep = (I != 144) & (I != 109)  # erase background (type 1 and type 2)
    return keep.astype(np.float64).ravel()  # (6400,)


def init_model(H: int, rng: np.random.Generator, inputs: int = D, actions: int = 2) -> dict[str, np.ndarray]:
    """Xavier-style init, as in the seed: randn / sqrt(fan_in). Two actions: the seed's one logit;
    more: a logit per action (see `pgcli.core.heads`)."""
    return {
        "W1": rng.standard_normal((H, inputs)) / np.sqrt(inputs),  # (H, 6400)
        "W2": rng.standard_normal(H if actions == 2 else (H, actions)) / np.sqrt(H),  # (H,) or (H, A)
    }


def policy_forward(model: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x: (T, 6400) -> (P(UP) (T,), hidden states h (T, H)); with a softmax head, P (T, A)."""
    h = x @ model["W1"].T  # (T, H)
    h[h < 0] = 0  # ReLU nonlinearity
    logp = h @ model["W2"]  # (T,) log-odds of going UP, or (T, A) logits
    return heads.probs(logp) if model["W2"].ndim == 2 else sigmoid(logp), h


def policy_backward(
    model: dict[str, np.ndarray], epx: np.ndarray, eph: np.ndarray, epdlogp: np.ndarray
) -> dict[str, np.ndarray]:
    """Backward pass. epx (T, 6400) inputs, eph (T, H) hidden states, epdlogp (T,) advantaged grads
    ((T, A) for a softmax head)."""
    dW2 = eph.T @ epdlogp  # (H,) or (H, A)
    dh = heads.backward(epdlogp, model["W2"])  # (T, H)
    dh[eph <= 0] = 0  # backprop through ReLU
    dW1 = dh.T @ epx  # (H, 6400)
    return {"W1": dW1, "W2": dW2}


def discount_rewards(r: np.ndarray, gamma: float, point_resets: bool = True) -> np.ndarray:
    """Discounted returns, the running sum reset at every point scored (Pong; `games.Game.point_resets`)."""
    discounted_r = np.zeros(len(r), dtype=np.float64)
    running_add = 0.0
    for t in reversed(range(len(r))):
        if r[t] != 0 and point_resets:
            running_add = 0.0  # reset the sum at a game boundary (Pong-specific)
        running_add = running_add * gamma + r[t]
        discounted_r[t] = running_add
    return discounted_r


def clip_rewards(r: np.ndarray) -> np.ndarray:
    """What learning sees of a reward: its sign (Pong's are +-1 already; Breakout's bricks are worth
    1, 4 or 7), as DQN and CleanRL clip them; scores are reported unclipped."""
    return np.sign(r).astype(np.float64)


def standardise(x: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance, as the seed does; all-equal returns give zeros, not NaN."""
    x = x - np.mean(x)
    std = np.std(x)
    return x / std if std > 0 else x  # the seed divides by 0 here when every return is equal


def rmsprop_step(
    model: dict, grad: dict, cache: dict, learning_rate: float, decay_rate: float, eps: float = 1e-5
) -> None:
    """One RMSProp *ascent* step, in place (gradients point to more reward)."""
    for k in model:
        cache[k][...] = decay_rate * cache[k] + (1 - decay_rate) * grad[k] ** 2  # in place: cache may be a view
        model[k] += learning_rate * grad[k] / (np.sqrt(cache[k]) + eps)


def adam_step(
    model: dict,
    grad: dict,
    m: dict,
    v: dict,
    t: int,
    learning_rate: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> None:
    """One Adam *ascent* step, in place; t is the 1-based update count (for bias correction).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
    w += lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)
    Written with in-place numpy ops (3 temporaries instead of 9: W1 has 1.28M weights), in the
    same order as the formula, so the numbers are bit for bit those of the one-line version.
    """
    for k in model:
        g = grad[k]
        m[k] *= beta1
        m[k] += (1 - beta1) * g
        g2 = g**2
        g2 *= 1 - beta2
        v[k] *= beta2
        v[k] += g2
        step = m[k] / (1 - beta1**t)  # m_hat
        step *= learning_rate
        denom = np.divide(v[k], 1 - beta2**t, out=g2)  # v_hat
        np.sqrt(denom, out=denom)
        denom += eps
        step /= denom
        model[k] += step

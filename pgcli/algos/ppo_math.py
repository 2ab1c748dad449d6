"""PPO's math on the seed's network, as pure numpy functions (read beside `pgcli.core.pg_math`).

The blog post ends with its advice: avoid "parameter updates that change your policy too much"
(TRPO). PPO does it with a clipped probability ratio and, here, a KL check that stops the epochs,
both measured from the same policy.
Network: h = relu(W1 x), logit z = W2 . h (P(UP) = sigmoid(z); a softmax over z = h @ W2 for a
game of more actions, see `pgcli.core.heads`), value v = Wv . h + bv.
Loss, minimised, averaged over the N steps of a minibatch:
    L = -mean(w min(ratio A, clip(ratio, 1-c, 1+c) A)) + vf_coef 0.5 mean((v - R)^2) - ent_coef mean(H)
with H the entropy of the action distribution and the trust region centred on one of two policies
(`--trust-region`). 'acted', the PPO paper's: ratio = P_new(a) / P_acted(a), w = 1, P_acted being the
policy that played the batch (one update behind the learner when the update runs beside the acting).
'start': ratio = P_new(a) / P_start(a) and w = P_start(a) / P_acted(a), P_start being the policy the
update started from; w corrects for the lag (the "decoupled" objective of Hilton et al., "Batch
size-invariance for policy optimization", 2021), and w ratio = P_new(a) / P_acted(a), so the gradient
is the paper's where the clip does not bind. The two are one loss when acting waits for the update.

References: Schulman et al., "Proximal Policy Optimization Algorithms" (2017); "High-Dimensional
Continuous Control Using Generalized Advantage Estimation" (GAE, 2015); CleanRL's ppo_atari.py.
"""

from __future__ import annotations

import numpy as np

from pgcli.core import heads, kernels, sparse


def gae(rewards, values, dones, last_value, gamma: float, lam: float,
        point_resets: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Advantages and returns of a rollout. rewards, values, dones: (T, n); last_value: (n,).

    Each scored point ends a return, as the seed's `discount_rewards` resets its sum there (Pong-
    specific, `point_resets`); so does the end of a game. At the rollout's cut the value of the next
    state stands in for the rest of the return (bootstrap). -> (advantages (T, n), returns = advantages + values).
    """
    T = len(rewards)
    adv = np.zeros((T,) + np.shape(last_value))
    next_adv, next_value = 0.0, np.asarray(last_value, np.float64)
    for t in reversed(range(T)):
        goes_on = ((rewards[t] == 0) | (not point_resets)) & ~dones[t]  # reset at a point (Pong) or a game's end
        delta = rewards[t] + gamma * next_value * goes_on - values[t]  # TD error
        next_adv = delta + gamma * lam * goes_on * next_adv
        adv[t] = next_adv
        next_value = values[t]
    return adv, adv + values


def heads_loss(z, v, a, logp_old, z_start, adv, ret, clip, ent_coef, vf_coef):
    """Loss from the policy's logits z ((N,) or (N, A)) and the values v (N,), a: the action indices
    taken, logp_old: their log-probabilities under the policy that acted, z_start: the logits of
    the policy the update started from, or None to centre the trust region on the policy that acted
    -> (loss, dL/dz (shaped as z), dL/dv (N,), stats; `approx_kl`: the KL from the trust region's
    centre, sampled (r - 1 - log r) from the acting policy, exact over the actions from the start).

    dlogP(a)/dz = y - p (the seed's "fake label" gradient, `heads.dlogp`); the clipped term's
    gradient is 0 where the clip binds (ratio outside [1-c, 1+c] on the side that would gain).
    """
    N = len(z)
    if z_start is None:  # centred on the policy that acted: the PPO paper's loss
        w, log_ratio = 1.0, heads.log_prob(z, a) - logp_old
    else:  # centred on the update's start; w weights out the lag
        logp_start = heads.log_prob(z_start, a)
        w, log_ratio = np.exp(logp_start - logp_old), heads.log_prob(z, a) - logp_start
    ratio = np.exp(log_ratio)
    unclipped, clipped = ratio * adv, np.clip(ratio, 1 - clip, 1 + clip) * adv
    surrogate = w * np.minimum(unclipped, clipped)
    active = unclipped <= clipped  # the gradient flows through the unclipped branch
    entropy, dH = heads.entropy(z)
    loss = -surrogate.mean() + vf_coef * 0.5 * np.mean((v - ret) ** 2) - ent_coef * entropy.mean()
    dz = (heads.per_step(-(active * w * ratio * adv), heads.dlogp(z, a)) - ent_coef * dH) / N
    dv = vf_coef * (v - ret) / N
    stats = {
        "approx_kl": float(np.mean(ratio - 1 - log_ratio) if z_start is None  # k3 estimator, >= 0
                           else heads.kl(z_start, z).mean()),  # exactly: this update's own move
        "clip_frac": float(np.mean(np.abs(ratio - 1) > clip)),
        "entropy": float(entropy.mean()),
        "value_loss": float(0.5 * np.mean((v - ret) ** 2)),
        "policy_loss": float(-surrogate.mean()),
    }
    return loss, dz, dv, stats


def forward_dense(params: dict, X: np.ndarray):
    """Dense float64 reference. X: (N, 6400) -> (h (N, H) after ReLU, z (N,) or (N, A), v (N,))."""
    h = X @ params["W1"].T  # (N, H)
    h[h < 0] = 0  # ReLU nonlinearity
    return h, h @ params["W2"], h @ params["Wv"] + params["bv"][0]


def head_grads(h: np.ndarray, dz: np.ndarray, dv: np.ndarray) -> dict:
    """The heads' weight gradients from dL/dz and dL/dv: W2, Wv, bv."""
    return {"W2": h.T @ dz, "Wv": h.T @ dv, "bv": np.array([dv.sum()])}


def backward_heads(params: dict, h: np.ndarray, dz: np.ndarray, dv: np.ndarray):
    """From dL/dz, dL/dv to (grads of W2, Wv, bv, and dL/dh before the ReLU (N, H))."""
    grads = head_grads(h, dz, dv)
    dh = heads.backward(dz, params["W2"]) + np.multiply.outer(dv, params["Wv"])  # (N, H)
    np.copyto(dh, 0.0, where=h <= 0)  # backprop through ReLU
    return grads, dh


def loss_and_grads_dense(params, X, a, logp_old, z_start, adv, ret, clip, ent_coef, vf_coef):
    """Dense float64 reference of the whole PPO loss and its gradient (for tests)."""
    h, z, v = forward_dense(params, X)
    loss, dz, dv, stats = heads_loss(z, v, a, logp_old, z_start, adv, ret, clip, ent_coef, vf_coef)
    grads, dh = backward_heads(params, h, dz, dv)
    grads["W1"] = dh.T @ X  # (H, 6400)
    return loss, grads, stats


def logits_sparse(params, W1T32, signed, counts) -> np.ndarray:
    """The policy's logits for N sparse steps, nothing else: z (N,) or (N, A)."""
    return sparse.hidden32(W1T32, signed, counts).astype(np.float64) @ params["W2"]


def loss_and_grads_sparse(params, W1T32, batch, a, logp_old, z_start, adv, ret, clip, ent_coef, vf_coef):
    """The same numbers from a `sparse.Batch` and W1 as a float32 (6400, H) copy:
    -> (loss, grads with W1 as (pixels, float32 rows), stats). dL/dh is `backward_heads`' in one
    pass (`kernels.hidden_grad`), in float32 for the product that follows."""
    h = batch.hidden(W1T32)
    np.maximum(h, 0, out=h)  # ReLU nonlinearity
    z, v = h @ params["W2"], h @ params["Wv"] + params["bv"][0]
    loss, dz, dv, stats = heads_loss(z, v, a, logp_old, z_start, adv, ret, clip, ent_coef, vf_coef)
    grads = head_grads(h, dz, dv)
    W2 = params["W2"]
    dh = np.empty(h.shape, np.float32)
    kernels.hidden_grad(dz.reshape(len(dz), -1), np.ascontiguousarray(W2.reshape(len(W2), -1).T), dv,
                        params["Wv"], h, dh)
    pixels, rows = batch.grad_W1T(dh)  # (U,), (U, H): dL/dW1 is zero on every other pixel
    return loss, grads, pixels, rows, stats

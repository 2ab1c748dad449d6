"""PPO's math checked against independent references: finite differences, a hand-worked GAE
case, and the dense float64 reference for the sparse path."""

import numpy as np
import pytest

from pgcli.core import heads, sparse
from pgcli.algos import ppo_math


def small_problem(seed=0, N=12, H=5, A=2):
    """A = 2: the seed's sigmoid head (W2 (H,), actions as UP flags); A > 2: a softmax (W2 (H, A))."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((H, 6400)) * 0.3, "W2": rng.standard_normal(H if A == 2 else (H, A)),
              "Wv": rng.standard_normal(H), "bv": rng.standard_normal(1)}
    X = np.zeros((N, 6400))
    for i in range(N):  # a few lit pixels per step, like a difference frame
        X[i, rng.choice(40, 6, replace=False)] = rng.choice([-1.0, 1.0], 6)
    up = rng.random(N) < 0.5 if A == 2 else rng.integers(0, A, N)
    logp_old = np.log(rng.uniform(0.2, 0.8, N))
    if A > 2:  # near the current policy's, so that ratios fall on both sides of the clip
        h, z, _ = ppo_math.forward_dense(params, X)
        logp_old = heads.log_prob(z, up) + rng.uniform(-1.0, 1.0, N)
    adv, ret = rng.standard_normal(N), rng.standard_normal(N)
    z_start = ppo_math.forward_dense(params, X)[1] + rng.uniform(-1.5, 1.5, (N,) if A == 2 else (N, A))
    return params, X, up, logp_old, z_start, adv, ret


@pytest.mark.parametrize("A", [2, 4, 18])  # the seed's sigmoid; softmax heads (Breakout; the full action set)
@pytest.mark.parametrize("clip", [0.2, 0.5, 0.99])  # both sides of the clip but at 0.99
@pytest.mark.parametrize("centre", ["acted", "start"])  # --trust-region
def test_whole_loss_gradient_matches_finite_differences(clip, A, centre):
    params, X, up, logp_old, z_start, adv, ret = small_problem(A=A)
    args = (X, up, logp_old, z_start if centre == "start" else None, adv, ret, clip, 0.05, 0.5)
    _, grads, stats = ppo_math.loss_and_grads_dense(params, *args)
    if clip < 0.9:
        assert 0 < stats["clip_frac"] < 1  # both sides of the clip are exercised
    eps = 1e-6
    rng = np.random.default_rng(1)
    for k, w in params.items():
        flat = w.reshape(-1)
        idx = np.flatnonzero(np.abs(grads[k].reshape(-1)) > 0)[:6] if k == "W1" else range(flat.size)
        for j in list(idx) + ([int(rng.integers(flat.size))] if k == "W1" else []):
            old = flat[j]
            flat[j] = old + eps
            lp = ppo_math.loss_and_grads_dense(params, *args)[0]
            flat[j] = old - eps
            lm = ppo_math.loss_and_grads_dense(params, *args)[0]
            flat[j] = old
            num = (lp - lm) / (2 * eps)
            assert abs(num - grads[k].reshape(-1)[j]) < 1e-6 + 1e-4 * abs(num), (k, j, num, grads[k].reshape(-1)[j])


def test_clipped_side_has_no_policy_gradient():
    # ratio far above 1 + clip with a positive advantage: the surrogate is flat there
    z, up = np.array([3.0]), np.array([True])
    z_start = np.log([0.1 / 0.9])  # P_start(UP) = 0.1, the policy that acted too: P_new(UP) = 0.95, ratio 9.5
    logp_old = np.log([0.1])
    _, dz, _, st = ppo_math.heads_loss(z, np.zeros(1), up, logp_old, z_start, np.array([1.0]), np.zeros(1), 0.2, 0.0, 0.5)
    assert dz[0] == 0 and st["clip_frac"] == 1
    # same ratio, negative advantage: the unclipped branch is the min, the gradient flows
    _, dz, _, _ = ppo_math.heads_loss(z, np.zeros(1), up, logp_old, z_start, np.array([-1.0]), np.zeros(1), 0.2, 0.0, 0.5)
    assert dz[0] > 0  # minimising the loss pushes P(UP) down


@pytest.mark.parametrize("A", [2, 4])
def test_the_trust_region_is_centred_where_the_update_starts_and_the_lag_is_weighted_out(A):
    """--trust-region start, a batch played one update behind: at the update's start nothing is
    clipped, however far the acting policy was, and the gradient is PPO's on the acting policy's
    ratio P_new / P_acted; with no lag (the start is the acting policy) the loss is the PPO paper's,
    the same as --trust-region acted gives."""
    rng = np.random.default_rng(6)
    N = 64
    z = rng.standard_normal(N if A == 2 else (N, A))
    a = rng.integers(0, A, N)
    adv, ret, v = rng.standard_normal(N), rng.standard_normal(N), rng.standard_normal(N)
    logp_acted = heads.log_prob(z, a) + rng.uniform(-1.5, 1.5, N)  # far: ratios 0.2 to 4.5
    _, dz, _, st = ppo_math.heads_loss(z, v, a, logp_acted, z, adv, ret, 0.2, 0.0, 0.5)
    assert st["clip_frac"] == 0 and st["approx_kl"] == 0
    ratio_acted = np.exp(heads.log_prob(z, a) - logp_acted)
    np.testing.assert_allclose(dz, heads.per_step(-ratio_acted * adv, heads.dlogp(z, a)) / N, rtol=1e-12)
    z_start = z + 0.3 * rng.standard_normal(z.shape)  # no lag: the start acted
    logp_start = heads.log_prob(z_start, a)
    loss, _, _, st = ppo_math.heads_loss(z, v, a, logp_start, z_start, adv, ret, 0.2, 0.0, 0.5)
    r = np.exp(heads.log_prob(z, a) - logp_start)
    paper = -np.minimum(r * adv, np.clip(r, 0.8, 1.2) * adv).mean() + 0.25 * np.mean((v - ret) ** 2)
    assert loss == pytest.approx(paper, rel=1e-12) and 0 < st["clip_frac"] < 1
    acted = ppo_math.heads_loss(z, v, a, logp_start, None, adv, ret, 0.2, 0.0, 0.5)
    assert acted[0] == pytest.approx(loss, rel=1e-12) and acted[3]["clip_frac"] == st["clip_frac"]


def test_gae_by_hand_with_a_point_midway():
    # one game, 4 steps; a point is scored at step 1 (reward -1): the return stops there
    r = np.array([[0.0], [-1.0], [0.0], [0.0]])
    v = np.array([[0.5], [0.2], [0.1], [0.3]])
    d = np.zeros((4, 1), bool)
    last = np.array([0.4])
    g, lam = 0.9, 0.5
    adv, ret = ppo_math.gae(r, v, d, last, g, lam)
    # by hand, backwards: deltas d3 = 0 + .9*.4 - .3 = .06; d2 = 0 + .9*.3 - .1 = .17
    # d1 = -1 - .2 = -1.2 (no bootstrap past the point); d0 = 0 + .9*.2 - .5 = -.32
    a3 = 0.06
    a2 = 0.17 + g * lam * a3
    a1 = -1.2  # the sum is reset at the point
    a0 = -0.32 + g * lam * a1
    np.testing.assert_allclose(adv[:, 0], [a0, a1, a2, a3], atol=1e-12)
    np.testing.assert_allclose(ret, adv + v)
    # a game's end cuts the same way, even without a reward
    d[2] = True
    adv2, _ = ppo_math.gae(np.zeros((4, 1)), v, d, last, g, lam)
    assert adv2[2, 0] == pytest.approx(-0.1)


def test_gae_lambda_one_gives_discounted_returns_minus_values():
    from pgcli.core.pg_math import discount_rewards

    rng = np.random.default_rng(3)
    r = rng.choice([0.0, 0.0, 0.0, 1.0, -1.0], (30, 1))
    v = rng.standard_normal((30, 1))
    r[-1] = 1.0  # the rollout ends on a point: no bootstrap, so it equals the seed's returns
    adv, ret = ppo_math.gae(r, v, np.zeros((30, 1), bool), np.array([9.9]), 0.97, 1.0)
    np.testing.assert_allclose(ret[:, 0], discount_rewards(r[:, 0], 0.97), atol=1e-12)


@pytest.mark.parametrize("A", [2, 4])
@pytest.mark.parametrize("centre", ["acted", "start"])
def test_sparse_path_equals_dense_reference(A, centre):
    params, X, up, logp_old, z_start, adv, ret = small_problem(seed=5, N=40, H=16, A=A)
    z_start = z_start if centre == "start" else None
    _, dense, st_d = ppo_math.loss_and_grads_dense(params, X, up, logp_old, z_start, adv, ret, 0.2, 0.01, 0.5)
    signed, counts = sparse.encode(X.astype(np.int8))
    W1T = np.ascontiguousarray(params["W1"].T)
    _, grads, pixels, rows, st_s = ppo_math.loss_and_grads_sparse(
        params, W1T, sparse.Batch(sparse.Deltas(signed, counts, X.shape[1])), up, logp_old, z_start, adv, ret, 0.2, 0.01, 0.5)
    full = np.zeros((6400, 16))
    full[pixels] = rows
    np.testing.assert_allclose(full.T, dense["W1"], rtol=1e-5, atol=1e-7)  # float32 products
    for k in ("W2", "Wv", "bv"):
        np.testing.assert_allclose(grads[k], dense[k], rtol=1e-5, atol=1e-7)
    assert st_s["approx_kl"] == pytest.approx(st_d["approx_kl"], rel=1e-4, abs=1e-9)
    assert set(pixels) == set(np.flatnonzero(np.abs(X).sum(0)))  # exactly the lit pixels


@pytest.mark.parametrize("A", [2, 4])
def test_kl_between_two_policies_is_the_sum_over_every_action(A):
    rng = np.random.default_rng(4)
    zp, zq = rng.standard_normal((2, 30) if A == 2 else (2, 30, A)) * 3
    p, q = heads.probs(zp), heads.probs(zq)
    if A == 2:  # the sigmoid head: two actions, P(1) = p
        p, q = np.stack([1 - p, p], 1), np.stack([1 - q, q], 1)
    np.testing.assert_allclose(heads.kl(zp, zq), (p * np.log(p / q)).sum(1), rtol=1e-9, atol=1e-12)
    assert np.all(heads.kl(zp, zp) == 0) and np.all(heads.kl(zp, zq) > 0)


def lagged_update(target_kl, trust_region, seed=0, N=256, A=2):
    """One PPO update on a batch whose actions were taken by a policy far from the learner's (as
    after a big previous update: the batch is played one update behind) -> (stats, weights before,
    weights after)."""
    from pgcli.algos.ppo import PPO
    from pgcli.base.config import Config
    from pgcli.base.games import PONG
    from pgcli.core.network import Policy

    rng = np.random.default_rng(seed)
    cfg = Config(algo="ppo", seed=seed, target_kl=target_kl, trust_region=trust_region, epochs=4, minibatches=4)
    pol = Policy.init(8, rng, value_head=True, actions=A)
    X = (rng.random((N, 6400)) < 0.01).astype(np.int8) - (rng.random((N, 6400)) < 0.005).astype(np.int8)
    signed, counts = sparse.encode(X)
    actions = rng.integers(0, A, N)
    p_old = np.full(N, 0.02)  # the acting policy gave every action taken 2 %: KL to the learner's is large
    before = {k: v.copy() for k, v in pol.params.items()}
    algo = PPO(cfg, pol, rng, PONG)  # learn() reads no game: the batch carries its actions
    stats = algo.learn((signed, counts, actions, p_old, rng.standard_normal(N), rng.standard_normal(N)))
    return stats, before, pol.params


def test_centred_on_the_acting_policy_a_lagged_batch_is_not_learned_from():
    """--trust-region acted (PPO's default, the paper's): the batch's policy is ~20 nats of k3
    estimate away (P(taken) ~0.5 now, 0.02 when played), past 1.5 x the target before any step."""
    stats, before, after = lagged_update(target_kl=0.5, trust_region="acted")
    assert stats["epochs"] == 0 and stats["approx_kl"] == pytest.approx(25 - 1 - np.log(25), rel=0.2)
    assert all(np.array_equal(before[k], after[k]) for k in before)  # no step taken
    assert np.isnan(stats["entropy"])  # shown as "update skipped" (test below)


def test_centred_on_the_updates_start_the_check_measures_its_own_move():
    """--trust-region start: the same batch is learned from; the KL check stops the update only on
    its own move, and always after at least one step; the clip binds only on that move too."""
    stats, before, after = lagged_update(target_kl=0.5, trust_region="start")  # a generous target
    assert stats["epochs"] == 4 and 0 < stats["approx_kl"] < 0.75
    assert stats["clip_frac"] < 0.5  # centred on the acting policy it would bind on every step (ratio ~25)
    stats, before, after = lagged_update(target_kl=1e-9, trust_region="start")  # any move stops it
    assert stats["epochs"] == 0 and stats["approx_kl"] == 0  # the one step's KL, measured before it
    assert not np.array_equal(before["W2"], after["W2"])  # the one step was taken
    off, _, _ = lagged_update(target_kl=0.0, trust_region="start")  # 0 turns the check off
    assert off["epochs"] == 4


def test_a_skipped_update_says_so_with_the_kl_that_stopped_it():
    from pgcli.cli.progress import update_summary

    skipped = {"value_loss": float("nan"), "approx_kl": 0.0512, "clip_frac": float("nan"), "entropy": float("nan"),
               "epochs": 0}
    assert update_summary(skipped) == "KL 0.0512 before any step: update skipped (the trust region)"
    done = {"value_loss": 0.01, "approx_kl": 0.01, "clip_frac": 0.1, "entropy": 0.6, "epochs": 4}
    assert update_summary(done) == "KL 0.0100 clip 0.10 entropy 0.60 value loss 0.010 epochs 4"
    assert update_summary({}) == ""


@pytest.mark.parametrize("A", [1, 3])
def test_the_fused_hidden_gradient_is_backward_heads_in_float32(A):
    """`kernels.hidden_grad` (the sparse path's dL/dh in one pass) gives `backward_heads`' dh, zero
    where the ReLU was off; `kernels.sum_squares` gives the squared norm the clip uses."""
    from pgcli.core import kernels

    rng = np.random.default_rng(8)
    N, H = 50, 20
    W2 = rng.standard_normal(H) if A == 1 else rng.standard_normal((H, A))
    params = {"W2": W2, "Wv": rng.standard_normal(H), "bv": np.zeros(1)}
    h = np.maximum(rng.standard_normal((N, H)), 0)
    dz, dv = rng.standard_normal(N) if A == 1 else rng.standard_normal((N, A)), rng.standard_normal(N)
    _, dh = ppo_math.backward_heads(params, h, dz, dv)
    out = np.full((N, H), np.nan, np.float32)
    kernels.hidden_grad(dz.reshape(N, -1), np.ascontiguousarray(W2.reshape(H, -1).T), dv, params["Wv"], h, out)
    np.testing.assert_allclose(out, dh, rtol=1e-6, atol=1e-6)
    assert np.all(out[h <= 0] == 0) and np.count_nonzero(h <= 0) > 100
    assert np.isclose(kernels.sum_squares(out), np.sum(out.astype(np.float64) ** 2), rtol=1e-12)

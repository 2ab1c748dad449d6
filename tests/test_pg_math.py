"""The math against independent references: finite differences, hand-worked returns, frames."""

import numpy as np
import pytest

from pgcli.core import pg_math


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    H, T = 7, 5
    model = {"W1": rng.standard_normal((H, pg_math.D)) * 0.05, "W2": rng.standard_normal(H)}
    epx = (rng.random((T, pg_math.D)) < 0.01) * rng.choice([-1.0, 1.0], (T, pg_math.D))
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    adv = np.array([0.5, -1.0, 2.0, 0.3, -0.7])

    def objective(m):  # sum_t adv_t * log P(action_t)
        p, _ = pg_math.policy_forward(m, epx)
        return np.sum(adv * np.log(np.where(y == 1, p, 1 - p)))

    p, eph = pg_math.policy_forward(model, epx)
    grad = pg_math.policy_backward(model, epx, eph, (y - p) * adv)
    lit = np.flatnonzero(np.abs(epx).sum(0))[:6]  # check W1 entries that carry a signal
    entries = [("W2", (k,)) for k in range(H)] + [("W1", (k, j)) for k in range(3) for j in lit]
    eps = 1e-6
    for name, idx in entries:
        plus = {k: v.copy() for k, v in model.items()}
        minus = {k: v.copy() for k, v in model.items()}
        plus[name][idx] += eps
        minus[name][idx] -= eps
        numeric = (objective(plus) - objective(minus)) / (2 * eps)
        analytic = grad[name][idx]
        rel = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
        assert rel < 1e-6, (name, idx, numeric, analytic)


def test_discount_rewards_resets_at_each_point():
    r = np.array([0, 0, 1, 0, 0, -1], dtype=float)
    g = 0.5
    expected = [0.25, 0.5, 1.0, -0.25, -0.5, -1.0]  # worked by hand: the sum restarts after +1
    np.testing.assert_allclose(pg_math.discount_rewards(r, g), expected)


def test_discount_rewards_gamma_one_and_no_reward():
    np.testing.assert_allclose(pg_math.discount_rewards(np.array([0.0, 0.0, -1.0]), 1.0), [-1, -1, -1])
    np.testing.assert_allclose(pg_math.discount_rewards(np.zeros(4), 0.99), np.zeros(4))


def test_standardise_zero_mean_unit_std_and_guard():
    x = pg_math.standardise(np.array([1.0, 2.0, 3.0, 6.0]))
    assert abs(x.mean()) < 1e-12 and abs(x.std() - 1) < 1e-12
    same = pg_math.standardise(np.full(5, -0.7))  # the seed would divide by zero here
    assert np.all(same == 0) and np.isfinite(same).all()


def test_optimizers_ascend():
    g = {"W": np.array([1.0, -2.0])}
    m = {"W": np.zeros(2)}
    pg_math.rmsprop_step(m, g, {"W": np.zeros(2)}, 0.1, 0.99)
    assert m["W"][0] > 0 > m["W"][1]  # moves along the gradient: ascent
    a = {"W": np.zeros(2)}
    pg_math.adam_step(a, g, {"W": np.zeros(2)}, {"W": np.zeros(2)}, 1, 0.1)
    np.testing.assert_allclose(a["W"], [0.1, -0.1], rtol=1e-6)  # first Adam step is lr * sign


def test_init_model_shapes_and_seed():
    a = pg_math.init_model(200, np.random.default_rng(3))
    b = pg_math.init_model(200, np.random.default_rng(3))
    assert a["W1"].shape == (200, 6400) and a["W2"].shape == (200,)
    assert np.array_equal(a["W1"], b["W1"])
    assert abs(a["W1"].std() - 1 / 80) < 1e-3  # randn / sqrt(6400)


@pytest.mark.ale
def test_prepro_of_a_real_pong_frame():
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    env = gym.make("ALE/Pong-v5", repeat_action_probability=0.0)
    frame, _ = env.reset(seed=0)
    for _ in range(30):  # let the ball come into play
        frame, *_ = env.step(2)
    env.close()
    x = pg_math.prepro(frame)
    assert x.shape == (6400,) and x.dtype == np.float64
    assert set(np.unique(x)) == {0.0, 1.0}
    img = x.reshape(80, 80)
    # the agent's (right, green) paddle sits in column 70, the AI's (left, orange) in column 8
    assert img[:, 70].sum() >= 3, "right paddle missing"
    assert img[:, 8].sum() >= 3, "left paddle missing"
    # the ball: lit pixels away from both paddles and outside the top/bottom walls
    ball = img[:, 10:68]
    assert 1 <= ball.sum() <= 4, "ball missing"
    assert img.sum() < 40  # only paddles and ball survive preprocessing


def test_adam_in_place_is_bit_identical_to_the_formula():
    rng = np.random.default_rng(7)
    w = {"W": rng.standard_normal((3, 50))}
    m, v = {"W": np.zeros((3, 50))}, {"W": np.zeros((3, 50))}
    ref_w, ref_m, ref_v = w["W"].copy(), np.zeros((3, 50)), np.zeros((3, 50))
    for t in range(1, 6):
        g = rng.standard_normal((3, 50)) * 10.0**rng.integers(-6, 2)
        pg_math.adam_step(w, {"W": g}, m, v, t, 1e-3)
        ref_m = 0.9 * ref_m + (1 - 0.9) * g
        ref_v = 0.999 * ref_v + (1 - 0.999) * g**2
        ref_w += 1e-3 * (ref_m / (1 - 0.9**t)) / (np.sqrt(ref_v / (1 - 0.999**t)) + 1e-8)
        assert np.array_equal(w["W"], ref_w) and np.array_equal(m["W"], ref_m) and np.array_equal(v["W"], ref_v)

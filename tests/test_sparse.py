"""The fast sparse path gives the dense float64 reference's numbers."""

import numpy as np

from pgcli.core.network import Policy
from pgcli.base.screen import Screen
from pgcli.base.games import PONG
from pgcli.core import pg_math, sparse


def random_episode(rng, T=700, density=0.004):
    X = ((rng.random((T, pg_math.D)) < density) * rng.choice([-1, 1], (T, pg_math.D))).astype(np.int8)
    X[0] = 0  # first step of an episode: no difference frame yet
    X[5] = 0
    return X


def test_encode_roundtrip():
    rng = np.random.default_rng(1)
    X = random_episode(rng, T=50)
    signed, counts = sparse.encode(X)
    assert signed.dtype == np.int16 and counts.sum() == np.count_nonzero(X)
    back = np.zeros_like(X)
    cols, signs = sparse.decode(signed)
    back[np.repeat(np.arange(len(X)), counts), cols] = signs
    assert np.array_equal(back, X)


def test_acting_forward_matches_dense():
    rng = np.random.default_rng(2)
    model = pg_math.init_model(200, rng)
    X = random_episode(rng, T=16)
    signed, counts = sparse.encode(X)
    p_dense, _ = pg_math.policy_forward(model, X.astype(np.float64))
    p, _ = Policy(model).forward(signed, counts)
    np.testing.assert_allclose(p, p_dense, atol=1e-6)  # float32: used only to sample actions


def test_episode_gradient_matches_dense_reference():
    rng = np.random.default_rng(3)
    model = pg_math.init_model(200, rng)
    X = random_episode(rng, T=2500)  # longer than one chunk
    y = (rng.random(len(X)) < 0.5).astype(np.float64)
    r = np.zeros(len(X))
    r[rng.choice(len(X), 21, replace=False)] = rng.choice([-1.0, 1.0], 21)
    adv = pg_math.standardise(pg_math.discount_rewards(r, 0.99))
    epx = X.astype(np.float64)
    p, eph = pg_math.policy_forward(model, epx)
    ref = pg_math.policy_backward(model, epx, eph, (y - p) * adv)
    signed, counts = sparse.encode(X)
    dW1T, dW2 = sparse.episode_gradient(model["W1"].T.copy(), model["W2"], signed, counts, y, adv)
    np.testing.assert_allclose(dW1T.T, ref["W1"], rtol=0, atol=1e-12 * np.abs(ref["W1"]).max())
    np.testing.assert_allclose(dW2, ref["W2"], rtol=1e-10)


def test_screen_matches_prepro():
    rng = np.random.default_rng(4)
    frames = rng.choice(np.array([144, 109, 236, 92], np.uint8), (3, 210, 160, 3))
    batch = Screen(PONG, frames)(frames)
    for i in range(3):
        np.testing.assert_array_equal(batch[i], pg_math.prepro(frames[i]))


def test_screen_on_grey_frames_matches_prepro_on_red():
    rng = np.random.default_rng(6)
    grey = rng.choice(np.array([87, 107, 147, 148, 236, 0], np.uint8), (3, 210, 160))
    red = np.select([grey == 87, grey == 107], [144, 109], 236).astype(np.uint8)  # the same picture in RGB
    rgb = np.stack([red, red, red], axis=-1)
    batch = Screen(PONG, grey)(grey)
    for i in range(3):
        np.testing.assert_array_equal(batch[i], pg_math.prepro(rgb[i]))

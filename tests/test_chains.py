"""Busy screens: steps stored as differences from the step before them (sparse.Deltas) give the
dense reference's products, lit pixels and gradients, and cost what changes."""

import numpy as np
import pytest

from pgcli.base.games import PONG
from pgcli.core import kernels, pg_math, sparse


def busy_games(rng, games=4, T=60, D=700, lit=0.4, change=0.02):
    """T steps of each of `games` games, (step, game) order as a rollout stores them: each game's
    screen starts with 40 % of its inputs at -1/+1 and changes 2 % of them a step (an input may
    go dark and come back, or flip sign)."""
    X = np.zeros((T, games, D), np.int8)
    X[0] = (rng.random((games, D)) < lit) * rng.choice(np.array([-1, 1], np.int8), (games, D))
    for t in range(1, T):
        flip = rng.random((games, D)) < change
        X[t] = np.where(flip, rng.integers(-1, 2, (games, D)), X[t - 1])
    return X.reshape(T * games, D), np.tile(np.arange(games), T)


def test_a_minibatch_of_busy_games_gives_the_dense_products_and_lit_pixels():
    rng = np.random.default_rng(0)
    X, streams = busy_games(rng)
    signed, counts = sparse.encode(X)
    mb = np.sort(rng.permutation(len(X))[: len(X) // 4])  # a shuffled quarter, as PPO's minibatches
    batch = sparse.Batch(sparse.Deltas(signed, counts, X.shape[1], streams), mb)
    assert batch.chains.chained.mean() > 0.8  # the chains are what is tested here
    assert batch.chains.rows < 0.25 * counts[mb].sum()  # and they read a fraction of the rows
    W1T = rng.standard_normal((X.shape[1], 16)).astype(np.float32)
    x = X[mb].astype(np.float64)
    np.testing.assert_allclose(batch.hidden(W1T), x @ W1T, rtol=1e-5, atol=1e-4)
    assert np.array_equal(batch.pixels, np.flatnonzero(np.abs(X[mb]).sum(0)))  # not the steps between
    dh = rng.standard_normal((len(mb), 16)).astype(np.float32)
    pixels, g = batch.grad_W1T(dh)
    np.testing.assert_allclose(g, (x.T @ dh)[pixels], rtol=1e-5, atol=1e-4)


def test_an_input_lit_only_between_two_steps_of_a_minibatch_is_not_one_of_its_pixels():
    """Steps 0 and 2 of a game are in the minibatch, step 1 (which alone lights input 99) is not:
    the chain from 0 to 2 sums the differences through step 1, and 99's +1 and -1 must cancel, or
    Adam would move input 99's weights on a minibatch that never showed it."""
    X = np.zeros((3, 200), np.int8)
    X[:, 10:60] = 1
    X[1, 99] = 1
    signed, counts = sparse.encode(X)
    batch = sparse.Batch(sparse.Deltas(signed, counts, 200, np.zeros(3, int)), np.array([0, 2]))
    assert batch.chains.chained[1]
    assert np.array_equal(batch.pixels, np.arange(10, 60))


def test_a_busy_episode_gradient_equals_the_dense_float64_reference():
    rng = np.random.default_rng(1)
    X, _ = busy_games(rng, games=1, T=300, D=pg_math.D, lit=0.2)
    model = pg_math.init_model(32, rng)
    y = (rng.random(len(X)) < 0.5).astype(np.float64)
    adv = rng.standard_normal(len(X))
    epx = X.astype(np.float64)
    p, eph = pg_math.policy_forward(model, epx)
    ref = pg_math.policy_backward(model, epx, eph, (y - p) * adv)
    signed, counts = sparse.encode(X)
    assert sparse.Deltas(signed, counts, pg_math.D).chains().chained.mean() > 0.9
    dW1T, dW2 = sparse.episode_gradient(model["W1"].T.copy(), model["W2"], signed, counts, y, adv)
    np.testing.assert_allclose(dW1T.T, ref["W1"], rtol=0, atol=1e-11 * np.abs(ref["W1"]).max())
    np.testing.assert_allclose(dW2, ref["W2"], rtol=1e-10)


def test_few_lit_pixels_stay_plain_with_the_plain_loops_bits():
    """Pong-like steps (a few lit pixels, new ones each step): no chain is cheaper, and the forward
    product is bit for bit the acting loop's."""
    rng = np.random.default_rng(2)
    X = ((rng.random((64, 6400)) < 0.005) * rng.choice(np.array([-1, 1], np.int8), (64, 6400))).astype(np.int8)
    signed, counts = sparse.encode(X)
    chains = sparse.Deltas(signed, counts, 6400, np.tile(np.arange(4), 16)).chains()
    assert not chains.chained.any()
    W1T = rng.standard_normal((6400, 8)).astype(np.float32)
    plain = np.empty((64, 8), np.float32)
    kernels.add_rows(W1T, signed, sparse.offsets_of(counts), plain)
    assert np.array_equal(chains.hidden(W1T), plain)


def test_a_step_whose_indices_are_not_increasing_is_kept_plain():
    """`step_deltas` merges sorted steps; one out of order must not be merged wrongly."""
    signed = np.array([3, 5, 9, 9, 3, 5], np.int16)  # step 1 lists its inputs out of order
    counts = np.array([3, 3])
    deltas = sparse.Deltas(signed, counts, 10)
    W1T = np.arange(40, dtype=np.float64).reshape(10, 4)
    x = np.zeros((2, 10))
    x[:, [2, 4, 8]] = 1
    np.testing.assert_array_equal(deltas.chains().hidden(W1T, np.float64), x @ W1T)
    assert not deltas.chains().chained.any()


@pytest.mark.parametrize("epochs", [1, 3])
def test_ppo_learns_the_same_from_busy_games_with_chains_as_without(epochs):
    """A whole PPO update on busy steps: the same weights (within float32 sums) whether the batch
    knows each step's game (chains) or not (every step plain: no game is said to follow another)."""
    from pgcli.algos.ppo import PPO, RolloutBatch
    from pgcli.base.config import Config
    from pgcli.core.network import Policy

    rng = np.random.default_rng(3)
    X, streams = busy_games(rng, games=8, T=32, D=6400, lit=0.1)
    signed, counts = sparse.encode(X)
    N = len(X)
    rest = (rng.integers(0, 2, N), rng.uniform(0.3, 0.7, N), rng.standard_normal(N), rng.standard_normal(N))
    out = []
    for ids in (streams, np.arange(N)):  # a game each step: nothing to chain
        cfg = Config(algo="ppo", seed=1, epochs=epochs, minibatches=4, target_kl=0, hidden=8)
        pol = Policy.init(8, np.random.default_rng(5), value_head=True)
        PPO(cfg, pol, np.random.default_rng(0), PONG).learn(RolloutBatch(signed, counts, *rest, ids))
        out.append(pol.params)
    for k in out[0]:
        np.testing.assert_allclose(out[0][k], out[1][k], rtol=1e-4, atol=1e-6)

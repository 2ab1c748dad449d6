"""The optimizer owns its step count: a fresh optimizer's first Adam step is at most lr per weight."""

import pytest
import numpy as np

from pgcli.core import optim

from pgcli.files import checkpoint
from pgcli.commands.train import Budget, Saving, train

FAST = {"optimizer": "adam", "learning_rate": 1e-3, "batch_size": 1, "num_envs": 2, "hidden": 16}


def test_fresh_adam_step_is_at_most_the_learning_rate():
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((4, 30))}
    opt = optim.Adam(params, 1e-3)
    before = params["W"].copy()
    opt.step(params, {"W": rng.standard_normal((4, 30)) * 1e-3})
    assert opt.t == 1
    assert np.abs(params["W"] - before).max() <= 1e-3 * (1 + 1e-9)


def test_resuming_an_export_starts_adam_at_t0(tmp_path, fake_env):
    """Issue 11: the run's 40 updates must not leak into a fresh optimizer's bias correction."""
    train(FAST, tmp_path / "a.p", Budget(episodes=40), saving=Saving(every=40))
    ck = checkpoint.load(tmp_path / "a.p")
    assert ck.meta["updates"] == 40 and ck.meta["opt_t"] == 40
    checkpoint.save(tmp_path / "w.p", checkpoint.export_weights(ck, "float64"))  # weights only
    train({}, tmp_path / "r.p", Budget(episodes=1), resume=tmp_path / "w.p", saving=Saving(every=1))
    r = checkpoint.load(tmp_path / "r.p")
    assert r.meta["opt_t"] == 1 and r.meta["updates"] == 41
    moved = max(np.abs(r.model[k] - ck.model[k]).max() for k in ("W1", "W2"))
    assert 0 < moved <= 1e-3 * 1.05  # before the fix: 1/sqrt(1 - 0.999**41) = 4.9x the learning rate


def test_old_checkpoints_without_a_step_count_resume_exactly(tmp_path, fake_env):
    train(FAST, tmp_path / "a.p", Budget(episodes=6), saving=Saving(every=6))
    ck = checkpoint.load(tmp_path / "a.p")
    del ck.meta["opt_t"]  # as written before the optimizer owned its step count
    checkpoint.save(tmp_path / "old.p", ck)
    train({}, tmp_path / "old.p", Budget(episodes=1), resume=tmp_path / "old.p", saving=Saving(every=1))
    assert checkpoint.load(tmp_path / "old.p").meta["opt_t"] == 7  # continued from the run's 6 updates


def test_the_config_accepts_exactly_the_optimizers_there_are():
    from pgcli.base import config
    from pgcli.core import optim

    assert set(config.OPTIMIZERS) == set(optim.OPTIMIZERS)  # config names them without importing the math


def test_optimizers_step_in_blocks_with_the_one_pass_numbers(monkeypatch):
    """Stepping W1 block by block (to stay in cache) must give the whole-array step bit for bit,
    for the pixel-major W1 the policy keeps, over several steps."""
    from pgcli.core import pg_math
    from pgcli.core.network import pixel_major

    monkeypatch.setattr(optim, "BLOCK", 1000)  # many blocks, the last one short
    rng = np.random.default_rng(1)
    params = {"W1": pixel_major(rng.standard_normal((7, 640))), "W2": rng.standard_normal(7)}
    grads = [{k: pixel_major(rng.standard_normal(v.shape)) if k == "W1" else rng.standard_normal(v.shape)
              for k, v in params.items()} for _ in range(3)]
    for name in ("adam", "rmsprop"):
        blocked = {k: v.copy(order="K") for k, v in params.items()}
        whole = {k: v.copy() for k, v in params.items()}
        opt = optim.make(name, blocked, 1e-2)
        state = {k: optim.zeros_like_params(whole) for k in ("m", "v", "cache")}
        for t, g in enumerate(grads, 1):
            opt.step(blocked, g)
            if name == "adam":
                pg_math.adam_step(whole, g, state["m"], state["v"], t, 1e-2)
            else:
                pg_math.rmsprop_step(whole, g, state["cache"], 1e-2, 0.99)
        assert not blocked["W1"].flags.c_contiguous  # still pixel-major: the blocks were views
        for k in params:
            assert np.array_equal(blocked[k], whole[k]), (name, k)
            assert not np.array_equal(blocked[k], params[k])


def test_the_learning_rate_falls_linearly_to_zero_and_stays_there():
    assert optim.annealed(5e-4, 0, 0) == optim.annealed(5e-4, 10**9, 0) == 5e-4  # 0: constant
    assert optim.annealed(5e-4, 0, 1000) == 5e-4
    assert optim.annealed(5e-4, 250, 1000) == pytest.approx(3.75e-4)
    assert optim.annealed(5e-4, 1000, 1000) == optim.annealed(5e-4, 5000, 1000) == 0.0


def test_adam_eps_shrinks_the_steps_of_weights_with_small_gradients():
    params = {"W": np.zeros((1, 3))}
    g = {"W": np.array([[1e-2, 1e-5, 1e-7]])}
    steps = {}
    for eps in (1e-8, 1e-5):
        p = {"W": params["W"].copy()}
        optim.Adam(p, 1e-3, eps=eps).step(p, g)
        steps[eps] = p["W"][0]
    # Kingma & Ba's 1e-8: every weight moves by ~lr, whatever its gradient's size
    assert np.allclose(steps[1e-8][:2], 1e-3, rtol=1e-3) and steps[1e-8][2] > 0.9e-3
    # 1e-5: a gradient of 1e-5 moves its weight half as far, one of 1e-7 barely at all
    assert np.isclose(steps[1e-5][0], 1e-3, rtol=2e-3)
    assert np.isclose(steps[1e-5][1], 0.5e-3, rtol=1e-3) and steps[1e-5][2] < 0.02e-3


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_adam_eps_is_saved_and_used_by_the_runs_optimizer(tmp_path, fake_env, algo):
    cfg = {**FAST, "seed": 2, **({"algo": "ppo", "rollout_steps": 15} if algo == "ppo" else {})}
    a = train({**cfg, "adam_eps": 1e-5}, tmp_path / "a.p", Budget(episodes=4), saving=Saving(every=4))
    b = train(cfg, tmp_path / "b.p", Budget(episodes=4), saving=Saving(every=4))
    ca, cb = checkpoint.load(a.output), checkpoint.load(b.output)
    assert ca.config.adam_eps == 1e-5 and cb.config.adam_eps == 1e-8  # saved with the weights
    assert not np.array_equal(ca.model["W1"], cb.model["W1"])  # and used by the run's optimizer
    with pytest.raises(Exception, match="adam eps must be in"):
        train({**cfg, "adam_eps": 0.0}, tmp_path / "c.p", Budget(episodes=1))


def test_lazy_adam_rows_are_the_dense_step_on_those_rows_bit_for_bit():
    """Adam with `rows` (the numba kernel) moves exactly the lit pixels' weights and moments, by
    exactly what `pg_math.adam_step` gives them over several steps; the float32 mirror follows."""
    from pgcli.core import pg_math
    from pgcli.core.network import pixel_major

    rng = np.random.default_rng(2)
    params = {"W1": pixel_major(rng.standard_normal((5, 300))), "W2": rng.standard_normal(5)}
    lazy = {k: v.copy(order="K") for k, v in params.items()}
    whole = {k: v.copy() for k, v in params.items()}
    opt = optim.make("adam", lazy, 1e-2)
    m, v = optim.zeros_like_params(whole), optim.zeros_like_params(whole)
    mirror = lazy["W1"].T.astype(np.float32)
    for t in range(1, 4):
        rows = np.sort(rng.choice(300, 40, replace=False))
        gW1 = np.zeros((5, 300))
        gW1[:, rows] = rng.standard_normal((5, 40))
        g = {"W1": gW1, "W2": rng.standard_normal(5)}
        opt.step(lazy, {"W1": np.ascontiguousarray(gW1.T[rows]), "W2": g["W2"]}, rows=rows, mirror=mirror)
        touched = {k: v.copy() for k, v in whole.items()}
        pg_math.adam_step(touched, g, m, v, t, 1e-2)
        # dense Adam also decays the moments of rows with a zero gradient and moves those weights: keep
        # its numbers only on the touched rows (what lazy Adam promises), the rest stays where it was
        untouched = np.setdiff1d(np.arange(300), rows)
        for d in (m, v):
            d["W1"][:, untouched] = opt.m["W1"][:, untouched] if d is m else opt.v["W1"][:, untouched]
        touched["W1"][:, untouched] = whole["W1"][:, untouched]
        whole = touched
        assert np.array_equal(lazy["W1"], whole["W1"]) and np.array_equal(lazy["W2"], whole["W2"])
        assert np.array_equal(opt.m["W1"], m["W1"]) and np.array_equal(opt.v["W1"], v["W1"])
        assert np.array_equal(mirror, lazy["W1"].T.astype(np.float32))


def test_lazy_adam_on_a_scaled_float32_gradient_is_the_dense_step_on_it_bit_for_bit():
    """PPO hands Adam W1's gradient rows in float32 with the clip and the sign as `scale`; the kernel
    must step exactly as `pg_math.adam_step` on scale x float64(g), W2 too."""
    from pgcli.core import pg_math
    from pgcli.core.network import pixel_major

    rng = np.random.default_rng(5)
    params = {"W1": pixel_major(rng.standard_normal((6, 90))), "W2": rng.standard_normal(6)}
    lazy, whole = {k: v.copy(order="K") for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
    opt = optim.make("adam", lazy, 1e-2)
    m, v = optim.zeros_like_params(whole), optim.zeros_like_params(whole)
    rows = np.arange(90)  # every row touched each step: the dense step is the reference everywhere
    for t in range(1, 4):
        g32, gW2, scale = rng.standard_normal((90, 6)).astype(np.float32), rng.standard_normal(6), -0.3 * t
        opt.step(lazy, {"W1": g32, "W2": gW2}, rows=rows, scale=scale)
        pg_math.adam_step(whole, {"W1": scale * g32.astype(np.float64).T, "W2": scale * gW2}, m, v, t, 1e-2)
        assert np.array_equal(lazy["W1"], whole["W1"]) and np.array_equal(lazy["W2"], whole["W2"])
        assert np.array_equal(opt.v["W1"], v["W1"])

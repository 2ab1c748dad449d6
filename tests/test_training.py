"""Training proven, not assumed: it learns a small task, and runs are exactly reproducible."""

import numpy as np

from pgcli import checkpoint
from pgcli.train import train

FAST = {"optimizer": "adam", "learning_rate": 3e-3, "batch_size": 4, "num_envs": 4, "hidden": 16}


def test_engine_learns_fake_pong(tmp_path, fake_env):
    rewards = []
    train(FAST, tmp_path / "s.p", episodes=400, save_every=400, on_episode=lambda st: rewards.append(st.reward))
    first, last = np.mean(rewards[:40]), np.mean(rewards[-40:])
    # chance is 0 (each of 10 points is a coin flip); a learned policy gets close to +10
    assert abs(first) < 4
    assert last > 5, (first, last)  # 10 standard errors above chance


def test_same_seed_same_weights(tmp_path, fake_env):
    a = train({**FAST, "seed": 7}, tmp_path / "a.p", episodes=24, save_every=8)
    b = train({**FAST, "seed": 7}, tmp_path / "b.p", episodes=24, save_every=8)
    c = train({**FAST, "seed": 8}, tmp_path / "c.p", episodes=24, save_every=8)
    wa, wb, wc = (checkpoint.load(r.output).model["W1"] for r in (a, b, c))
    assert np.array_equal(wa, wb)
    assert not np.array_equal(wa, wc)


def test_resume_is_bit_identical(tmp_path, fake_env):
    cfg = {**FAST, "batch_size": 3, "seed": 5}  # 10 is not a multiple of 3: a partial batch is saved
    train(cfg, tmp_path / "full.p", episodes=20, save_every=10)
    train(cfg, tmp_path / "half.p", episodes=10, save_every=10)
    train({}, tmp_path / "half.p", episodes=10, save_every=10, resume=tmp_path / "half.p")
    full, half = checkpoint.load(tmp_path / "full.p"), checkpoint.load(tmp_path / "half.p")
    assert half.episode == full.episode == 20
    assert full.arrays.keys() == half.arrays.keys()
    for k in full.arrays:
        assert np.array_equal(full.arrays[k], half.arrays[k]), k
    assert full.meta["rng"] == half.meta["rng"]
    assert full.meta["running_reward"] == half.meta["running_reward"]
    rows = (tmp_path / "half.metrics.csv").read_text().splitlines()
    assert len(rows) == 21 and rows[-1].startswith("20,")


def test_update_every_batch_size_episodes(tmp_path, fake_env):
    seen = []
    train({**FAST, "batch_size": 5}, tmp_path / "u.p", episodes=12, save_every=12,
          on_episode=lambda st: seen.append((st.episode, st.updates)))
    assert [u for _, u in seen] == [e // 5 for e, _ in seen]


def test_memory_does_not_grow_with_episodes():
    import tracemalloc

    from fakepong import FakePong
    from pgcli.config import Config
    from pgcli.trainer import Trainer, new_state

    cfg = Config(num_envs=4, hidden=32, batch_size=2)
    trainer = Trainer(cfg, new_state(cfg), FakePong(4, points=40))
    tracemalloc.start()
    try:
        trainer.run_segment(20, lambda st: None)
        first = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        trainer.run_segment(120, lambda st: None)
        later = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert trainer.s["episode"] == 120
    assert later <= first * 1.2, (first, later)  # 6x the episodes, no more memory
    assert trainer.peak_step_bytes < 1024

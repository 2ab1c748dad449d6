"""The learner thread and the checkpoint writer, seen from outside: observers get settled weights,
timing never changes the numbers, a failing save is reported and retried, and every second of
training is counted once."""

import time

import numpy as np
import pytest

from pgcli.commands import train as train_mod
from pgcli.commands.train import Budget, Saving, train
from pgcli.files.run_files import Saver
from pgcli.core import optim
from pgcli.core.network import Policy
from pgcli.core.trainer import Trainer
from pgcli.files import checkpoint

PPO = {"algo": "ppo", "num_envs": 4, "hidden": 8, "rollout_steps": 8, "minibatches": 4, "learning_rate": 3e-3}


@pytest.fixture
def slow_updates(monkeypatch):
    """Every Adam step of an update sleeps: the games and the observers run while it is half done."""
    real = optim.Adam.step

    def step(self, *a, **kw):
        real(self, *a, **kw)
        time.sleep(0.004)

    monkeypatch.setattr(optim.Adam, "step", step)


@pytest.mark.ale
def test_observers_see_settled_weights_while_a_slow_update_runs(tmp_path, fake_env, slow_updates, monkeypatch):
    settled, seen_tb, seen_saves = [], [], []
    real_sync, real_count = Policy.sync, Trainer._count_update

    def sync(self):
        real_sync(self)
        if not settled:
            settled.append(self.params["W1"].copy())  # the initial weights

    def count(self, stats):
        settled.append(self.policy.params["W1"].copy())  # after a whole update
        real_count(self, stats)

    class FakeTB:
        def __init__(self, logdir):
            pass

        def episode(self, st, W1=None):
            seen_tb.append(np.array(W1, dtype=np.float32))

        def close(self):
            pass

    real_snapshot = train_mod.to_checkpoint

    def snapshot(*a, **kw):
        ck = real_snapshot(*a, **kw)
        seen_saves.append(ck.arrays["W1"].copy())
        return ck

    monkeypatch.setattr(Policy, "sync", sync)
    monkeypatch.setattr(Trainer, "_count_update", count)
    monkeypatch.setattr("pgcli.commands.tensorboard.TensorBoardLog", FakeTB)
    monkeypatch.setattr(train_mod, "to_checkpoint", snapshot)
    train(PPO, tmp_path / "s.p", Budget(episodes=40), saving=Saving(every=3, tensorboard=tmp_path / "tb"))
    assert len(settled) > 5 and len(seen_tb) >= 40 and len(seen_saves) > 10
    as32 = [w.astype(np.float32) for w in settled]
    for i, w in enumerate(seen_tb):
        assert any(np.array_equal(w, s) for s in as32), f"TensorBoard image {i} is not a settled state"
    for i, w in enumerate(seen_saves[1:]):  # the first is the write probe's
        assert any(np.array_equal(w, s) for s in settled), f"snapshot {i} is not a settled state"


@pytest.mark.ale
def test_ppo_weights_do_not_depend_on_the_learner_threads_timing(tmp_path, fake_env, monkeypatch):
    a = tmp_path / "a.p"
    train({**PPO, "seed": 4}, a, Budget(episodes=16))
    real = optim.Adam.step
    monkeypatch.setattr(optim.Adam, "step", lambda self, *x, **k: (real(self, *x, **k), time.sleep(0.01)))
    b = tmp_path / "b.p"
    train({**PPO, "seed": 4}, b, Budget(episodes=16))
    wa, wb = checkpoint.load(a), checkpoint.load(b)
    assert wa.meta["updates"] == wb.meta["updates"] > 3
    for k in ("W1", "W2", "Wv", "bv"):
        assert np.array_equal(wa.arrays[k], wb.arrays[k]), k


def test_a_save_that_fails_in_any_way_is_reported_in_one_line_and_retried(tmp_path, monkeypatch):
    events, real_save, calls = [], checkpoint.save, []

    def flaky(path, ck):
        calls.append(path)
        if len(calls) == 1:
            raise ValueError("weights are not finite")
        real_save(path, ck)

    monkeypatch.setattr(checkpoint, "save", flaky)
    from pgcli.base.config import Config
    from pgcli.files.checkpoint import Checkpoint

    ck = Checkpoint(Config(hidden=2), {}, {"W1": np.zeros((2, 6400)), "W2": np.zeros(2)}, {"episode": 1})
    saver = Saver(tmp_path / "s.p", events.append, lambda: ck)
    saver.save_async()
    saver.wait()
    assert saver.thread is None
    assert events == [f"warning: could not save {tmp_path / 's.p'} (ValueError: weights are not finite); "
                      "will retry at the next save"]
    saver.save_async()  # the writer still works
    saver.wait()
    assert len(events) == 1 and checkpoint.load(tmp_path / "s.p").episode == 1


def test_every_second_of_training_is_counted_once(tmp_path, fake_env, monkeypatch):
    real_snapshot = train_mod.to_checkpoint

    def slow_snapshot(*a, **kw):  # a save's part in the loop takes long
        time.sleep(0.15)
        return real_snapshot(*a, **kw)

    monkeypatch.setattr(train_mod, "to_checkpoint", slow_snapshot)
    t0 = time.perf_counter()
    res = train({"num_envs": 2, "hidden": 8}, tmp_path / "s.p", Budget(episodes=12), saving=Saving(every=1))
    wall = time.perf_counter() - t0
    assert res.seconds > 12 * 0.15  # the saves' time in the loop is training time
    assert res.seconds <= wall  # and it is counted once


@pytest.mark.parametrize("given, kept", [(None, "1"), ("4", "4")])
def test_importing_pgcli_pins_blas_to_one_thread_unless_the_user_chose(given, kept):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    # the library, not the CLI; what the BLAS library itself runs with, as threadpoolctl reads it from it
    code = ("import os, pgcli, numpy; from threadpoolctl import threadpool_info; print(os.environ['OPENBLAS_NUM_THREADS'], "
            "*[i['num_threads'] for i in threadpool_info() if i['internal_api'] == 'openblas'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    variable, *threads = out.stdout.split()
    assert variable == kept
    if not threads:  # numpy on another BLAS (Accelerate on macOS arm64): the variable is all pgcli sets
        pytest.skip("numpy does not use OpenBLAS here")
    assert all(int(t) == min(int(kept), os.cpu_count() or 1) for t in threads), threads  # OpenBLAS caps at the cores

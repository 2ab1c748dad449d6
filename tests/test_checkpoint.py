"""Checkpoints: round trip, Karpathy's save.p, atomic writes, and no code ever runs on load."""

import os
import pickle

import numpy as np
import pytest

from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.base.config import Config
from pgcli.base.errors import PgcliError
from pickles import hostile_corpus, karpathy_py2


def small_ckpt(H=200, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {"W1": rng.standard_normal((H, 6400)), "W2": rng.standard_normal(H),
              "cache_W1": rng.random((H, 6400)), "cache_W2": rng.random(H)}
    return Checkpoint(config=Config(hidden=H), env={"env_id": "ALE/Pong-v5"}, arrays=arrays,
                      meta={"episode": 42, "running_reward": -20.5, "rng": {"x": 2**100}})


def test_roundtrip_is_exact(tmp_path):
    c = small_ckpt()
    checkpoint.save(tmp_path / "c.p", c)
    d = checkpoint.load(tmp_path / "c.p")
    assert d.config == c.config and d.meta == c.meta and d.env == c.env and d.episode == 42
    for k in c.arrays:
        assert np.array_equal(c.arrays[k], d.arrays[k])


def test_float32_weights_load(tmp_path):
    c = small_ckpt(H=8)
    c.arrays = {k: v.astype(np.float32) for k, v in c.model.items()}
    checkpoint.save(tmp_path / "small.p", c)
    d = checkpoint.load(tmp_path / "small.p")
    np.testing.assert_array_equal(d.model["W1"], c.arrays["W1"].astype(np.float64))


def test_karpathy_python2_save_p_loads(tmp_path):
    rng = np.random.default_rng(1)
    W1, W2 = rng.standard_normal((200, 6400)), rng.standard_normal(200)
    (tmp_path / "save.p").write_bytes(karpathy_py2(W1, W2))
    c = checkpoint.load(tmp_path / "save.p")
    assert c.source == "karpathy" and c.config.hidden == 200
    assert np.array_equal(c.model["W1"], W1) and np.array_equal(c.model["W2"], W2)


@pytest.mark.parametrize("protocol", [0, 2, 3, 4, 5])
def test_karpathy_python3_pickles_load(tmp_path, protocol):
    rng = np.random.default_rng(protocol)
    model = {"W1": rng.standard_normal((200, 6400)), "W2": rng.standard_normal(200)}
    (tmp_path / "save.p").write_bytes(pickle.dumps(model, protocol=protocol))
    c = checkpoint.load(tmp_path / "save.p")
    assert np.array_equal(c.model["W1"], model["W1"]) and np.array_equal(c.model["W2"], model["W2"])


@pytest.mark.parametrize("protocol", [2, 5])
def test_fortran_ordered_arrays_load_in_the_right_order(tmp_path, protocol):
    W1 = np.asfortranarray(np.arange(200 * 6400, dtype=np.float64).reshape(200, 6400))
    (tmp_path / "save.p").write_bytes(pickle.dumps({"W1": W1, "W2": np.arange(200.0)}, protocol=protocol))
    assert np.array_equal(checkpoint.load(tmp_path / "save.p").model["W1"], W1)


def test_recognised_by_content_not_extension(tmp_path):
    checkpoint.save(tmp_path / "weights.npz", small_ckpt(H=4))
    assert checkpoint.load(tmp_path / "weights.npz").config.hidden == 4


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        import os

        return (os.system, (f"touch '{self.path}'",))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    sentinel = tmp_path / "pwned"
    (tmp_path / "save.p").write_bytes(pickle.dumps({"W1": _Evil(sentinel), "W2": 0}, protocol=2))
    with pytest.raises(PgcliError, match="refusing to load posix.system|refusing to load os.system"):
        checkpoint.load(tmp_path / "save.p")
    assert not sentinel.exists()


def test_hostile_corpus_all_refused_without_side_effects(tmp_path):
    sentinel = tmp_path / "pwned"
    for name, data in hostile_corpus(str(sentinel)).items():
        path = tmp_path / "hostile.p"
        path.write_bytes(data)
        with pytest.raises(PgcliError) as err:
            checkpoint.load(path)
        assert "\n" not in str(err.value), name
        assert not sentinel.exists(), name


def test_save_refuses_nan_and_keeps_the_good_file(tmp_path):
    good = small_ckpt(H=4)
    checkpoint.save(tmp_path / "c.p", good)
    bad = small_ckpt(H=4)
    bad.arrays["W2"][0] = np.nan
    with pytest.raises(PgcliError, match="NaN"):
        checkpoint.save(tmp_path / "c.p", bad)
    assert np.array_equal(checkpoint.load(tmp_path / "c.p").model["W2"], good.arrays["W2"])


def test_failed_write_leaves_previous_checkpoint(tmp_path, monkeypatch):
    good = small_ckpt(H=4)
    checkpoint.save(tmp_path / "c.p", good)

    def full_disk(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # every write goes through files/atomic.py
    with pytest.raises(OSError):
        checkpoint.save(tmp_path / "c.p", small_ckpt(H=4, seed=9))
    assert np.array_equal(checkpoint.load(tmp_path / "c.p").model["W1"], good.arrays["W1"])
    assert [p.name for p in tmp_path.iterdir()] == ["c.p"]  # no temporary file left behind


@pytest.mark.parametrize("cut", [0, 5, 11, 20, 100, -1])
def test_truncated_checkpoints_are_clean_errors(tmp_path, cut):
    data = checkpoint.encode(small_ckpt(H=4))
    (tmp_path / "c.p").write_bytes(data[:cut])
    with pytest.raises(PgcliError):
        checkpoint.load(tmp_path / "c.p")


def test_snapshots_reuse_their_buffers_and_write_the_bytes_of_a_fresh_copy(tmp_path):
    """Every periodic save copies the state into the last snapshot's (warm) buffers instead of
    41 fresh MB; the file is the same as from fresh copies, W1 in the header's (H, 6400) order."""
    from fakepong import FakePong
    from pgcli.commands.train import to_checkpoint
    from pgcli.base.run_spec import RunSpec
    from pgcli.core.trainer import Trainer

    cfg = Config(num_envs=2, hidden=8, batch_size=1)
    trainer = Trainer(RunSpec.of(cfg), FakePong(2))
    trainer.run(2, lambda st: None)
    buffers: dict = {}
    first = to_checkpoint(cfg, {}, trainer, buffers)
    kept = {k: v for k, v in buffers.items()}
    trainer.run(4, lambda st: None)  # the weights move on
    again = to_checkpoint(cfg, {}, trainer, buffers)
    assert all(again.arrays[k] is kept[k] for k in kept) and first.arrays["W1"] is again.arrays["W1"]
    fresh = to_checkpoint(cfg, {}, trainer)
    assert checkpoint.encode(again) == checkpoint.encode(fresh)
    checkpoint.save(tmp_path / "s.p", again)
    back = checkpoint.load(tmp_path / "s.p")
    assert np.array_equal(back.model["W1"], trainer.policy.params["W1"])  # not transposed or stale


def test_the_counters_are_read_from_the_header_alone(tmp_path):
    ck = small_ckpt(H=4)
    checkpoint.save(tmp_path / "c.p", ck)
    assert checkpoint.read_meta(tmp_path / "c.p") == checkpoint.load(tmp_path / "c.p").meta
    data = (tmp_path / "c.p").read_bytes()
    (tmp_path / "head.p").write_bytes(data[: len(data) // 2])  # the arrays cut: the header is all it reads
    assert checkpoint.read_meta(tmp_path / "head.p") == ck.meta
    (tmp_path / "junk.p").write_bytes(b"not a checkpoint")
    with pytest.raises(PgcliError, match="not a valid pgcli checkpoint"):
        checkpoint.read_meta(tmp_path / "junk.p")

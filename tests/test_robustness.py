"""Hostile and broken inputs: fuzzed files, locks, full disks, NaN, failing saves."""

import errno
import os
import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.cli import app
from pgcli.base.config import Config
from pgcli.base.errors import PgcliError
from pgcli.commands.train import Budget, Saving, train
from pgcli.files.run_files import output_lock
from pickles import hostile_corpus, karpathy_py2

runner = CliRunner()


def valid_files():
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((2, 6400)), rng.standard_normal(2)
    ck = Checkpoint(Config(hidden=2), {"env_id": "ALE/Pong-v5"}, {"W1": W1, "W2": W2, "cache_W1": W1 ** 2,
                    "cache_W2": W2 ** 2}, {"episode": 3, "rng": {"state": 1}})
    return {
        "pgcli": checkpoint.encode(ck),
        "karpathy py2": karpathy_py2(W1, W2),
        "pickle p2": pickle.dumps({"W1": W1, "W2": W2}, protocol=2),
        "pickle p5": pickle.dumps({"W1": W1, "W2": W2}, protocol=5),
    }


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    b = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:  # flip a few bytes
        for _ in range(rng.integers(1, 8)):
            b[rng.integers(len(b))] = rng.integers(256)
    elif kind == 1:  # truncate
        b = b[: rng.integers(len(b))]
    elif kind == 2:  # insert junk
        at = rng.integers(len(b))
        b[at:at] = rng.bytes(int(rng.integers(1, 64)))
    else:  # mutate early (headers, opcodes): where parsers are most fragile
        for _ in range(rng.integers(1, 4)):
            b[rng.integers(min(len(b), 400))] = rng.integers(256)
    return bytes(b)


def test_fuzzed_checkpoints_load_or_fail_cleanly():
    rng = np.random.default_rng(12345)
    outcomes = {"ok": 0, "error": 0}
    for name, data in valid_files().items():
        assert checkpoint.loads(data, name).model["W1"].shape == (2, 6400)
        for _ in range(800):
            try:
                ck = checkpoint.loads(mutate(data, rng), name)
            except PgcliError:
                outcomes["error"] += 1
            else:  # a mutation that still parses must still be a valid model
                assert ck.model["W1"].shape[1] == 6400 and np.isfinite(ck.model["W1"]).all()
                outcomes["ok"] += 1
    assert outcomes["error"] > 2500


def test_hostile_files_through_the_cli(tmp_path):
    sentinel = tmp_path / "pwned"
    for name, data in hostile_corpus(str(sentinel)).items():
        (tmp_path / "evil.p").write_bytes(data)
        r = runner.invoke(app, ["weights", str(tmp_path / "evil.p"), "-o", str(tmp_path / "w.png")])
        assert r.exit_code == 1, name
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("pgcli: error:"), (name, r.stderr)
        assert not sentinel.exists(), name
        assert not (tmp_path / "w.png").exists()


def test_second_trainer_on_same_output_refuses(tmp_path, fake_env):
    out = tmp_path / "save.p"
    with output_lock(out):
        r = runner.invoke(app, ["train", "--episodes", "2", "-o", str(out)])
    assert r.exit_code == 1 and "another pgcli train is writing" in r.stderr
    assert not out.exists()
    assert runner.invoke(app, ["train", "--episodes", "2", "-o", str(out)]).exit_code == 0  # lock released


def test_full_disk_is_detected_before_training(tmp_path, fake_env, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pgcli.commands.train.os.fsync", no_space)
    r = runner.invoke(app, ["train", "--episodes", "2", "-o", str(tmp_path / "save.p")])
    assert r.exit_code == 1 and "No space left on device" in r.stderr
    assert fake_env == []  # no game was started
    assert list(tmp_path.iterdir()) == []


def test_output_in_missing_dir_or_a_directory(tmp_path, fake_env):
    r = runner.invoke(app, ["train", "--episodes", "2", "-o", str(tmp_path / "no" / "save.p")])
    assert r.exit_code == 1 and "no such directory" in r.stderr
    r = runner.invoke(app, ["train", "--episodes", "2", "-o", str(tmp_path)])
    assert r.exit_code == 1 and "is a directory" in r.stderr


def test_failed_save_keeps_training_and_retries(tmp_path, fake_env, monkeypatch):
    real = checkpoint.atomic_write
    calls = []

    def flaky(path, data):
        calls.append(path)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(checkpoint, "atomic_write", flaky)
    r = runner.invoke(app, ["train", "--episodes", "6", "--save-every", "2", "-o", str(tmp_path / "s.p")])
    assert r.exit_code == 0, r.stderr
    assert "could not save" in r.stderr and "will retry at the next save" in r.stderr
    assert checkpoint.load(tmp_path / "s.p").episode == 6


def test_nan_weights_stop_training_and_keep_good_checkpoint(tmp_path, fake_env):
    out = tmp_path / "s.p"
    train({"num_envs": 2, "hidden": 8}, out, Budget(episodes=4), saving=Saving(every=4))
    good = checkpoint.load(out).model["W1"].copy()
    # an absurd learning rate overflows the weights to inf
    r = runner.invoke(app, ["train", "--resume", str(out), "-o", str(out), "--lr", "1e308",
                            "--decay-rate", "0", "--batch-size", "1"])
    assert r.exit_code == 1 and "NaN/inf" in r.stderr and "last checkpoint is kept" in r.stderr
    assert np.array_equal(checkpoint.load(out).model["W1"], good)


def test_paths_with_spaces_and_non_ascii(tmp_path, fake_env):
    d = tmp_path / "my runs é"
    d.mkdir()
    out = d / "sauvegarde ü.p"
    r = runner.invoke(app, ["train", "--episodes", "2", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert (d / "sauvegarde ü.metrics.csv").exists()
    r = runner.invoke(app, ["weights", str(out), "-o", str(d / "w ü.png")])
    assert r.exit_code == 0 and (d / "w ü.png").exists()


def test_unreadable_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "save.p"
    path.write_bytes(b"x")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pathlib.Path.read_bytes", denied)
    r = runner.invoke(app, ["weights", str(path)])
    assert r.exit_code == 1 and r.stderr.strip() == f"pgcli: error: {path}: permission denied"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["games", "--json"], ["games"], ["--help"]])
def test_standard_output_that_cannot_take_the_text_is_one_line(args):
    """`pgcli evaluate x.p --json > /dev/full` and the like: click's echo and rich's console alike."""
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "pgcli", *args], stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert r.returncode == 1
    assert r.stderr == "pgcli: error: cannot write to standard output (No space left on device)\n"

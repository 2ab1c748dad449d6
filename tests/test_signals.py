"""Nothing is lost: signals save a checkpoint, SIGKILL mid-save never corrupts the last one."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pgcli.files import checkpoint

HERE = Path(__file__).parent
ROOT = HERE.parent


def run_fake(args, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(HERE / "fake_cli.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


@pytest.mark.parametrize("sig, delay", [(signal.SIGINT, 0.0), (signal.SIGTERM, 0.37), (signal.SIGINT, 0.81),
                                        (signal.SIGTERM, 1.3)])
def test_signal_saves_and_resume_continues(tmp_path, sig, delay):
    out = tmp_path / "save.p"
    p = run_fake(["train", "-o", str(out), "--save-every", "1000", "--num-envs", "2", "--hidden", "8"])
    assert p.stdout.readline().startswith("training REINFORCE on ALE/Pong-v5")  # it says what it trains
    assert p.stdout.readline().startswith("episode 10:")  # training is under way
    time.sleep(delay)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, stderr
    lines = stderr.strip().splitlines()
    # a stop the user asked for: said as it is, not as an error
    assert len(lines) == 1 and lines[0].startswith(f"pgcli: stopped by {signal.Signals(sig).name} at episode")
    assert lines[0].endswith(f"saved {out} (continue with: pgcli train --resume {out})")
    ck = checkpoint.load(out)
    assert ck.episode >= 1 and f"episode {ck.episode}" in lines[0]
    metrics = (tmp_path / "save.metrics.csv").read_text().splitlines()
    assert metrics[-1].startswith(f"{ck.episode},")
    assert not (tmp_path / "save.p.lock").exists()
    p2 = run_fake(["train", "--resume", str(out), "--episodes", "3"])
    _, err2 = p2.communicate(timeout=60)
    assert p2.returncode == 0, err2
    assert checkpoint.load(out).episode == ck.episode + 3


SAVER = """
import sys, numpy as np
from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.base.config import Config
i = 0
while True:
    i += 1
    w = np.full((200, 6400), float(i))
    checkpoint.save(sys.argv[1], Checkpoint(Config(), {}, {"W1": w, "W2": np.full(200, float(i)),
                    "cache_W1": w, "cache_W2": np.ones(200)}, {"episode": i}))
    print(i, flush=True)
"""


def test_sigkill_during_saves_never_corrupts(tmp_path):
    out = tmp_path / "save.p"
    rng = np.random.default_rng(0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    last_seen = 0
    for trial in range(15):
        p = subprocess.Popen([sys.executable, "-c", SAVER, str(out)], stdout=subprocess.PIPE, env=env, text=True)
        p.stdout.readline()  # at least one save done, the next ones are in progress
        time.sleep(rng.uniform(0, 0.3))
        p.kill()
        p.wait()
        ck = checkpoint.load(out)  # must be a whole checkpoint, never a torn one
        i = ck.episode
        assert i >= 1 and np.all(ck.model["W1"] == i) and np.all(ck.model["W2"] == i), trial
        last_seen = i
    assert last_seen >= 1

"""`--ray-address` against a head started with `ray start --head`, as docs/ray.md says, and the
one-line answers when nothing is there or the head's token authentication refuses this shell.
Runs after test_cluster.py (it stops the Ray processes of this machine at the end)."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pgcli.files import checkpoint

pytest.importorskip("ray")
pytestmark = pytest.mark.ale  # the worker drives the real emulator
HERE = Path(__file__).parent
RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pgcli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "pgcli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def test_an_address_with_nothing_behind_it_gives_one_line(tmp_path):
    r = pgcli(["train", "--ray-address", f"127.0.0.1:{free_port()}", "--workers", "1", "--episodes", "1"],
              {**os.environ}, tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "nothing answers at 127.0.0.1:" in r.stderr
    assert not any(tmp_path.iterdir())  # no checkpoint, no metrics, no lock left


@pytest.mark.skipif(RAY is None, reason="the ray command is not installed")
def test_joining_a_head_started_with_ray_start(tmp_path):
    port = free_port()
    auth = {**os.environ, "RAY_AUTH_MODE": "token"}  # as docs/ray.md tells both machines
    subprocess.run([RAY, "get-auth-token", "--generate"], env=auth, capture_output=True, timeout=120)
    head = subprocess.run([RAY, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                           "--disable-usage-stats"], env=auth, capture_output=True, text=True, timeout=300)
    assert head.returncode == 0, head.stderr
    try:
        args = ["train", "--ray-address", f"127.0.0.1:{port}", "--workers", "1", "--num-envs", "2", "--hidden", "8",
                "--episodes", "1", "-o", "w.p"]
        r = pgcli(args, auth, tmp_path)
        assert r.returncode == 0, r.stderr
        assert "in 1 Ray rollout worker at 127.0.0.1:" in r.stdout and checkpoint.load(tmp_path / "w.p").episode == 1
        plain = {k: v for k, v in os.environ.items() if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")}
        r = pgcli(args[:-1] + ["x.p"], plain, tmp_path)
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "uses token authentication; set RAY_AUTH_MODE=token" in r.stderr
        # --workers alone beside that head: a Ray of its own (Ray would join the head and refuse num_cpus)
        r = pgcli(["train", "--workers", "1", "--num-envs", "2", "--hidden", "8", "--episodes", "1", "-o", "l.p"],
                  auth, tmp_path)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert checkpoint.load(tmp_path / "l.p").episode == 1
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=300)

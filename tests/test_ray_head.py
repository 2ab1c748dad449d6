"""`--ray-address` against a head started with `ray start --head`, as docs/ray.md says, and the
one-line answers when nothing is there or the head's token authentication refuses this shell.
The head is this test's own: its own temp dir and token (nothing written under ~/.ray), and only
the processes that name its temp dir are stopped at the end; a Ray cluster already running on the
machine is left alone (no `ray stop`)."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
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


def stop_processes_naming(marker: str, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds, the processes whose command line holds `marker`."""
    def ours():
        out = subprocess.run(["ps", "-Aww", "-o", "pid=,args="], capture_output=True, text=True).stdout
        return [int(line.split(None, 1)[0]) for line in out.splitlines() if marker in line and str(os.getpid()) != line.split(None, 1)[0]]

    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in ours():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while ours() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not ours():
            return


@pytest.fixture
def own_head():
    """(temp dir, environment) for a Ray head this test starts; afterwards only its processes are stopped."""
    temp = tempfile.mkdtemp(prefix="pgcli-ray-", dir="/tmp")  # short: Ray's socket paths must fit in 107 bytes
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    try:
        yield temp, env
    finally:
        stop_processes_naming(temp)
        shutil.rmtree(temp, ignore_errors=True)


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
def test_joining_a_head_started_with_ray_start(tmp_path, own_head):
    port = free_port()
    temp, auth = own_head  # token authentication on, as docs/ray.md tells both machines
    head = subprocess.run([RAY, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                           "--disable-usage-stats", f"--temp-dir={temp}"], env=auth, capture_output=True, text=True,
                          timeout=300)
    assert head.returncode == 0, head.stderr
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


def test_the_clean_up_stops_only_the_processes_that_name_its_marker(tmp_path):
    """What stands for 'a Ray cluster someone else runs here' must outlive this file's clean-up."""
    code = "import time, sys; time.sleep(120)"
    mine = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "ours")])
    theirs = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "theirs")])
    try:
        stop_processes_naming(str(tmp_path / "ours"), grace=5)
        assert mine.wait(timeout=10) == -signal.SIGTERM
        assert theirs.poll() is None  # still running
    finally:
        theirs.kill()
        mine.kill()
        theirs.wait()
        mine.wait()

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakepong import FakePong, fake_scenery  # noqa: E402


@pytest.fixture
def fake_eval(monkeypatch, fake_env):
    """Make every `pgcli train` and `pgcli evaluate` in this test play FakePong (the benchmark's tests)."""
    monkeypatch.setattr("pgcli.commands.evaluate.make_env", lambda s, n, render_mode=None: FakePong(n))


@pytest.fixture
def fake_env(monkeypatch):
    """Make every `pgcli train` in this test play FakePong instead of the emulator."""
    made = []

    def make(settings, num_envs, render_mode=None):
        env = FakePong(num_envs)
        made.append(env)
        return env

    monkeypatch.setattr("pgcli.commands.train.make_env", make)
    monkeypatch.setattr("pgcli.base.scenery.of", fake_scenery)
    return made


"""The Python API a notebook uses: load an agent and act on frames; train with a callback."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from pgcli.base.screen import Screen
from pgcli.base.games import PONG
import pytest

import pgcli
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint

ROOT = Path(__file__).parent.parent


@pytest.mark.ale
def test_train_from_a_config_with_a_callback_per_episode(tmp_path, fake_env):
    seen = []
    res = pgcli.train(pgcli.Config(algo="ppo", num_envs=2, hidden=8, rollout_steps=8), tmp_path / "a.p",
                      episodes=3, on_episode=seen.append)
    assert [st.episode for st in seen] == [1, 2, 3] and res.episodes == 3
    ck = checkpoint.load(tmp_path / "a.p")
    assert ck.config.algo == "ppo" and ck.config.learning_rate == 5e-4  # PPO's default, as with the flags
    with pytest.raises(PgcliError, match="holds another run"):
        pgcli.train(pgcli.Config(), tmp_path / "a.p", episodes=1)
    with pytest.raises(ValueError, match="episodes, minutes or steps"):
        pgcli.train(pgcli.Config(), tmp_path / "b.p")


@pytest.mark.ale
def test_a_config_does_what_it_is_told_even_at_another_algorithms_default(tmp_path, fake_env):
    """`Config(algo="ppo", epochs=4)` once trained with 8 epochs (4 was REINFORCE's default, so it
    counted as not given); now a field not given is None until the algorithm fills it."""
    told = pgcli.Config(algo="ppo", epochs=4, learning_rate=1e-3, inputs="diff", noop=False)
    assert (told.epochs, told.learning_rate, told.inputs, told.noop, told.episodic_life) == (4, 1e-3, "diff", False, True)
    res = pgcli.train(told, tmp_path / "a.p", steps=1)
    assert checkpoint.load(res.output).config == replace(told, frame_max="off", background="colour")  # each "auto" saved as the rule chosen for Pong
    # resuming with a dict changes just what it names
    res = pgcli.train({"learning_rate": 2e-4}, tmp_path / "a.p", resume=tmp_path / "a.p", steps=1)
    cfg = checkpoint.load(res.output).config
    assert (cfg.epochs, cfg.learning_rate, cfg.inputs) == (4, 2e-4, "diff")


def test_a_loaded_agent_acts_on_raw_frames_like_play_does():
    from pgcli.core import sparse

    player = pgcli.load(ROOT / "docs" / "runs" / "agents" / "pong-agent-exact.p", greedy=True)
    assert player.settings.env_id == "ALE/Pong-v5"
    frames = np.zeros((3, 210, 160, 3), np.uint8)
    frames[:, 35:195, :, 0] = 144  # Pong's background: erased by the preprocessing
    frames[1, 100:104, 80:82] = 236  # the ball appears in the second frame only
    player.reset(frames[0])
    out = [player.act(f) for f in frames]
    lit = Screen(PONG, frames)(frames)
    expect = [np.zeros(6400, np.int8), lit[1] - lit[0], lit[2] - lit[1]]  # the seed's cur_x - prev_x
    p = [float(player.agent.policy.forward(*sparse.encode(x[None]))[0][0]) for x in expect]
    assert [q for _, q in out] == p and len(set(p)) == 3  # each frame's P(UP) is its difference frame's
    assert [a for a, _ in out] == [2 if q > 0.5 else 3 for q in p]  # greedy: the likelier action


@pytest.mark.ale
def test_the_python_api_example_runs(tmp_path):
    r = subprocess.run([sys.executable, "examples/python_api.py", str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "shipped agent on ALE/Pong-v5:" in r.stdout and "trained 4 episodes" in r.stdout
    assert checkpoint.load(tmp_path / "api.p").episode == 4

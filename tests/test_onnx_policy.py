"""The ONNX policy plays as pgcli plays: the same probabilities on the same frames (float32
tolerance), for each background rule, and the same greedy game with onnxruntime and ale-py alone."""

import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.ale  # real games
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

ROOT = Path(__file__).parent.parent


def both_on_the_same_frames(ck, steps: int, seed: int = 1):
    """Play `steps` steps (pgcli's greedy actions) feeding pgcli's act step and the ONNX graph the same
    frames -> the largest difference of their probabilities, and whether every greedy action agreed."""
    import gymnasium as gym

    from pgcli.base.run_spec import RunSpec
    from pgcli.commands import onnx_policy
    from pgcli.core.agent import Agent
    from pgcli.core.network import Policy
    from pgcli.files.agents import settings_from_checkpoint

    run = RunSpec.of(ck.config, settings_from_checkpoint(ck.env, None, "pgcli"))
    agent = Agent(Policy({k: ck.arrays[k] for k in ("W1", "W2")}), run.settings, run.game, run.inputs, run.scenery)
    sess = ort.InferenceSession(onnx_policy.build(ck).SerializeToString())
    env = gym.make(agent.settings.env_id, repeat_action_probability=0.25)
    frame, _ = env.reset(seed=seed)
    actor = agent.actor(frame[None], np.random.default_rng(0), greedy=True)
    state = {"prev_lit": np.zeros(6400, np.float32), "prev_diff": np.zeros(6400, np.float32),
             "prev_action": np.array(-1, np.int64), "colour": np.array(0, np.int64)}
    fresh, worst, agreed = True, 0.0, True
    for _ in range(steps):
        s = actor(frame[None], np.array([fresh]))
        ours = s.p[0] if s.p.ndim == 2 else np.array([1 - s.p[0], s.p[0]])
        probs, lit, diff, colour = sess.run(None, {"frame": frame, "fresh": np.array(fresh), **state})
        worst = max(worst, float(np.abs(probs - ours).max()))
        agreed &= int(np.argmax(probs)) == int(s.i[0])
        a = int(s.i[0])
        state = {"prev_lit": lit, "prev_diff": diff, "prev_action": np.array(a, np.int64), "colour": colour}
        frame, _, term, trunc, _ = env.step(int(run.game.actions[a]))
        fresh = term or trunc
        if fresh:
            frame, _ = env.reset()
    return worst, agreed


@pytest.mark.parametrize("agent", ["examples/pong-agent", "examples/breakout-agent.p"])
def test_the_shipped_agents_probabilities_through_onnx(agent):
    """Pong's red background rule and Breakout's commonest-colour rule, 300 steps each."""
    from pgcli.files import model_folder

    worst, agreed = both_on_the_same_frames(model_folder.load(ROOT / agent), 300)
    assert worst < 1e-5 and agreed


def test_each_pixel_against_its_own_background_and_the_objects_part_through_onnx():
    """PPO's default input on Battle Zone (--background auto: the per-pixel rule, its scenery mask),
    a random network with two-frame differences, the previous difference and the last action."""
    from pgcli.base.config import Config
    from pgcli.base.envs import env_settings
    from pgcli.base import games
    from pgcli.core import pg_math
    from pgcli.files.checkpoint import Checkpoint

    cfg = Config(algo="ppo", env_id="ALE/BattleZone-v5", background="pixel", inputs="diff+objects+diff2+action", hidden=32)
    game = games.for_rom("battle_zone")
    model = pg_math.init_model(32, np.random.default_rng(0), cfg.input_spec.size(game.n_actions), game.n_actions)
    ck = Checkpoint(config=cfg, env=env_settings("battle_zone").to_dict(), arrays=model)
    worst, agreed = both_on_the_same_frames(ck, 150)
    assert worst < 1e-5 and agreed


def test_onnxruntime_and_ale_py_alone_play_the_greedy_game_pgcli_plays(tmp_path):
    """A model folder's policy.onnx, played by examples/play_onnx.py (no pgcli), scores what pgcli's own
    greedy player scores on the same seed."""
    import pgcli
    from pgcli.cli import app

    folder = tmp_path / "pong-agent"
    r = CliRunner().invoke(app, ["export", str(ROOT / "examples/pong-agent"), "-o", f"{folder}/", "--eval-games", "1",
                                 "--gif-steps", "10"])
    assert r.exit_code == 0, r.stderr
    assert (folder / "policy.onnx").exists() and "## Without pgcli: the ONNX policy" in (folder / "README.md").read_text()
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from play_onnx import play
    finally:
        sys.path.pop(0)
    player = pgcli.load(folder, greedy=True)
    env = player.make_env()
    frame, _ = env.reset(seed=0)
    player.reset(frame)
    score, done = 0.0, False
    while not done:
        action, _ = player.act(frame)
        frame, reward, term, trunc, _ = env.step(action)
        score, done = score + reward, term or trunc
    assert play(str(folder), seed=0) == score

"""Every command on a Breakout checkpoint (a 4-action softmax, lives, PPO's default input), against
the real emulator."""

import json

import imageio.v3 as iio
import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.files import checkpoint

runner = CliRunner()


def one_line_error(r):
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("pgcli: error:"), r.stderr
    return r.stderr


@pytest.fixture(scope="module")
def breakout(tmp_path_factory):
    """`pgcli train --game breakout --algo ppo` for a few games: PPO's defaults (4-way softmax head)."""
    out = tmp_path_factory.mktemp("breakout") / "b.p"
    r = runner.invoke(app, ["train", "--game", "breakout", "--algo", "ppo", "--num-envs", "4", "--rollout-steps", "32",
                            "--hidden", "16", "--episodes", "4", "-o", str(out)])  # PPO's default input and lives
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert "training PPO (a lost life ends the return) on ALE/Breakout-v5 (sticky actions 0.25); input 80x80 " \
           "difference frames + the current frame without its scenery + the previous action" in r.stdout
    return out


@pytest.mark.ale
def test_breakout_trains_and_saves_its_game(breakout):
    ck = checkpoint.load(breakout)
    assert ck.config.env_id == "ALE/Breakout-v5" and ck.env["game"] == "breakout"
    assert ck.arrays["W1"].shape == (16, 2 * 6400 + 4) and ck.arrays["W2"].shape == (16, 4)
    import csv

    rows = list(csv.DictReader((breakout.parent / "b.metrics.csv").open()))
    games = [r for r in rows if r["cut"] == "0"]  # the others: games in flight at the stop
    assert [int(r["episode"]) for r in games] == [1, 2, 3, 4]
    # A lost life ends the return in learning, not the game: a game is all 5 lives (one is ~25-40 steps)
    assert all(int(r["steps"]) >= 80 for r in games), [r["steps"] for r in games]
    running = None
    for r in games:  # Breakout has no negative rewards; the running reward is the seed's 0.99/0.01 mean
        score = float(r["reward"])
        assert int(r["lost"]) == 0 and score >= int(r["won"])
        running = score if running is None else 0.99 * running + 0.01 * score
        assert abs(float(r["running_reward"]) - running) < 1e-5


@pytest.mark.ale
def test_every_command_plays_a_breakout_checkpoint(breakout, tmp_path):
    r = runner.invoke(app, ["evaluate", str(breakout), "-n", "2", "--json"])
    assert r.exit_code == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["game"] == "breakout" and len(res["rewards"]) == 2 and "random 1.7, human 31.8" in res["place"]
    r = runner.invoke(app, ["play", str(breakout), "-n", "1"])
    assert r.exit_code == 0 and "game 1: score" in r.stdout, r.stderr
    gif = tmp_path / "b.gif"
    r = runner.invoke(app, ["record", str(breakout), "-o", str(gif), "--max-frames", "12", "--show-input"])
    assert r.exit_code == 0, r.stderr
    frames = iio.imread(gif, index=None)[..., :3].astype(int)
    assert frames.shape[0] >= 2
    panels = frames[:, :, 2 * 160 :]  # the network's-eye view: the paddle shows in blue while it stands still
    assert (np.abs(panels - (90, 130, 230)).sum(axis=-1) < 30).sum(axis=(1, 2)).max() >= 16
    for part in ("diff", "objects"):
        r = runner.invoke(app, ["weights", str(breakout), "--part", part, "-o", str(tmp_path / f"{part}.png")])
        assert r.exit_code == 0, r.stderr
    diff, objects = (iio.imread(tmp_path / f"{part}.png")[..., :3].astype(int) for part in ("diff", "objects"))
    assert diff.shape == objects.shape and np.abs(diff - objects).mean() > 0.1  # each part's own weights, not one picture twice
    assert "--part must be one of diff, objects" in one_line_error(
        runner.invoke(app, ["weights", str(breakout), "--part", "diff2", "-o", str(tmp_path / "x.png")]))
    r = runner.invoke(app, ["export", str(breakout), "-o", str(tmp_path / "small.p")])
    assert r.exit_code == 0 and checkpoint.load(tmp_path / "small.p").arrays["W2"].shape == (16, 4)
    assert "Karpathy's save.p holds Pong's network" in one_line_error(
        runner.invoke(app, ["export", str(breakout), "--karpathy", "-o", str(tmp_path / "k.p")]))


@pytest.mark.ale
def test_a_game_played_on_another_is_one_line(breakout, tmp_path):
    assert "plays breakout; it cannot play pong" in one_line_error(
        runner.invoke(app, ["evaluate", str(breakout), "--env", "ALE/Pong-v5"]))
    assert "it cannot go on training on pong" in one_line_error(
        runner.invoke(app, ["train", "--resume", str(breakout), "--game", "pong", "-o", str(tmp_path / "p.p")]))
    assert "unknown game 'brekout'" in one_line_error(runner.invoke(app, ["train", "--game", "brekout"]))
    assert "--input diff does not match" in one_line_error(
        runner.invoke(app, ["train", "--resume", str(breakout), "--input", "diff", "-o", str(tmp_path / "q.p")]))

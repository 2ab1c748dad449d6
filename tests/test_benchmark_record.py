"""`pgcli benchmark DIR --record`: the suite's agents, each game's first seed with a checkpoint, playing
the real games side by side in one GIF, each tile under its run's name and score."""

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.benchmark.suite import run_suite
from pgcli.benchmark.record import CAPTION, TILE, grid
from pgcli.commands.record import PANEL_BG
from test_benchmark import counting_train, suite_in


def test_games_sit_in_rows_of_four_and_the_last_row_is_left_blank():
    frames, places = grid(5, steps=2)
    assert frames.shape == (2, 2 * TILE[0], 4 * TILE[1], 3) and (frames == PANEL_BG).all()
    for i, (rows, cols) in enumerate(places):
        frames[:, rows, cols] = 10 * (i + 1)
    assert (frames[:, :TILE[0], 3 * TILE[1]:] == 40).all() and (frames[:, TILE[0]:, :TILE[1]] == 50).all()  # 4th; 5th below the 1st
    assert (frames[:, TILE[0]:, TILE[1]:] == PANEL_BG).all()  # the rest of the last row stays blank
    assert grid(2, steps=1)[0].shape == (1, TILE[0], 2 * TILE[1], 3)  # two games: one row of two


@pytest.mark.ale
def test_the_suite_records_each_games_first_seed_with_a_checkpoint(tmp_path, fake_eval):
    import imageio.v3 as iio

    from pgcli.base.envs import env_settings, make_single_env

    folder = tmp_path / "suite"
    run_suite(folder, suite_in(folder, seeds=(2, 3)), counting_train([]))
    (folder / "pong-s2.p").unlink()  # Pong's seed 3 plays; Boxing's seed 2
    gif = tmp_path / "suite.gif"
    r = CliRunner().invoke(app, ["benchmark", str(folder), "--record", str(gif), "--record-steps", "6"])
    assert r.exit_code == 0, r.stderr
    assert "playing pong (seed 3)" in r.stdout and "playing boxing (seed 2)" in r.stdout
    frames = iio.imread(gif)
    assert frames.shape == (6, CAPTION + 210, 2 * 160, 3)
    env = make_single_env(env_settings("ALE/Pong-v5", 0.25))
    first, _ = env.reset(seed=0)
    env.close()
    pong_screen = frames[0, CAPTION:, :160].astype(int)
    assert np.abs(pong_screen - first).mean() < 3  # the real game's first screen (a GIF's palette aside)
    assert np.abs(frames[0, CAPTION:, 160:].astype(int) - first).mean() > 20  # Boxing beside it
    caption = frames[0, :CAPTION, :160]
    assert (caption != PANEL_BG).any(axis=-1).sum() > 50  # its caption is written


@pytest.mark.ale
def test_recording_mistakes_are_one_line(tmp_path, fake_eval):
    runner = CliRunner()
    r = runner.invoke(app, ["benchmark", str(tmp_path / "none"), "--record", str(tmp_path / "x.gif")])
    assert r.exit_code == 1 and "no benchmark suite here" in r.stderr and r.stderr.count("\n") == 1
    folder = tmp_path / "suite"
    run_suite(folder, suite_in(folder, games=("pong",)), counting_train([]))
    r = runner.invoke(app, ["benchmark", str(folder), "--record", str(tmp_path / "x.png")])
    assert r.exit_code == 1 and ".gif or .mp4" in r.stderr and r.stderr.count("\n") == 1 and "playing" not in r.stdout
    r = runner.invoke(app, ["benchmark", str(folder), "--record", str(tmp_path / "x.gif"), "--record-steps", "1801"])
    assert r.exit_code == 1 and "at most 1,800" in r.stderr and r.stderr.count("\n") == 1 and "playing" not in r.stdout
    (folder / "pong-s1.p").unlink()  # a folder kept in git: metrics and evaluations, no agents
    r = runner.invoke(app, ["benchmark", str(folder), "--record", str(tmp_path / "x.gif")])
    assert r.exit_code == 1 and "no agents to record" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "x.gif").exists()

"""play, evaluate, record and weights, in-process against the real emulator (short games)."""

import json
import os

import imageio.v3 as iio
import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli.files import checkpoint
from pgcli.files.checkpoint import Checkpoint
from pgcli.cli import app
from pgcli.base.config import Config
from pgcli.base.envs import env_settings
from pickles import karpathy_py2

runner = CliRunner()
pytestmark = pytest.mark.ale


@pytest.fixture(scope="module")
def agent_file(tmp_path_factory):
    """An untrained agent, saved the way `pgcli train` saves one."""
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("agent") / "save.p"
    arrays = {"W1": rng.standard_normal((200, 6400)) / 80, "W2": rng.standard_normal(200) / 14}
    checkpoint.save(path, Checkpoint(Config(), env_settings("ALE/Pong-v5").to_dict(), arrays, {"episode": 20}))
    return path


def one_line_error(r, code=1):
    assert r.exit_code == code, (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("pgcli: error:"), r.stderr
    return r.stderr


def test_play_headless_prints_points_and_final_score(agent_file):
    r = runner.invoke(app, ["play", str(agent_file), "--seed", "1"])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    points = [l for l in lines if "point to" in l]
    final = lines[-1]
    assert final.startswith("game 1: final score agent")
    won, lost = (int(v) for v in final.split("agent ")[1].split(" AI")[0].split(" : "))
    assert len(points) == won + lost and max(won, lost) == 21


def test_play_render_without_display_offers_terminal(agent_file, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    err = one_line_error(runner.invoke(app, ["play", str(agent_file), "--render"]))
    assert "no display" in err and "--terminal" in err


def test_play_terminal_view_draws_the_game(agent_file, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)  # no real-time pacing in tests
    r = runner.invoke(app, ["play", str(agent_file), "--terminal"])
    assert r.exit_code == 0, r.stderr
    assert "▀" in r.stdout and "agent" in r.stdout and "final score" in r.stdout


def test_evaluate_json_schema_and_reproducible(agent_file):
    args = ["evaluate", str(agent_file), "-n", "3", "--seed", "4", "--json"]
    a, b = runner.invoke(app, args), runner.invoke(app, args)
    assert a.exit_code == 0, a.stderr
    res = json.loads(a.stdout)
    for key, typ in [("episodes", int), ("mean_reward", float), ("std_reward", float), ("points_won", int),
                     ("points_lost", int), ("games_won", int), ("mean_episode_steps", float),
                     ("steps_per_second", float), ("rewards", list), ("env_id", str), ("greedy", bool)]:
        assert isinstance(res[key], typ), key
    assert res["episodes"] == len(res["rewards"]) == 3
    assert res["points_won"] - res["points_lost"] == sum(res["rewards"])
    assert np.isclose(res["mean_reward"], np.mean(res["rewards"]))
    r2 = json.loads(b.stdout)
    assert res["rewards"] == r2["rewards"]  # same seed, same games
    assert res["sticky_actions"] == 0.25  # what the agent trained with, unless overridden:
    r3 = json.loads(runner.invoke(app, args + ["--sticky-actions", "0"]).stdout)
    assert r3["sticky_actions"] == 0.0


def test_evaluate_text_report(agent_file):
    r = runner.invoke(app, ["evaluate", str(agent_file), "-n", "2", "--greedy"])
    assert r.exit_code == 0, r.stderr
    assert "mean reward" in r.stdout and "games won" in r.stdout and "greedy" in r.stdout


def test_record_gif_frames_and_size(agent_file, tmp_path):
    out = tmp_path / "pong.gif"
    r = runner.invoke(app, ["record", str(agent_file), "-o", str(out), "--max-frames", "12", "--scale", "1"])
    assert r.exit_code == 0, r.stderr
    from PIL import Image

    total_ms = 0
    with Image.open(out) as im:  # identical consecutive frames are merged, their times added
        for i in range(im.n_frames):
            im.seek(i)
            total_ms += im.info["duration"]
    assert total_ms == 12 * 70  # 12 frames at 60/4 = 15 fps, stored as 70 ms each
    frames = iio.imread(out, index=None)
    assert frames.shape[1:] == (210, 160, 3) and frames.shape[0] <= 12
    assert "12 frames" in r.stdout
    out2 = tmp_path / "eye.gif"
    r = runner.invoke(app, ["record", str(agent_file), "-o", str(out2), "--max-frames", "5", "--scale", "2", "--show-input"])
    assert r.exit_code == 0, r.stderr
    frames = iio.imread(out2, index=None)
    assert frames.shape[0] == 5 and frames.shape[1] == 420 and frames.shape[2] > 320  # game + input panel


@pytest.mark.parametrize("name, message", [("pong.avi", "unsupported output format"),
                                           ("nodir/pong.gif", "no such directory"),
                                           ("pong.mp4", "pgcli[mp4]")])
def test_record_bad_output_leaves_nothing(agent_file, tmp_path, name, message):
    pytest.importorskip("PIL")
    if name.endswith(".mp4"):
        try:
            import imageio_ffmpeg  # noqa: F401
            pytest.skip("ffmpeg plugin installed")
        except ImportError:
            pass
    err = one_line_error(runner.invoke(app, ["record", str(agent_file), "-o", str(tmp_path / name)]))
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_weights_png_size(agent_file, tmp_path):
    out = tmp_path / "w1.png"
    r = runner.invoke(app, ["weights", str(agent_file), "-o", str(out), "--neurons", "12", "--cols", "4", "--scale", "1"])
    assert r.exit_code == 0, r.stderr
    img = iio.imread(out)
    assert img.shape == (3 * 82 + 2, 4 * 82 + 2, 3)
    out = tmp_path / "all.png"
    assert runner.invoke(app, ["visualize-weights", str(agent_file), "-o", str(out), "--neurons", "all"]).exit_code == 0
    assert iio.imread(out).shape == ((20 * 82 + 2) * 2, (10 * 82 + 2) * 2, 3)


def test_weights_tile_is_the_neuron(tmp_path):
    W1 = np.zeros((2, 6400))
    W1[0, 0], W1[0, 1] = 1.0, -1.0  # neuron 0: one white and one black pixel
    path = tmp_path / "k.p"
    path.write_bytes(karpathy_py2(W1, np.zeros(2)))
    out = tmp_path / "w.png"
    assert runner.invoke(app, ["weights", str(path), "-o", str(out), "--scale", "1"]).exit_code == 0
    img = iio.imread(out)[..., 0]
    assert img[2, 2] == 255 and img[2, 3] == 0 and img[2, 4] == 128  # white, black, zero is grey


def test_weights_animation_from_several_checkpoints(agent_file, tmp_path):
    later = tmp_path / "later.p"
    ck = checkpoint.load(agent_file)
    ck.meta["episode"] = 40
    ck.arrays["W1"] = ck.arrays["W1"] * -1
    checkpoint.save(later, ck)
    out = tmp_path / "evolve.gif"
    r = runner.invoke(app, ["weights", str(later), str(agent_file), "-o", str(out), "--neurons", "4"])
    assert r.exit_code == 0, r.stderr
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 2 and "2 frames" in r.stdout
    err = one_line_error(runner.invoke(app, ["weights", str(later), str(agent_file), "-o", str(tmp_path / "x.png")]))
    assert "use .gif" in err


def test_commands_refuse_wrong_input_size(tmp_path):
    path = tmp_path / "small.p"
    import pickle

    path.write_bytes(pickle.dumps({"W1": np.zeros((200, 100)), "W2": np.zeros(200)}, protocol=2))
    for cmd in (["play"], ["evaluate"], ["record"], ["weights"]):
        err = one_line_error(runner.invoke(app, [*cmd, str(path)]))
        assert "6400" in err


@pytest.mark.parametrize("cmd", ["play", "evaluate", "record"])
def test_episodes_zero_is_a_usage_error(agent_file, cmd):
    r = runner.invoke(app, [cmd, str(agent_file), "--episodes", "0"])
    assert r.exit_code == 2 and "--episodes" in r.stderr


@pytest.mark.parametrize("cmd", ["play", "evaluate", "record", "weights"])
def test_missing_checkpoint(tmp_path, cmd):
    err = one_line_error(runner.invoke(app, [cmd, str(tmp_path / "nope.p")]))
    assert "no such file" in err


def test_karpathy_file_plays_on_pong_v0(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "save.p"
    path.write_bytes(karpathy_py2(rng.standard_normal((200, 6400)) / 80, rng.standard_normal(200) / 14))
    r = runner.invoke(app, ["evaluate", str(path), "-n", "1", "--json"])
    assert r.exit_code == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["env_id"] == "Pong-v0" and len(res["rewards"]) == 1  # Karpathy's 2016 setup


def test_terminal_view_never_drops_the_ball():
    from pgcli.commands.watch import frame_to_text

    frame = np.zeros((210, 160, 3), np.uint8)
    frame[..., 0], frame[..., 1], frame[..., 2] = 144, 72, 17
    frame[101:105, 77:79] = 236  # a 2x4 ball at an odd column, as Pong draws it
    text = frame_to_text(frame)
    assert len(text.plain.splitlines()) == 40 and all(len(l) == 80 for l in text.plain.splitlines())
    assert any("rgb(236,236,236)" in str(span.style) for span in text.spans)


CANNOT_MAKE_FILES_HERE = "/proc"  # no file can be created there, not even by root


@pytest.mark.skipif(not os.path.isdir(CANNOT_MAKE_FILES_HERE), reason="needs Linux's /proc")
@pytest.mark.parametrize("args", [["weights", "{agent}", "-o", "/proc/w.png", "--neurons", "4"],
                                  ["record", "{agent}", "-o", "/proc/pong.gif", "--max-frames", "4"]])
def test_an_output_that_cannot_be_written_is_one_line(agent_file, args):
    """As a user runs it (a process of its own): the one line, and nothing more at exit (imageio's
    writers used to retry a failed file when collected, printing a traceback after the line)."""
    import subprocess
    import sys

    pytest.importorskip("PIL")
    r = subprocess.run([sys.executable, "-m", "pgcli", *[a.format(agent=agent_file) for a in args]],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"pgcli: error: {args[3]}: cannot write")

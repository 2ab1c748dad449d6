"""`pgcli train` in-process: exit codes, stdout and stderr checked separately."""

import numpy as np
import pytest
from typer.testing import CliRunner

from pgcli import __version__
from pgcli.cli import app
from pgcli.files import checkpoint

runner = CliRunner()


def test_version_and_help_list_commands():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"pgcli {__version__}"
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("train",):
        assert cmd in r.stdout


def test_train_writes_checkpoint_and_metrics(tmp_path, fake_env):
    out = tmp_path / "save.p"
    r = runner.invoke(app, ["train", "--episodes", "6", "--batch-size", "2", "--num-envs", "2", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert f"saved {out} after episode 6" in r.stdout
    assert "learned from " in r.stdout and "% of the " in r.stdout
    ck = checkpoint.load(out)
    assert ck.episode == 6 and ck.meta["updates"] == 3 and ck.config.batch_size == 2
    assert ck.env["env_id"] == "ALE/Pong-v5" and ck.env["frameskip"] == 4
    assert ck.env["repeat_action_probability"] == 0.25
    rows = (tmp_path / "save.metrics.csv").read_text().splitlines()
    assert rows[0].startswith("episode,steps,reward,running_reward") and len(rows) == 7
    assert all(e.closed for e in fake_env)


def test_resume_continues_episode_count_and_keeps_config(tmp_path, fake_env):
    out = tmp_path / "save.p"
    assert runner.invoke(app, ["train", "--episodes", "4", "--lr", "0.002", "-o", str(out)]).exit_code == 0
    r = runner.invoke(app, ["train", "--episodes", "4", "--resume", str(out), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    ck = checkpoint.load(out)
    assert ck.episode == 8 and ck.config.learning_rate == 0.002


def test_fast_is_gone_with_one_line(tmp_path):
    r = runner.invoke(app, ["train", "--fast", "--episodes", "2", "-o", str(tmp_path / "save.p")])
    assert r.exit_code == 2 and "No such option: --fast" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args, message, code", [
    (["--batch-size", "0"], "--batch-size", 2),
    (["--lr", "-1"], "learning rate must be > 0", 1),
    (["--gamma", "1.5"], "gamma must be in (0, 1]", 1),
    (["--gamma", "0"], "gamma must be in (0, 1]", 1),
    (["--env", "NoSuchGame-v9"], "unknown env id", 1),
    (["--game", "brekout"], "unknown game", 1),
    (["--input", "frame"], "input must be", 1),
    (["--optimizer", "sgd"], "optimizer must be one of", 1),
    (["--resume", "missing.p"], "no such file", 1),
    (["--episodes", "0"], "--episodes", 2),
    (["--save-every", "0"], "--save-every", 2),
])
def test_bad_flags_give_one_line_and_nonzero_exit(tmp_path, fake_env, args, message, code):
    r = runner.invoke(app, ["train", "-o", str(tmp_path / "s.p"), *args])
    assert r.exit_code == code
    assert r.stdout == ""
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_corrupt_resume_file(tmp_path, fake_env):
    bad = tmp_path / "bad.p"
    bad.write_bytes(b"PGCLI-CKPT\ngarbage")
    r = runner.invoke(app, ["train", "--resume", str(bad), "-o", str(tmp_path / "s.p")])
    assert r.exit_code == 1 and "not a valid pgcli checkpoint" in r.stderr


def test_resume_from_karpathy_save_p(tmp_path, fake_env):
    from pickles import karpathy_py2

    rng = np.random.default_rng(0)
    (tmp_path / "k.p").write_bytes(karpathy_py2(rng.standard_normal((200, 6400)) / 80, rng.standard_normal(200) / 14))
    r = runner.invoke(app, ["train", "--resume", str(tmp_path / "k.p"), "--episodes", "2", "-o", str(tmp_path / "s.p")])
    assert r.exit_code == 0, r.stderr
    assert "fresh optimizer state" in r.stderr
    assert checkpoint.load(tmp_path / "s.p").episode == 2


@pytest.mark.ale
def test_real_ale_pong_episode_end_to_end(tmp_path):
    out = tmp_path / "save.p"
    r = runner.invoke(app, ["train", "--episodes", "1", "--num-envs", "2", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    ck = checkpoint.load(out)
    assert ck.episode == 1 and ck.meta["steps"] > 500  # a real game of Pong is hundreds of steps
    row = (tmp_path / "save.metrics.csv").read_text().splitlines()[1].split(",")
    assert row[0] == "1" and -21 <= float(row[2]) <= 21 and int(row[5]) + int(row[4]) >= 21


def test_export_weights_and_karpathy_roundtrip(tmp_path, fake_env):
    out = tmp_path / "save.p"
    assert runner.invoke(app, ["train", "--episodes", "4", "-o", str(out)]).exit_code == 0
    full = checkpoint.load(out)
    r = runner.invoke(app, ["export", str(out), "-o", str(tmp_path / "agent.p")])
    assert r.exit_code == 0, r.stderr
    small = checkpoint.load(tmp_path / "agent.p")
    assert set(small.arrays) == {"W1", "W2"} and small.episode == 4 and small.config == full.config
    assert (tmp_path / "agent.p").stat().st_size < out.stat().st_size / 7  # float32, no optimizer state
    np.testing.assert_allclose(small.model["W1"], full.model["W1"], rtol=1e-6)
    r = runner.invoke(app, ["export", str(out), "--float16", "-o", str(tmp_path / "half.p")])
    assert r.exit_code == 0, r.stderr
    half = checkpoint.load(tmp_path / "half.p")
    assert (tmp_path / "half.p").stat().st_size < 0.6 * (tmp_path / "agent.p").stat().st_size
    np.testing.assert_allclose(half.model["W1"], full.model["W1"], rtol=1e-3, atol=1e-7)
    assert "choose one of --float16, --float32 and --float64" in runner.invoke(
        app, ["export", str(out), "--float16", "--float64", "-o", str(tmp_path / "x.p")]).stderr
    r = runner.invoke(app, ["export", str(out), "--karpathy", "-o", str(tmp_path / "k.p")])
    assert r.exit_code == 0, r.stderr
    k = checkpoint.load(tmp_path / "k.p")
    assert k.source == "karpathy" and np.array_equal(k.model["W1"], full.model["W1"])
    # an exported agent can be trained further (fresh optimizer state)
    r = runner.invoke(app, ["train", "--resume", str(tmp_path / "agent.p"), "--episodes", "2", "-o", str(tmp_path / "more.p")])
    assert r.exit_code == 0 and checkpoint.load(tmp_path / "more.p").episode == 6


@pytest.mark.ale
def test_default_learns_with_adam_and_ppo_gets_its_own_learning_rate(tmp_path, fake_env):
    assert runner.invoke(app, ["train", "--episodes", "2", "-o", str(tmp_path / "a.p")]).exit_code == 0
    cfg = checkpoint.load(tmp_path / "a.p").config
    assert (cfg.algo, cfg.optimizer, cfg.learning_rate, cfg.batch_size) == ("reinforce", "adam", 1e-3, 10)
    r = runner.invoke(app, ["train", "--algo", "ppo", "--episodes", "4", "--num-envs", "2", "--rollout-steps", "16",
                            "-o", str(tmp_path / "p.p")])
    assert r.exit_code == 0, r.stderr
    assert "KL " in r.stdout and "entropy" in r.stdout  # the progress line shows PPO's update statistics
    ck = checkpoint.load(tmp_path / "p.p")
    assert (ck.config.algo, ck.config.learning_rate) == ("ppo", 5e-4)
    assert {"Wv", "bv", "m_W1", "v_Wv"} <= set(ck.arrays)


def test_render_does_not_change_the_saved_config(tmp_path, fake_env, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")
    out = tmp_path / "s.p"
    r = runner.invoke(app, ["train", "--render", "--episodes", "1", "--num-envs", "8", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert fake_env[0].num_envs == 1  # one game in the window
    assert checkpoint.load(out).config.num_envs == 8  # but the run's setting is kept for later resumes


@pytest.mark.ale
def test_tensorboard_writes_scalars_and_the_weight_grid(tmp_path, fake_env):
    pytest.importorskip("tensorboardX")
    import struct

    from tensorboardX.proto.event_pb2 import Event

    def events(path):  # TFRecord: length (8), its crc (4), data, data crc (4)
        data = path.read_bytes()
        while data:
            (n,) = struct.unpack("<Q", data[:8])
            yield Event.FromString(data[12 : 12 + n])
            data = data[16 + n :]

    logdir = tmp_path / "tb"
    r = runner.invoke(app, ["train", "--algo", "ppo", "--episodes", "30", "--num-envs", "2", "--rollout-steps", "15",
                            "--hidden", "8", "--tensorboard", str(logdir), "-o", str(tmp_path / "s.p")])
    assert r.exit_code == 0, r.stderr
    tags, images = {}, 0
    for f in logdir.iterdir():
        for ev in events(f):
            for v in ev.summary.value:
                if v.HasField("image"):
                    images += 1
                else:
                    tags.setdefault(v.tag, []).append(v.simple_value)
    assert len(tags["episode/running_reward"]) == 30
    assert tags["episode/reward"][0] == pytest.approx(float((tmp_path / "s.metrics.csv").read_text().splitlines()[1].split(",")[2]))
    for k in ("update/value_loss", "update/approx_kl", "update/clip_frac", "update/entropy", "speed/agent_steps_per_s"):
        assert k in tags, k
    assert images >= 1


def test_sticky_actions_are_saved_resumed_and_overridable(tmp_path, fake_env):
    out = tmp_path / "save.p"
    r = runner.invoke(app, ["train", "--episodes", "2", "--num-envs", "2", "--sticky-actions", "0", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    ck = checkpoint.load(out)
    assert ck.config.sticky_actions == 0.0 and ck.env["repeat_action_probability"] == 0.0
    assert runner.invoke(app, ["train", "--episodes", "2", "--resume", str(out), "-o", str(out)]).exit_code == 0
    ck = checkpoint.load(out)
    assert ck.config.sticky_actions == 0.0 and ck.env["repeat_action_probability"] == 0.0
    from pgcli.files.agents import load_agent

    assert load_agent(out).settings.repeat_action_probability == 0.0
    assert load_agent(out, sticky_actions=0.25).settings.repeat_action_probability == 0.25
    r = runner.invoke(app, ["train", "--episodes", "2", "--sticky-actions", "1.5", "-o", str(tmp_path / "x.p")])
    assert r.exit_code == 2 and "--sticky-actions" in r.stderr and "Traceback" not in r.stderr

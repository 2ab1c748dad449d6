"""A run's first hour as a user lives it: a second run never destroys the first, a stop is not an
error, no lock file is left behind, the run says what it trains and its first rate is real."""

import csv
import io

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.cli.progress import TrainProgress
from pgcli.core.trainer import Counters, EpisodeStats
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pickles import karpathy_py2

runner = CliRunner()


def train(*args):
    return runner.invoke(app, ["train", "--num-envs", "2", "--hidden", "8", *args])


def test_a_new_run_refuses_to_replace_another_runs_checkpoint(tmp_path, fake_env):
    out, metrics = tmp_path / "save.p", tmp_path / "save.metrics.csv"
    assert train("--episodes", "3", "-o", str(out)).exit_code == 0
    before = out.read_bytes(), metrics.read_bytes()
    r = train("--episodes", "3", "--algo", "ppo", "-o", str(out))
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert f"{out} holds another run" in r.stderr
    assert f"--resume {out}" in r.stderr and "another -o" in r.stderr and "--overwrite" in r.stderr
    assert (out.read_bytes(), metrics.read_bytes()) == before  # nothing of the first run was touched
    assert not (tmp_path / "save.p.lock").exists()


def test_a_metrics_file_without_its_checkpoint_is_not_appended_to(tmp_path, fake_env):
    (tmp_path / "save.metrics.csv").write_text("episode,steps\n1,800\n")
    r = train("--episodes", "2", "-o", str(tmp_path / "save.p"))
    assert r.exit_code == 1 and "save.metrics.csv holds another run" in r.stderr
    assert "--resume" not in r.stderr  # there is no checkpoint to continue
    assert (tmp_path / "save.metrics.csv").read_text() == "episode,steps\n1,800\n"


def test_overwrite_replaces_the_run_and_its_metrics_hold_one_run(tmp_path, fake_env):
    out = tmp_path / "save.p"
    assert train("--episodes", "4", "-o", str(out)).exit_code == 0
    r = train("--episodes", "3", "--seed", "5", "-o", str(out), "--overwrite")
    assert r.exit_code == 0, r.stderr
    assert checkpoint.load(out).config.seed == 5 and checkpoint.load(out).episode == 3
    rows = (tmp_path / "save.metrics.csv").read_text().splitlines()
    assert rows[0].startswith("episode,") and rows.count(rows[0]) == 1
    episodes = [int(row.split(",")[0]) for row in rows[1:] if row.endswith(",0")]  # not the stop's cut rows
    assert episodes == [1, 2, 3]


def test_resume_writes_to_the_checkpoint_it_continues_by_default(tmp_path, fake_env, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run.p"
    assert train("--episodes", "3", "-o", str(out)).exit_code == 0
    r = train("--episodes", "2", "--resume", str(out))
    assert r.exit_code == 0, r.stderr
    assert checkpoint.load(out).episode == 5 and not (tmp_path / "save.p").exists()
    # resuming into another file that holds a run is refused like a new run
    assert train("--episodes", "1", "-o", str(tmp_path / "other.p")).exit_code == 0
    r = train("--episodes", "1", "--resume", str(out), "-o", str(tmp_path / "other.p"))
    assert r.exit_code == 1 and "other.p holds another run" in r.stderr and "--resume" not in r.stderr


def test_karpathys_file_is_not_replaced_by_a_pgcli_checkpoint(tmp_path, fake_env):
    rng = np.random.default_rng(0)
    ks = tmp_path / "save.p"
    ks.write_bytes(karpathy_py2(rng.standard_normal((200, 6400)) / 80, rng.standard_normal(200) / 14))
    before = ks.read_bytes()
    r = runner.invoke(app, ["train", "--num-envs", "2", "--episodes", "1", "--resume", str(ks), "-o", str(ks)])
    assert r.exit_code == 1 and "would replace this karpathy file" in r.stderr
    assert ks.read_bytes() == before


def test_a_stale_lock_file_blocks_nothing_and_a_run_leaves_none(tmp_path, fake_env):
    out = tmp_path / "save.p"
    (tmp_path / "save.p.lock").write_bytes(b"")  # left by a run that was killed
    assert train("--episodes", "2", "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["save.metrics.csv", "save.p"]


@pytest.mark.ale
def test_the_first_line_says_what_the_run_trains(tmp_path, fake_env):
    out = tmp_path / "a.p"
    r = train("--episodes", "2", "--algo", "ppo", "--rollout-steps", "8", "--sticky-actions", "0", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first == (f"training PPO with NOOP, DOWN and UP on ALE/Pong-v5 (exact controls); input 80x80 difference "
                     f"frames + the current frame without its scenery + the previous action, 8 hidden units; Adam lr "
                     f"0.0005; 2 games side by side; saving to {out}")
    r = train("--episodes", "2", "--resume", str(out))
    assert r.stdout.splitlines()[0].endswith(f"saving to {out}; continuing {out} from episode 2")
    r = train("--episodes", "1", "--resume", str(out), "--trust-region", "start")
    assert r.stdout.startswith("training PPO with NOOP, DOWN and UP, its trust region centred on each update's "
                               "start on ALE/Pong-v5")
    r = train("--episodes", "1", "--preset", "karpathy", "-o", str(tmp_path / "k.p"))
    assert r.stdout.startswith("training REINFORCE on Pong-v0 (sticky actions 0.25); input 80x80 difference "
                               "frames, 8 hidden units; RMSProp lr 0.0001; 2 games side by side")


def test_the_first_progress_line_measures_its_rate_from_the_start_of_the_run():
    buf = io.StringIO()
    prog = TrainProgress(total=1, console=Console(file=buf, force_terminal=False))
    prog.started(Counters(episode=2005, steps=9_000_000, seconds=4900.0), "training ...")
    prog.episode(EpisodeStats(2006, 4913, 21.0, 19.86, 21, 0, 4902.0, 9_004_913, 80))
    line = buf.getvalue().splitlines()[-1]
    assert line.startswith("episode 2006: reward +21 (21-0), running reward 19.86, 2456 steps/s")


def test_bench_says_the_settings_it_plays(monkeypatch):
    seen = {}

    def fake_run(cfg, *a, **kw):
        seen["cfg"] = cfg
        raise PgcliError("stop here")

    monkeypatch.setattr("pgcli.commands.bench.run", fake_run)
    r = runner.invoke(app, ["bench", "--sticky-actions", "0", "--seconds", "3"])
    assert r.exit_code == 1 and "stop here" in r.stderr
    assert "ALE/Pong-v5 (frameskip 4, sticky actions 0)" in r.stdout
    assert seen["cfg"].sticky_actions == 0


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_snapshots_keep_the_agent_at_each_mark_and_change_nothing(tmp_path, fake_env, algo):
    from pgcli.files.agents import load_agent
    from pgcli.commands.train import Budget, Hooks, Saving, train as run
    from pgcli.files.run_files import snapshot_path

    cfg = {"seed": 4, "num_envs": 4, "hidden": 16, **({"algo": "ppo", "rollout_steps": 15} if algo == "ppo" else {})}
    events: list[str] = []
    a = run(cfg, tmp_path / "a.p", Budget(steps=1000), saving=Saving(every=1000, snapshot_every=500),
            hooks=Hooks(on_event=events.append))
    b = run(cfg, tmp_path / "b.p", Budget(steps=1000), saving=Saving(every=1000))
    # training goes on exactly as without them: the same metrics, the same final weights
    game = ("episode", "steps", "reward", "running_reward", "won", "lost", "total_steps", "cut")
    rows = [[[r[k] for k in game] for r in csv.DictReader(open(tmp_path / f"{n}.metrics.csv"))]
            for n in "ab"]  # the games (the wall clock, and which update a row saw last, vary)
    assert rows[0] == rows[1] and len(rows[0]) > 10
    assert np.array_equal(checkpoint.load(a.output).model["W1"], checkpoint.load(b.output).model["W1"])
    snaps = sorted(tmp_path.glob("a.*.p"))
    assert [p.name for p in snaps] == ["a.1k.p", "a.500.p"]
    for mark in (500, 1000):
        snap = checkpoint.load(snapshot_path(a.output, mark))
        assert mark <= snap.meta["steps"] < mark + 200  # taken at the first finished game past the mark
        assert set(snap.arrays) <= {"W1", "W2", "b1", "b2", "Wv", "bv", "pixel_use"}  # weights only
        assert snap.meta["exported_from"] == "pgcli"
        agent = load_agent(snapshot_path(a.output, mark))  # what play, record and evaluate read
        assert agent.policy.params["W1"].shape[0] == 16 and agent.episode == snap.episode > 0
        assert any(str(snapshot_path(a.output, mark)) in e for e in events)
    later = run({}, a.output, Budget(steps=500), resume=a.output,
                saving=Saving(snapshot_every=500))  # resumed: the next mark
    assert snapshot_path(a.output, 1500).exists() and later.steps >= 1500
    with pytest.raises(PgcliError, match="snapshot every"):
        run(cfg, tmp_path / "c.p", Budget(steps=10), saving=Saving(snapshot_every=0))
    r = train("--steps", "300", "--snapshot-every", "200", "-o", str(tmp_path / "cli.p"))  # the flag
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cli.200.p").exists()


def test_a_snapshot_that_cannot_be_written_is_reported_and_training_goes_on(tmp_path, fake_env, monkeypatch):
    from pgcli.commands.train import Budget, Hooks, Saving, train as run

    real = checkpoint.save

    def full_disk(path, ckpt):
        if ".500." in path.name or path.name.endswith(".500.p"):
            raise OSError(28, "No space left on device")
        return real(path, ckpt)

    monkeypatch.setattr(checkpoint, "save", full_disk)
    events: list[str] = []
    r = run({"num_envs": 4, "hidden": 16}, tmp_path / "a.p", Budget(steps=700), saving=Saving(snapshot_every=500),
            hooks=Hooks(on_event=events.append))
    assert r.steps >= 700 and checkpoint.load(r.output).meta["steps"] == r.steps  # the run and its checkpoint
    assert any("could not write the snapshot" in e and "No space left on device" in e for e in events)
    assert not (tmp_path / "a.500.p").exists()

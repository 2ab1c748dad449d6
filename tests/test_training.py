"""Training proven, not assumed: it learns a small task, and runs are exactly reproducible."""

import csv
import shutil

import numpy as np
import pytest

from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.commands.train import Budget, Hooks, Saving, train

from golden_runs import FAST, PPO  # the small runs these tests train (tests/golden_runs.py)


def test_engine_learns_fake_pong(tmp_path, fake_env):
    rewards = []
    train(FAST, tmp_path / "s.p", Budget(episodes=400), saving=Saving(every=400),
          hooks=Hooks(on_episode=lambda st: rewards.append(st.reward)))
    first, last = np.mean(rewards[:40]), np.mean(rewards[-40:])
    # chance is 0 (each of 10 points is a coin flip); a learned policy gets close to +10
    assert abs(first) < 4
    assert last > 5, (first, last)  # 10 standard errors above chance


def test_same_seed_same_weights(tmp_path, fake_env):
    a = train({**FAST, "seed": 7}, tmp_path / "a.p", Budget(episodes=24), saving=Saving(every=8))
    b = train({**FAST, "seed": 7}, tmp_path / "b.p", Budget(episodes=24), saving=Saving(every=8))
    c = train({**FAST, "seed": 8}, tmp_path / "c.p", Budget(episodes=24), saving=Saving(every=8))
    wa, wb, wc = (checkpoint.load(r.output).model["W1"] for r in (a, b, c))
    assert np.array_equal(wa, wb)
    assert not np.array_equal(wa, wc)


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_resume_from_a_checkpoint_is_deterministic(tmp_path, fake_env, algo):
    cfg = {**(FAST if algo == "reinforce" else PPO), "batch_size": 3, "seed": 5}  # a partial batch is saved
    train(cfg, tmp_path / "half.p", Budget(episodes=10), saving=Saving(every=10))
    shutil.copy(tmp_path / "half.p", tmp_path / "again.p")
    a = train({}, tmp_path / "half.p", Budget(episodes=10), resume=tmp_path / "half.p", saving=Saving(every=10))
    b = train({}, tmp_path / "again.p", Budget(episodes=10), resume=tmp_path / "again.p", saving=Saving(every=10))
    x, y = checkpoint.load(a.output), checkpoint.load(b.output)
    assert x.episode == y.episode == 20 and x.arrays.keys() == y.arrays.keys()
    for k in x.arrays:
        assert np.array_equal(x.arrays[k], y.arrays[k]), k
    assert {**x.meta, "seconds": 0} == {**y.meta, "seconds": 0}  # all but the wall clock
    rows = list(csv.DictReader(open(tmp_path / "half.metrics.csv")))
    assert [int(r["episode"]) for r in rows if r["cut"] == "0"] == list(range(1, 21))
    assert {r["episode"] for r in rows if r["cut"] == "1"} <= {"10", "20"}  # the two stops' cut games


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_no_step_is_dropped_at_a_checkpoint(tmp_path, fake_env, algo):
    """The games go on through periodic saves; at the stop, each game in flight loses only what
    no gradient took (REINFORCE: its unfinished point; PPO: its steps after the last batch), and
    the metrics CSV accounts for every learned step (cut games get a `cut` row)."""
    saves = []
    real_save = checkpoint.save
    out = tmp_path / "s.p"

    def counting_save(path, ck):
        saves.append(ck.episode)
        real_save(path, ck)

    import pgcli.commands.train as train_mod

    train_mod.checkpoint.save = counting_save
    try:
        calls = iter(range(10**6))  # stop 17 steps into the 11th game (30 steps; called once a group-step)
        r = train({**(FAST if algo == "reinforce" else PPO), "num_envs": 4}, out, Budget(stop=lambda: next(calls) >= 2 * (300 + 17)),
                  saving=Saving(every=5))
    finally:
        train_mod.checkpoint.save = real_save
    assert saves[:-1] == list(range(5, 41, 5)) and saves[-1] == 40
    rows = list(csv.DictReader(open(tmp_path / "s.metrics.csv")))
    assert [int(row["episode"]) for row in rows if row["cut"] == "0"] == list(range(1, 41))
    cut = [row for row in rows if row["cut"] == "1"]
    assert len(cut) == 4 and all(row["episode"] == "40" and row["total_steps"] == str(r.steps) for row in cut)
    csv_steps = sum(int(row["steps"]) for row in rows)
    if algo == "reinforce":  # the cut games' 6 points (rewarded at steps 2, 5, ..., 17) went into the buffer
        assert [int(row["steps"]) for row in cut] == [17] * 4 and csv_steps == r.learned_steps
    # 4 FakePong games (30 steps, points of 3): each loses at most a point, or PPO's 15-step tail
    assert r.steps - csv_steps <= 4 * (3 if algo == "reinforce" else 15), (r.steps, csv_steps)


def test_update_every_batch_size_episodes(tmp_path, fake_env):
    seen = []
    train({**FAST, "batch_size": 5}, tmp_path / "u.p", Budget(episodes=12), saving=Saving(every=12),
          hooks=Hooks(on_episode=lambda st: seen.append((st.episode, st.updates))))
    assert [u for _, u in seen] == [e // 5 for e, _ in seen]


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_memory_does_not_grow_with_episodes(algo):
    import tracemalloc

    from fakepong import FakePong
    from pgcli.base.config import Config
    from pgcli.base.run_spec import RunSpec
    from pgcli.core.trainer import Trainer

    cfg = Config(num_envs=4, hidden=32, batch_size=2, algo=algo, rollout_steps=32, minibatches=2)
    trainer = Trainer(RunSpec.of(cfg), FakePong(4, points=40))
    tracemalloc.start()
    try:
        trainer.run(20, lambda st: None)
        first = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        trainer.run(120, lambda st: None)
        later = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert trainer.counters.episode == 120
    assert later <= first * 1.2, (first, later)  # 6x the episodes, no more memory
    assert trainer.peak_step_bytes < 1024


def test_a_stop_keeps_the_points_completed_by_the_games_in_flight(tmp_path, fake_env):
    """REINFORCE learns from the unfinished games' steps up to their last point (returns reset
    at every point); what is left is each game's unfinished point. The gradient waits in the
    checkpoint's buffer (counted as episodes) for the next update."""
    out = tmp_path / "s.p"
    r = train({**FAST, "num_envs": 4, "batch_size": 7}, out, Budget(episodes=9), saving=Saving(every=100))
    rows = list(csv.DictReader(open(tmp_path / "s.metrics.csv")))
    finished = sum(int(row["steps"]) for row in rows if row["cut"] == "0")
    assert r.salvaged_steps == sum(int(row["steps"]) for row in rows if row["cut"] == "1") > 0
    assert r.learned_steps == finished + r.salvaged_steps
    # FakePong's points are 3 steps: each of the 4 games loses at most its unfinished point
    assert r.session_steps - r.learned_steps <= 4 * 3, (r.session_steps, r.learned_steps)
    ck = checkpoint.load(out)
    assert ck.meta["updates"] == 1 and 2 + 3 <= ck.meta["pending"] <= 2 + 4  # 2 episodes + the cut games that scored
    assert np.abs(ck.arrays["grad_W1"]).sum() > 0


def test_reinforce_gradients_beside_the_acting_equal_the_seeds_order():
    """Episode gradients run on the learner thread while the games go on, yet every update and
    every action sees exactly the weights of the synchronous loop (the seed's order)."""
    import threading

    from fakepong import FakePong
    from pgcli.base.config import Config
    from pgcli.base.run_spec import RunSpec
    from pgcli.core.trainer import Trainer

    cfg = Config(**{**FAST, "batch_size": 3, "seed": 11})
    weights, threads = [], []
    for beside in (True, False):
        tr = Trainer(RunSpec.of(cfg), FakePong(4))
        real = tr.algo.accumulate

        def accumulate(real=real, tr=tr):
            if tr.algo.queued:  # (update and the checkpoint call it too, to find nothing left)
                threads.append((beside, threading.current_thread().name))
            real()

        tr.algo.accumulate = accumulate
        if not beside:  # the learner thread's jobs run in the loop itself, as before it existed
            tr._submit = lambda fn, *args, update=False: fn(*args)
        tr.run(20, lambda st: None, on_save=lambda: None, save_every=5)
        assert tr.counters.updates >= 6
        weights.append((tr.policy.params["W1"].copy(), tr.policy.params["W2"].copy()))
    assert {name.split("_")[0] for b, name in threads if b} == {"pgcli-learn"}
    assert {name for b, name in threads if not b} == {"MainThread"}
    assert np.array_equal(weights[0][0], weights[1][0]) and np.array_equal(weights[0][1], weights[1][1])


@pytest.mark.ale
def test_ppo_learns_beside_the_acting_with_one_update_of_lag():
    """In a local run PPO's update runs in a thread while the games go on: batch k+1 is played with
    the weights of update k-1, the acting copies change only at batch boundaries (so a run stays
    deterministic), and a checkpoint never sees an update half done."""
    import threading

    from fakepong import FakePong
    from pgcli.base.config import Config
    from pgcli.base.run_spec import RunSpec
    from pgcli.core.trainer import Trainer

    cfg = Config(algo="ppo", num_envs=4, hidden=16, rollout_steps=8, minibatches=2, learning_rate=3e-3, seed=3)
    runs = []
    for _ in range(2):
        tr = Trainer(RunSpec.of(cfg), FakePong(4))
        learned, acted, saves = [], [], []
        real_learn, real_sync = tr.algo.learn, tr.policy.sync

        def learn(batch, tr=tr, real_learn=real_learn, learned=learned):
            out = real_learn(batch)
            learned.append((threading.current_thread().name, tr.policy.params["W2"].astype(np.float32).reshape(16, -1)))
            return out

        def sync(tr=tr, real_sync=real_sync, acted=acted):
            real_sync()
            acted.append(tr.policy.heads32[:, :-1].copy())  # W2 as the games act with it (the value head last)

        tr.algo.learn, tr.policy.sync = learn, sync
        tr.run(12, lambda st: None, on_save=lambda tr=tr, saves=saves: saves.append(not tr.jobs), save_every=3)
        assert len(learned) >= 4 and all(name.startswith("pgcli-learn") for name, _ in learned)
        assert saves == [True] * 4  # episodes 3, 6, 9, 12
        for k in range(1, len(acted)):  # boundary k acts with the result of update k-1
            assert np.array_equal(acted[k], learned[k - 1][1]), k
        assert tr.counters.updates == len(learned)  # the last one is counted at the stop
        assert tr.learned_steps == tr.counters.updates * 4 * 8  # whole batches only: 4 games x 8 steps
        runs.append(tr.policy.params["W1"].copy())
    assert np.array_equal(*runs)  # same seed, same weights, whatever the threads' timing


def test_an_older_metrics_file_gains_the_cut_column(tmp_path):
    from pgcli.files.metrics import METRICS_FIELDS, trim_metrics

    path = tmp_path / "s.metrics.csv"
    old = METRICS_FIELDS[:-1]  # 0.2.0's header: no `cut`
    path.write_text(",".join(old) + "\n" + "1,30,2.0,2.0,6,4,0.1,120,0,,,,,\n" + "2,30,0.0,1.98,5,5,0.2,240,0,,,,,\n")
    trim_metrics(path, None)  # a new run appending to it
    rows = list(csv.DictReader(open(path)))
    assert list(rows[0]) == METRICS_FIELDS and [r["episode"] for r in rows] == ["1", "2"] and rows[1]["steps"] == "30"
    trim_metrics(path, 1)  # a resume from episode 1
    assert [r["episode"] for r in csv.DictReader(open(path))] == ["1"]


@pytest.mark.ale
@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_an_annealed_learning_rate_stops_moving_the_weights_at_its_horizon(tmp_path, fake_env, algo):
    cfg = {**(FAST if algo == "reinforce" else PPO), "seed": 3, "lr_anneal_steps": 1500}
    a = train(cfg, tmp_path / "a.p", Budget(steps=1600), saving=Saving(every=1000))  # stops at 1,500: lr 0
    b = train({**cfg, "lr_anneal_steps": 0}, tmp_path / "b.p", Budget(steps=1600), saving=Saving(every=1000))
    start = checkpoint.load(train({**cfg, "seed": 3}, tmp_path / "c.p", Budget(steps=1)).output).model["W1"]
    wa, wb = (checkpoint.load(r.output).model["W1"] for r in (a, b))
    assert 1500 <= a.session_steps < 1600
    assert not np.array_equal(wa, start)  # it learned before the horizon
    assert not np.array_equal(wa, wb)  # with a smaller step size than the constant one
    until = train(cfg, tmp_path / "d.p")  # no other stop: the run ends where the rate reaches 0
    assert 1500 <= until.steps < 1500 + 4 * PPO["num_envs"] * 15
    with pytest.raises(PgcliError, match="fell to 0 at agent step 1,500"):
        train({}, a.output, Budget(steps=800), resume=a.output)
    again = train({"lr_anneal_steps": 3000}, a.output, Budget(steps=800), resume=a.output)  # a later horizon
    assert not np.array_equal(checkpoint.load(again.output).model["W1"], wa)


@pytest.mark.ale
def test_ent_anneal_lowers_the_entropy_bonus_with_the_learning_rate(tmp_path, fake_env, monkeypatch):
    from pgcli.algos import ppo

    seen, real = [], ppo.ppo_math.loss_and_grads_sparse
    monkeypatch.setattr(ppo.ppo_math, "loss_and_grads_sparse", lambda *a: (seen.append(a[-2]), real(*a))[1])
    cfg = {**PPO, "seed": 3, "lr_anneal_steps": 1500, "ent_coef": 0.02}
    train({**cfg, "ent_anneal": True}, tmp_path / "a.p", Budget(steps=1600), saving=Saving(every=1000))
    coefs = sorted(set(seen), reverse=True)
    assert len(coefs) >= 10 and coefs[0] < 0.02 and coefs[-1] < 0.002  # falls to ~0 at the horizon
    assert seen == sorted(seen, reverse=True)  # never rises
    seen.clear()
    train(cfg, tmp_path / "b.p", Budget(steps=1600), saving=Saving(every=1000))
    assert set(seen) == {0.02}  # without the flag: the constant bonus
    with pytest.raises(PgcliError, match="give --lr-anneal-steps"):
        train({**cfg, "ent_anneal": True, "lr_anneal_steps": 0}, tmp_path / "c.p", Budget(steps=10))
    with pytest.raises(PgcliError, match="for --algo ppo"):
        train({**FAST, "ent_anneal": True, "lr_anneal_steps": 100}, tmp_path / "d.p", Budget(steps=10))


def test_steps_stops_the_run_after_that_many_more_agent_steps(tmp_path, fake_env):
    first = train(FAST, tmp_path / "s.p", Budget(steps=500))
    assert 500 <= first.session_steps < 500 + 4 * FAST["num_envs"]
    more = train({}, first.output, Budget(steps=300), resume=first.output)
    assert 300 <= more.session_steps < 300 + 4 * FAST["num_envs"]
    assert more.steps == first.steps + more.session_steps


def test_until_reward_stops_the_run_once_the_running_reward_reaches_it(tmp_path, fake_env):
    whole = train(FAST, tmp_path / "w.p", Budget(episodes=40))
    rows = list(csv.DictReader(open(whole.metrics)))
    running = [float(r["running_reward"]) for r in rows if r["cut"] != "1"]
    mark = sorted(running)[len(running) // 2]  # reached midway by the same seed's run
    first = next(i for i, r in enumerate(running) if r >= mark)
    assert first + 1 + FAST["num_envs"] < 40  # so that a run that ignored the mark would fail below
    stopped = train(FAST, tmp_path / "u.p", Budget(episodes=40, until_reward=mark))
    assert stopped.running_reward >= mark
    assert first + 1 <= stopped.episodes < first + 1 + FAST["num_envs"]  # at most the games in flight
    with pytest.raises(PgcliError, match="until reward must be a number"):
        train(FAST, tmp_path / "n.p", Budget(episodes=4, until_reward=float("nan")))

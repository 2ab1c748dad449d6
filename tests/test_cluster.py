"""Rollout workers on a local Ray (2 CPUs): training, checkpoint and resume, and a killed worker."""

import os
import signal

import numpy as np
import pytest

from pgcli.files import checkpoint
from pgcli.commands.train import Budget, Hooks, Saving, Where, train

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ale  # the workers drive the real emulator

SMALL = {"num_envs": 4, "hidden": 16, "batch_size": 2}


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray with a token of its own: Ray would otherwise write one under ~/.ray."""
    import secrets

    saved = {k: os.environ.get(k) for k in ("RAY_AUTH_TOKEN",)}
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield
    finally:
        ray.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("algo", ["reinforce", "ppo"])
def test_two_workers_train_checkpoint_and_resume(tmp_path, local_ray, algo):
    cfg = {**SMALL, "algo": algo, "rollout_steps": 64, "minibatches": 2}
    out = tmp_path / "w.p"
    seen = []
    r = train(cfg, out, Budget(episodes=4), saving=Saving(every=2), where=Where(workers=2),
              hooks=Hooks(on_episode=seen.append))
    assert len(seen[-1].worker_rates) == 2 and all(rate > 0 for rate in seen[-1].worker_rates)
    ck = checkpoint.load(out)
    assert r.episodes == ck.episode == 4 and ck.meta["updates"] >= 1
    rows = [row.split(",") for row in (tmp_path / "w.metrics.csv").read_text().splitlines()[1:]]
    finished = [row for row in rows if row[-1] == "0"]  # the others: games cut by the stop
    assert len(finished) == 4 and all(int(row[4]) + int(row[5]) >= 21 for row in finished)  # whole games
    train({}, out, Budget(episodes=2), resume=out, saving=Saving(every=2), where=Where(workers=2))
    more = checkpoint.load(out)
    assert more.episode == 6 and more.meta["steps"] > ck.meta["steps"]
    assert not np.array_equal(more.model["W1"], ck.model["W1"])  # it kept learning


def test_a_stop_keeps_the_points_the_workers_games_completed(tmp_path, local_ray):
    """As without workers: at the stop, the answers in flight are taken and each worker's games
    give REINFORCE their steps up to their last point (cut rows); only unfinished points are lost."""
    import csv

    out = tmp_path / "s.p"
    r = train({**SMALL}, out, Budget(episodes=2), saving=Saving(every=100), where=Where(workers=2))
    rows = list(csv.DictReader(open(tmp_path / "s.metrics.csv")))
    cut = [row for row in rows if row["cut"] == "1"]
    assert len(rows) - len(cut) == 2 and cut  # two finished episodes, then the games the stop cut
    assert r.salvaged_steps == sum(int(row["steps"]) for row in cut) > 0
    assert r.learned_steps == sum(int(row["steps"]) for row in rows)
    assert all(row["total_steps"] == str(r.steps) for row in cut)
    assert r.session_steps - r.learned_steps <= 4 * 500  # at most each game's unfinished point
    ck = checkpoint.load(out)
    assert ck.meta["pending"] >= 1 and np.abs(ck.arrays["grad_W1"]).sum() > 0  # waiting for the next update


def test_a_killed_worker_is_replaced_and_training_completes(tmp_path, local_ray, monkeypatch):
    from pgcli.cluster import remote

    spawned, events = [], []
    real_spawn = remote.RemoteCollector._spawn

    def spawn(self, i, generation):
        actor = real_spawn(self, i, generation)
        spawned.append(actor)
        return actor

    monkeypatch.setattr(remote.RemoteCollector, "_spawn", spawn)
    killed = []

    def on_episode(st):
        if st.episode == 1 and not killed:
            pid = ray.get(spawned[0].pid.remote())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "k.p"
    r = train({**SMALL}, out, Budget(episodes=5), saving=Saving(every=2), where=Where(workers=2),
              hooks=Hooks(on_episode=on_episode, on_event=events.append))
    assert killed and r.episodes == 5
    assert len(spawned) == 3  # two workers, then one replacement
    assert sum("rollout worker 0 lost" in e for e in events) == 1
    assert checkpoint.load(out).episode == 5


def test_a_worker_lost_at_the_stop_gives_up_its_games_and_the_rest_is_saved(tmp_path, local_ray, monkeypatch):
    from pgcli.cluster import remote

    spawned, events = [], []
    real_spawn = remote.RemoteCollector._spawn

    def spawn(self, i, generation):
        spawned.append(real_spawn(self, i, generation))
        return spawned[-1]

    def on_episode(st):
        if st.episode == 2:  # the target: the stop comes next
            os.kill(ray.get(spawned[0].pid.remote()), signal.SIGKILL)

    monkeypatch.setattr(remote.RemoteCollector, "_spawn", spawn)
    out = tmp_path / "l.p"
    r = train({**SMALL}, out, Budget(episodes=2), saving=Saving(every=100), where=Where(workers=2),
              hooks=Hooks(on_episode=on_episode, on_event=events.append))
    lost = [e for e in events if "did not answer at the stop" in e]
    assert len(lost) == 1 and "rollout worker 0" in lost[0] and "its games in flight are lost" in lost[0]
    assert r.episodes == 2 and checkpoint.load(out).episode == 2


def test_a_worker_that_stops_answering_is_replaced_after_the_timeout(tmp_path, local_ray, monkeypatch):
    """A hung worker (SIGSTOP: alive, silent) is replaced after --worker-timeout; training goes on."""
    from pgcli.cluster import remote

    spawned, events, stopped = [], [], []
    real_spawn = remote.RemoteCollector._spawn

    def spawn(self, i, generation):
        spawned.append(real_spawn(self, i, generation))
        return spawned[-1]

    def on_episode(st):
        if st.episode == 1 and not stopped:
            pid = ray.get(spawned[1].pid.remote())
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)

    monkeypatch.setattr(remote.RemoteCollector, "_spawn", spawn)
    out = tmp_path / "h.p"
    try:
        r = train({**SMALL}, out, Budget(episodes=4), saving=Saving(every=2), where=Where(workers=2, worker_timeout=8.0),
                  hooks=Hooks(on_episode=on_episode, on_event=events.append))
    finally:
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    hung = [e for e in events if "did not answer for 8 s" in e]
    assert stopped and len(hung) == 1 and hung[0].startswith("warning: rollout worker 1 did not answer")
    assert len(spawned) == 3 and r.episodes == 4 and checkpoint.load(out).episode == 4


def test_a_slow_worker_start_is_said_at_once(tmp_path, local_ray, monkeypatch):
    """A stall (e.g. the CPUs still held by the Ray of a run that just ended) is visible, not silent."""
    from pgcli.cluster import remote

    monkeypatch.setattr(remote, "SLOW_START", 0.001)  # every start is "slow" here
    events = []
    r = train({**SMALL}, tmp_path / "s.p", Budget(episodes=1), where=Where(workers=2), hooks=Hooks(on_event=events.append))
    waits = [e for e in events if e.startswith("waiting for rollout worker")]
    # worker 0's first answer is waited for right after its start; worker 1's may be in by then
    assert r.episodes == 1 and waits and waits[0].startswith("waiting for rollout worker 0 to start")
    assert "it is replaced after 180 s" in waits[0]


def test_a_lost_cluster_saves_the_checkpoint_and_says_so(tmp_path, local_ray):
    """Runs last in this file: it shuts the module's Ray down mid-run."""
    from pgcli.base.errors import PgcliError

    def on_episode(st):
        if st.episode == 1:
            ray.shutdown()

    out = tmp_path / "c.p"
    with pytest.raises(PgcliError, match=r"the Ray cluster went away .*; saved .*c\.p \(continue with --resume"):
        train({**SMALL}, out, Budget(episodes=5), saving=Saving(every=4), where=Where(workers=2),
              hooks=Hooks(on_episode=on_episode))
    assert checkpoint.load(out).episode >= 1  # saved although no periodic save was due yet


def _descendants_named(title: str) -> list[int]:
    """PIDs of this process's descendants whose command line is `title` (Ray names a busy worker
    `ray::<task>`): only the Ray this test started, never another one on the machine."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parent.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    found = []
    for pid in parent:
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
        except OSError:
            continue
        if cmd.startswith(title) and ours(pid):
            found.append(pid)
    return found


def _kill_once_written(path, task: str):
    """A thread that SIGKILLs the processes of Ray task `task` once `path` (a first checkpoint) exists
    -> (the thread, started; the pids it killed)."""
    import threading
    import time

    killed: list[int] = []

    def kill():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not path.exists():
            time.sleep(0.2)
        for pid in _descendants_named(task):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill)
    killer.start()
    return killer, killed


def test_a_benchmark_run_is_a_ray_task_and_a_killed_one_resumes_from_its_checkpoint(tmp_path, local_ray):
    """`pgcli benchmark --parallel N`: each run is a Ray task; killing its process (SIGKILL, a lost
    node) after its first checkpoint makes Ray run it again, and it goes on from that checkpoint."""

    from pgcli.benchmark.suite import settle_suite
    from pgcli.benchmark.on_ray import run_suite_on_ray

    folder = tmp_path / "suite"
    suite = settle_suite(folder, {"games": ("pong",), "steps": 12_000, "eval_games": 1, "save_every": 1,
                                  "recipe": {"num_envs": 4, "hidden": 16, "rollout_steps": 64, "minibatches": 2}})
    killer, killed = _kill_once_written(folder / "pong-s1.p", "ray::run_task")
    evaluated = []
    runs = run_suite_on_ray(folder, suite, parallel=1, address=None, on_evaluated=evaluated.append)
    killer.join()
    assert killed, "the task's process was not found"
    assert runs[0].finished and runs[0].evaluated and [r["run"] for r in evaluated] == ["pong-s1"]
    assert checkpoint.read_meta(folder / "pong-s1.p")["steps"] >= 12_000
    rows = (folder / "pong-s1.metrics.csv").read_text().splitlines()[1:]
    episodes = [int(r.split(",")[0]) for r in rows if r.endswith(",0")]  # finished games, not cut ones
    assert episodes == list(range(1, len(episodes) + 1))  # resumed: no game counted twice, none lost


def test_a_tune_trial_is_a_ray_task_and_a_killed_one_goes_on_from_its_checkpoint(tmp_path, local_ray):
    """`pgcli tune --parallel N`: each trial is a Ray task reporting to the study's database; killing
    its process after its run's first checkpoint makes Ray run it again, from that checkpoint."""

    pytest.importorskip("optuna")
    from pgcli.tune import study as tune_study

    folder = tmp_path / "study"
    spec = tune_study.settle(folder, {"games": ("pong",), "seeds": (1,), "steps": 12_000, "eval_games": 1,
                                      "report_every": 4_000, "space": ("clip=0.1:0.3",), "save_every": 1,
                                      "recipe": {"num_envs": 4, "hidden": 16, "rollout_steps": 64, "minibatches": 2}})
    run = folder / "trial-0000" / "pong-s1.p"
    killer, killed = _kill_once_written(run, "ray::trial_task")
    events = []
    tune_study.run_on_ray(folder, spec, trials=1, parallel=1, address=None, on_event=events.append)
    killer.join()
    assert killed, "the task's process was not found"
    (t,) = tune_study.open_study(folder, spec).get_trials()
    assert t.state.name == "COMPLETE" and t.user_attrs["minutes"] > 0 and checkpoint.read_meta(run)["steps"] >= 12_000
    assert len(t.intermediate_values) >= 2  # the task reported its running score to the study's database
    rows = (folder / "trial-0000" / "pong-s1.metrics.csv").read_text().splitlines()[1:]
    episodes = [int(r.split(",")[0]) for r in rows if r.endswith(",0")]  # finished games, not cut ones
    assert episodes == list(range(1, len(episodes) + 1))  # resumed: no game counted twice, none lost

"""`pgcli tune`: trials of FakePong runs complete, prune, resume when cut, and report a recipe that
`pgcli benchmark` reads back; mistakes are one line. (The Ray test is in test_cluster.py.)"""

import json

import pytest
from typer.testing import CliRunner

from pgcli.cli import app
from pgcli.benchmark.suite import parse_recipe
from pgcli.base.errors import PgcliError, Stopped
from pgcli.files import checkpoint
from pgcli.tune import study as tune_study
from pgcli.tune.space import parse_param
from pgcli.tune.trial import TuneSpec, Watch

pytest.importorskip("optuna")

# FakePong, a tiny network, the seed's input (no scenery to read from the emulator)
SMALL = {"hidden": 16, "num_envs": 4, "rollout_steps": 15, "minibatches": 2, "inputs": "diff"}
SPEC = {"games": ("pong",), "seeds": (1,), "steps": 600, "eval_games": 2, "recipe": SMALL, "report_every": 200,
        "space": ("learning_rate=0.0001:0.003:log", "clip=0.1:0.3")}


def trial_states(folder):
    spec = tune_study.settle(folder, {})
    return [(t.state.name, t.user_attrs.get("folder")) for t in tune_study.open_study(folder, spec).get_trials()]


def test_a_study_completes_its_trials_continues_and_reports_a_recipe_benchmark_reads(tmp_path, fake_eval):
    folder = tmp_path / "study"
    spec = tune_study.settle(folder, SPEC)
    events = []
    tune_study.run_here(folder, spec, trials=2, on_event=events.append)
    assert trial_states(folder) == [("COMPLETE", "trial-0000"), ("COMPLETE", "trial-0001")]
    first_trial = tune_study.open_study(folder, spec).trials[0]
    assert first_trial.params == {"learning_rate": 5e-4, "clip": 0.2}  # PPO's defaults first, as the baseline
    first = folder / "trial-0000" / "pong-s1.p"
    assert checkpoint.read_meta(first)["steps"] >= 600 and (folder / "trial-0000" / "pong-s1.evaluate.json").exists()
    ck = checkpoint.load(first)  # a finished trial keeps its agents as weights, not training states
    assert ck.meta["exported_from"] == "pgcli" and "m_W1" not in ck.arrays
    assert first.stat().st_size < ck.arrays["W1"].size * 8  # W1 in float32, no optimizer moments
    stamp = first.stat().st_mtime_ns
    tune_study.run_here(folder, spec, trials=5, on_event=events.append)  # three more: nothing redone
    assert [s for s, _ in trial_states(folder)] == ["COMPLETE"] * 5 and first.stat().st_mtime_ns == stamp
    assert "x the defaults (pong " in events[-1] and "best so far: trial" in events[-1]  # its games, beside the defaults
    r = CliRunner().invoke(app, ["tune", "-o", str(folder), "--report"])
    assert r.exit_code == 0, r.stderr
    rep = json.loads((folder / "report.json").read_text())
    best = rep["best"]
    assert best["value"] == max(t["value"] for t in rep["trials"])
    assert parse_recipe(tuple(rep["best_recipe"].split(","))) == best["recipe"]  # benchmark reads it back
    assert set(best["recipe"]) == set(SMALL) | {"learning_rate", "clip"} and best["minutes"] > 0
    md = (folder / "report.md").read_text()
    assert f"--recipe {rep['best_recipe']}" in md and "| 0 (defaults) |" in md and "PPO's defaults (trial 0)" in md
    assert "| trial | state | value | pong | minutes |" in md  # each game's HNS beside the trial's value
    assert set(rep["importances"]) == {"learning_rate", "clip"}


def test_a_trial_cut_mid_way_goes_on_from_its_checkpoint_when_run_again(tmp_path, fake_eval):
    from pgcli.commands.train import Budget, Saving, train

    folder = tmp_path / "study"
    spec = tune_study.settle(folder, SPEC)

    def cut(overrides, path, resume, save_every, on_episode, stop, until_reward):
        train(overrides, path, Budget(steps=300), resume=resume, saving=Saving(every=save_every))  # a checkpoint part-way
        raise Stopped("stopped by SIGINT", 2)

    with pytest.raises(Stopped):
        tune_study.run_here(folder, spec, trials=1, train_run=cut)
    part = checkpoint.read_meta(folder / "trial-0000" / "pong-s1.p")["steps"]
    assert 300 <= part < 600 and trial_states(folder) == [("RUNNING", "trial-0000")]
    events = []
    tune_study.run_here(folder, spec, trials=1, on_event=events.append)
    assert trial_states(folder) == [("FAIL", "trial-0000"), ("COMPLETE", "trial-0000")]  # same folder, same run
    study = tune_study.open_study(folder, spec)
    failed, done = study.get_trials()
    assert failed.params == done.params and "trial 0 was cut short: it runs again as a new trial in trial-0000" in events[0]
    rows = (folder / "trial-0000" / "pong-s1.metrics.csv").read_text().splitlines()[1:]
    assert int(rows[-1].split(",")[7]) >= 600 and not (folder / "trial-0001").exists()


class Reporter:
    def __init__(self, prune_after=None):
        self.reports, self.prune_after = [], prune_after

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return self.prune_after is not None and len(self.reports) >= self.prune_after


class Stats:
    def __init__(self, total_steps, running_reward):
        self.total_steps, self.running_reward = total_steps, running_reward


def test_the_pruner_sees_the_running_score_as_hns_every_half_million_steps_and_can_stop_the_run():
    spec = TuneSpec(games=("pong",), report_every=500_000)
    rep = Reporter(prune_after=2)
    watch = Watch(spec, "pong", offset=2_000_000, reporter=rep)  # the trial's second run of 2M steps
    for steps, running in [(100_000, -20.0), (499_999, -19.0), (510_000, -18.0), (900_000, -5.0), (1_020_000, 0.0)]:
        watch(Stats(steps, running))
    assert [s for s, _ in rep.reports] == [2_510_000, 3_020_000]
    assert rep.reports[0][1] == pytest.approx((-18.0 + 20.71) / (14.6 + 20.71))  # HNS, Agent57's table
    assert watch.stop()
    steps_spec = TuneSpec(games=("pong",), objective="steps", target=18.0, report_every=500_000)
    rep2 = Reporter()
    Watch(steps_spec, "pong", 0, rep2)(Stats(600_000, 10.0))
    assert rep2.reports == [(600_000, 8.0)]  # distance to the target: lower is better


def test_a_trial_in_the_bottom_quarter_is_pruned_one_below_the_median_is_not(tmp_path):
    spec = tune_study.settle(tmp_path / "s", {**SPEC, "steps": 2_000_000, "report_every": 500_000})
    study = tune_study.open_study(tmp_path / "s", spec)
    for v in (1.0, 2.0, 3.0, 4.0):  # the pruner waits for 4 trials
        t = study.ask()
        for step in (500_000, 1_000_000, 1_500_000):
            t.report(v, step)
        study.tell(t, v)
    rep = tune_study.OptunaReporter(study.ask())
    rep.report(2.2, 1_500_000)
    assert not rep.should_prune()  # below the median (2.5), above the bottom quarter (1.75)
    rep = tune_study.OptunaReporter(study.ask())
    rep.report(0.1, 500_000)
    assert not rep.should_prune()  # within the warm-up (1M agent steps)
    rep.report(0.1, 1_500_000)
    assert rep.should_prune()


def test_the_pruner_waits_until_every_game_has_been_played():
    import optuna

    spec = TuneSpec(games=("space_invaders", "seaquest", "beam_rider"), steps=1_000_000, report_every=500_000)
    assert tune_study.pruner(optuna, spec)._n_warmup_steps == 2_500_000  # Beam Rider's first run, half-way


def test_the_pruner_sees_the_trial_so_far_finished_runs_and_this_ones_running_score():
    from pgcli.base.references import hns
    from pgcli.tune.trial import objective_value

    spec = TuneSpec(games=("space_invaders", "seaquest"), steps=1_000_000, report_every=500_000)
    rep = Reporter()
    before = {"space_invaders": [0.2], "seaquest": [0.01]}  # seeds 1 of both, evaluated
    Watch(spec, "space_invaders", 2_000_000, rep, before)(Stats(500_000, 400.0))  # seed 2 of Space Invaders
    expected = objective_value("geomean", {"space_invaders": (0.2 + hns("space_invaders", 400.0)) / 2, "seaquest": 0.01})
    assert rep.reports == [(2_500_000, pytest.approx(expected))]


@pytest.mark.parametrize("args, said", [
    (["--param", "nope=1:2"], "--param nope: not a flag a trial can vary"),
    (["--param", "seed=1:2"], "--param seed: not a flag a trial can vary"),
    (["--param", "clip=0.3:0.1"], "--param clip: needs low < high"),
    (["--param", "learning_rate=0:1:log"], "needs low < high (and low > 0 on a log scale)"),
    (["--param", "clip"], "--param takes field=low:high[:log] or field=a|b|c"),
    (["--objective", "steps"], "give --target"),
    (["--objective", "fast"], "--objective must be one of geomean, hns, steps"),
])
def test_mistakes_are_one_line_and_write_nothing(tmp_path, args, said):
    r = CliRunner().invoke(app, ["tune", "-o", str(tmp_path / "s"), "--games", "pong", *args])
    assert r.exit_code == 1 and said in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert not (tmp_path / "s").exists()


def test_a_study_keeps_its_settings(tmp_path):
    tune_study.settle(tmp_path / "s", SPEC)
    with pytest.raises(PgcliError, match="holds a study with other steps"):
        tune_study.settle(tmp_path / "s", {**SPEC, "steps": 900})
    r = CliRunner().invoke(app, ["tune", "-o", str(tmp_path / "none"), "--report"])
    assert r.exit_code == 1 and "no tune study here" in r.stderr


def test_params_parse_to_optuna_distributions():
    import optuna

    assert parse_param("learning_rate=1e-4:2e-3:log").log and parse_param("epochs=2:10").low == 2
    assert parse_param("inputs=diff|diff+objects+action").choices == ("diff", "diff+objects+action")
    assert parse_param("noop=on|off").choices == (True, False)
    study = optuna.create_study()
    t = study.ask()
    assert isinstance(parse_param("epochs=2:10").sample(t), int) and 2 <= t.params["epochs"] <= 10


def test_the_steps_objective_counts_agent_steps_to_the_target_and_stops_the_run_there(tmp_path, fake_eval):
    """--objective steps: a run stops once its running reward reaches the target, and the trial's value
    is the agent steps it took (read back from the run's metrics); no evaluation is played."""
    folder = tmp_path / "study"
    spec = tune_study.settle(folder, {**SPEC, "objective": "steps", "target": -100.0, "steps": 5000})
    tune_study.run_here(folder, spec, trials=1)
    (t,) = tune_study.open_study(folder, spec).get_trials()
    rows = (folder / "trial-0000" / "pong-s1.metrics.csv").read_text().splitlines()[1:]
    first = int(next(r for r in rows if r.split(",")[3]).split(",")[7])  # the first row with a running reward
    assert t.state.name == "COMPLETE" and t.value == first
    assert checkpoint.read_meta(folder / "trial-0000" / "pong-s1.p")["steps"] < 5000  # stopped at the target
    assert not (folder / "trial-0000" / "pong-s1.evaluate.json").exists()
    assert tune_study.open_study(folder, spec).direction.name == "MINIMIZE"


def test_a_new_study_starts_from_ppos_defaults_where_the_space_holds_them():
    from pgcli.tune.space import DEFAULT_SPACE, defaults

    assert defaults(DEFAULT_SPACE) == {
        "learning_rate": 5e-4, "clip": 0.2, "ent_coef": 0.01, "gae_lambda": 0.95, "gamma": 0.99, "epochs": 8,
        "minibatches": 4, "num_envs": 32, "rollout_steps": 128, "hidden": 200, "vf_coef": 0.5,
        "inputs": "diff+objects+action"}
    assert defaults([parse_param("clip=0.25:0.3"), parse_param("hidden=100|150")]) == {}  # outside: sampled


def test_a_study_that_keeps_its_states_leaves_its_runs_as_they_trained(tmp_path, fake_eval):
    folder = tmp_path / "study"
    spec = tune_study.settle(folder, {**SPEC, "keep_states": True})
    tune_study.run_here(folder, spec, trials=1)
    meta = checkpoint.read_meta(folder / "trial-0000" / "pong-s1.p")
    assert "exported_from" not in meta and meta["steps"] >= 600


def test_a_study_continued_by_a_new_process_draws_new_recipes(tmp_path):
    """Each `pgcli tune` opens the study afresh: its sampler must not replay the last process's draws."""
    spec = tune_study.settle(tmp_path / "s", {**SPEC, "space": ("learning_rate=0.0001:0.003:log", "epochs=2:10")})
    drawn = []
    for _ in range(3):  # three processes, each asking for two trials
        study = tune_study.open_study(tmp_path / "s", spec)
        for _ in range(2):
            t = study.ask()
            drawn.append((t.suggest_float("learning_rate", 1e-4, 3e-3, log=True), t.suggest_int("epochs", 2, 10)))
            study.tell(t, 0.0)
    assert len(set(drawn)) == len(drawn), drawn


def test_the_geomean_objective_weighs_every_game_by_its_relative_gain():
    """At 1M agent steps PPO reaches HNS ~0.2 on Space Invaders and ~0.01 on Seaquest: their mean is
    Space Invaders' alone; the geometric mean counts halving Seaquest as much as halving Space Invaders."""
    from pgcli.tune.trial import objective_value

    a = {"space_invaders": 0.20, "seaquest": 0.010}
    b = {"space_invaders": 0.22, "seaquest": 0.005}  # a tenth more on one, half on the other
    assert objective_value("hns", b) > objective_value("hns", a)
    assert objective_value("geomean", a) > objective_value("geomean", b)
    assert objective_value("geomean", a) == pytest.approx((0.20 * 0.010) ** 0.5)
    doubled = {"space_invaders": 0.20, "seaquest": 0.020}
    assert objective_value("geomean", doubled) == pytest.approx(objective_value("geomean", a) * 2 ** 0.5)
    assert objective_value("geomean", {"pong": -0.5, "seaquest": 0.01}) == pytest.approx((0.001 * 0.01) ** 0.5)  # floored


def test_a_space_without_ppos_defaults_has_no_defaults_trial(tmp_path, fake_eval):
    """A range that leaves a default out: no trial is PPO's defaults (a half-sampled one is not labelled so)."""
    spec = tune_study.settle(tmp_path / "s", {**SPEC, "space": ("learning_rate=0.0001:0.003:log", "clip=0.25:0.3")})
    tune_study.run_here(tmp_path / "s", spec, trials=1)
    (t,) = tune_study.open_study(tmp_path / "s", spec).get_trials()
    assert "defaults" not in t.user_attrs and 0.25 <= t.params["clip"] <= 0.3


def test_after_five_finished_trials_the_sampler_draws_near_the_best_not_at_random(tmp_path):
    """TPE leaves random draws after `RANDOM_TRIALS` (5) finished trials: a study of ~10-20 trials must not
    spend half of them on chance. Three studies, each best at another place: the 6th trial lands by it in
    each (random draws would, all three times, about 1 time in 80)."""
    for best in (0.05, 0.5, 0.95):
        spec = tune_study.settle(tmp_path / str(best), {**SPEC, "space": ("clip=0.0:1.0",)})
        study = tune_study.open_study(tmp_path / str(best), spec)
        for x in (0.05, 0.275, 0.5, 0.725, 0.95):
            study.enqueue_trial({"clip": x})
            t = study.ask()
            study.tell(t, -abs(t.suggest_float("clip", 0.0, 1.0) - best))
        study = tune_study.open_study(tmp_path / str(best), spec)  # a new process, as `pgcli tune` run again
        drawn = study.ask().suggest_float("clip", 0.0, 1.0)
        assert abs(drawn - best) < 0.15, (best, drawn)

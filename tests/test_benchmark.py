"""`pgcli benchmark`: a 2-game suite with a tiny budget on FakePong trains, evaluates, reports,
resumes, and never redoes a finished run; the report's numbers against the published tables."""

import json
import statistics

import pytest
from typer.testing import CliRunner

from pgcli.base import references
from pgcli.cli import app
from pgcli.benchmark import report as benchmark_report
from pgcli.benchmark.suite import run_suite, settle_suite
from pgcli.commands.train import Budget, Saving, train
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint

SMALL = {"hidden": 16, "num_envs": 4, "rollout_steps": 15, "minibatches": 2}


def suite_in(folder, **given):
    return settle_suite(folder, {"games": ("pong", "boxing"), "steps": 600, "eval_games": 2, "recipe": SMALL, **given})


def counting_train(calls):
    def train_run(overrides, path, resume):
        calls.append((path.name, resume is not None))
        train(overrides, path, resume=resume, saving=Saving(every=50))
    return train_run


@pytest.mark.ale
def test_a_suite_trains_each_game_to_its_budget_evaluates_and_reports(tmp_path, fake_eval):
    folder = tmp_path / "suite"
    calls, evaluated = [], []
    runs = run_suite(folder, suite_in(folder), counting_train(calls), on_evaluated=evaluated.append)
    assert calls == [("pong-s1.p", False), ("boxing-s1.p", False)] and len(evaluated) == 2
    for name in ("pong-s1", "boxing-s1"):
        ck = checkpoint.load(folder / f"{name}.p")
        assert ck.meta["steps"] >= 600 and ck.config.algo == "ppo" and ck.config.hidden == 16
        assert (folder / f"{name}.metrics.csv").exists()
    assert all(r.finished and r.evaluated for r in runs)
    boxing = json.loads((folder / "boxing-s1.evaluate.json").read_text())
    assert boxing["sticky_actions"] == 0.25 and boxing["max_frames_per_game"] == 108_000 and boxing["episodes"] == 2
    assert "points_won" not in boxing and "games_won" not in boxing  # Pong's fields are Pong's
    assert "points_won" in json.loads((folder / "pong-s1.evaluate.json").read_text())

    rep = benchmark_report.write(folder, settle_suite(folder, {}))
    pong_score = json.loads((folder / "pong-s1.evaluate.json").read_text())["mean_reward"]
    pong = next(g for g in rep["games"] if g["game"] == "pong")
    assert pong["hns_agent57"] == pytest.approx((pong_score + 20.71) / (14.6 + 20.71))  # Agent57's table
    assert pong["hns_nature"] == pytest.approx((pong_score + 20.7) / (9.3 + 20.7))  # the DQN paper's
    boxing_hns = (boxing["mean_reward"] - 0.05) / (12.1 - 0.05)
    assert rep["median_hns_agent57"] == pytest.approx((pong["hns_agent57"] + boxing_hns) / 2)
    assert rep["atari5_median57_estimate"] is None  # the five Atari-5 games are not in this suite
    assert rep["stalled_games"] == [] and rep["median_hns_agent57_without_stalled"] is None
    cleanrl = {g: references.hns(g, references.REFERENCES[g].cleanrl_ppo) for g in references.ATARI5}
    assert rep["cleanrl_ppo_10m_atari5_estimate"] == pytest.approx(references.atari5_estimate(cleanrl))
    assert 0.5 < rep["cleanrl_ppo_10m_atari5_estimate"] < 3  # a conv. PPO at 10M steps: near human
    assert rep["cleanrl_ppo_10m_median_hns_agent57"] == pytest.approx(((20.39 + 20.71) / 35.31 + (92.68 - 0.05) / 12.05) / 2)
    assert json.loads((folder / "report.json").read_text())["games"][0]["game"] == "pong"
    assert "| pong |" in (folder / "report.md").read_text() and "frame cap" not in (folder / "report.md").read_text()
    # a game whose evaluation ran to the time limit (Double Dunk's 0-0 stall) is marked as such
    assert boxing["games_at_frame_cap"] == 0
    (folder / "boxing-s1.evaluate.json").write_text(json.dumps({**boxing, "games_at_frame_cap": 2}))
    benchmark_report.write(folder, settle_suite(folder, {}))
    md = (folder / "report.md").read_text()
    assert "| boxing (2 of 2 games cut at the frame cap) |" in md and "stalled until the time limit" in md
    rep = json.loads((folder / "report.json").read_text())  # judged without the stall too: Pong alone is left
    assert rep["stalled_games"] == ["boxing"] and rep["median_hns_agent57_without_stalled"] == pong["hns_agent57"]
    assert rep["cleanrl_ppo_10m_median_hns_agent57_without_stalled"] == pytest.approx((20.39 + 20.71) / 35.31)
    assert f"(boxing): median HNS {pong['hns_agent57']:.2f}" in md
    old = {k: v for k, v in boxing.items() if k != "games_at_frame_cap"}  # an evaluation from before the field
    assert benchmark_report._at_cap({**old, "mean_episode_steps": 27_000.0}) == 2
    assert benchmark_report._at_cap({**old, "mean_episode_steps": 900.0}) == 0


@pytest.mark.ale
def test_running_it_again_redoes_nothing_and_a_cut_run_resumes(tmp_path, fake_eval):
    folder = tmp_path / "suite"
    suite = suite_in(folder)
    # the suite was killed during pong: its checkpoint stands at 200 agent steps
    train({**SMALL, "algo": "ppo", "env_id": "pong", "seed": 1, "lr_anneal_steps": 600}, folder / "pong-s1.p", Budget(steps=200),
          saving=Saving(every=50))
    calls = []
    run_suite(folder, suite, counting_train(calls))
    assert calls == [("pong-s1.p", True), ("boxing-s1.p", False)]  # pong resumed, not restarted
    assert checkpoint.load(folder / "pong-s1.p").meta["steps"] >= 600
    stamp = (folder / "pong-s1.evaluate.json").stat().st_mtime_ns
    calls.clear()
    run_suite(folder, settle_suite(folder, {}), counting_train(calls))
    assert calls == [] and (folder / "pong-s1.evaluate.json").stat().st_mtime_ns == stamp
    # a game and a seed add just that run: more seeds for the games that decide the median
    more = settle_suite(folder, {"games": ("Pong",), "seeds": (1, 2)})
    assert more.runs == (("pong", 1), ("boxing", 1), ("pong", 2)) and more.seeds_of("boxing") == (1,)
    run_suite(folder, more, counting_train(calls))
    assert calls == [("pong-s2.p", False)]
    rep = benchmark_report.write(folder, settle_suite(folder, {}))
    scores = [json.loads((folder / f"pong-s{s}.evaluate.json").read_text())["mean_reward"] for s in (1, 2)]
    pong = next(g for g in rep["games"] if g["game"] == "pong")
    assert pong["seeds"] == 2 and pong["score"] == pytest.approx(sum(scores) / 2)
    md = (folder / "report.md").read_text()
    assert "seeds 1, 2 for pong; seeds 1 for boxing" in md and "| pong (mean of 2 seeds) |" in md
    assert pong["minutes"] > 0
    # more evaluation games evaluate every finished run again; training is untouched
    calls.clear()
    run_suite(folder, settle_suite(folder, {"eval_games": 3}), counting_train(calls))
    assert calls == [] and json.loads((folder / "suite.json").read_text())["eval_games"] == 3
    for name in ("pong-s1", "pong-s2", "boxing-s1"):
        assert json.loads((folder / f"{name}.evaluate.json").read_text())["episodes"] == 3
    ev = json.loads((folder / "boxing-s1.evaluate.json").read_text())
    boxing = next(g for g in benchmark_report.write(folder, settle_suite(folder, {}))["games"] if g["game"] == "boxing")
    assert boxing["score_se"] == pytest.approx(statistics.stdev(ev["rewards"]) / 3 ** 0.5)
    assert f"| boxing | {boxing['score']:,.1f} ± {boxing['score_se']:,.1f} |" in (folder / "report.md").read_text()
    more = settle_suite(folder, {"games": ("boxing",), "seeds": (2, 3)})  # planned, not begun
    boxing = next(g for g in benchmark_report.build(folder, more)["games"] if g["game"] == "boxing")
    assert boxing["minutes"] == next(r for r in rep["runs"] if r["game"] == "boxing")["minutes"] > 0  # not averaged with 0s
    assert "| boxing (1 of 3 seeds) |" in benchmark_report.markdown(benchmark_report.build(folder, more))
    # another seed alone extends every game, as before
    assert settle_suite(folder, {"seeds": (4,)}).runs[-2:] == (("pong", 4), ("boxing", 4))


def test_a_folder_from_before_runs_were_listed_reads_as_every_game_at_every_seed(tmp_path):
    (tmp_path / "suite.json").write_text(json.dumps({"games": ["pong", "boxing"], "steps": 600, "seeds": [1, 2],
                                                     "eval_games": 2, "eval_seed": 0, "save_every": 200, "recipe": {}}))
    suite = settle_suite(tmp_path, {})
    assert suite.runs == (("pong", 1), ("boxing", 1), ("pong", 2), ("boxing", 2)) and suite.steps == 600
    assert json.loads((tmp_path / "suite.json").read_text())["runs"] == ["pong-s1", "boxing-s1", "pong-s2", "boxing-s2"]
    assert settle_suite(tmp_path, {}).runs == suite.runs  # read back as written
    for bad in ('{"runs": ["pong"]}', '{"runs": ["pong-sx"]}', '{"runs": [3]}', '{"steps": 600}', '[1]'):
        (tmp_path / "suite.json").write_text(bad)
        with pytest.raises(PgcliError, match="not a pgcli benchmark suite"):
            settle_suite(tmp_path, {})


def test_a_folder_keeps_its_budget(tmp_path):
    suite_in(tmp_path / "s")
    with pytest.raises(PgcliError, match="holds a suite with steps 600"):
        settle_suite(tmp_path / "s", {"steps": 5000})
    with pytest.raises(PgcliError, match="unknown game"):
        settle_suite(tmp_path / "t", {"games": ("pongg",)})
    with pytest.raises(PgcliError, match="a new recipe needs its own folder"):
        settle_suite(tmp_path / "s", {"recipe": {**SMALL, "background": "pixel"}})


def test_a_recipe_is_parsed_as_pgcli_train_reads_its_flags(tmp_path):
    from pgcli.benchmark.suite import parse_recipe

    assert parse_recipe(("background=pixel", "epochs=4", "lr=3e-4", "episodic-life=off", "sticky-actions=0",
                         "trust-region=start")) == {
        "background": "pixel", "epochs": 4, "learning_rate": 3e-4, "episodic_life": False, "sticky_actions": 0.0,
        "trust_region": "start"}
    assert parse_recipe(("ent-anneal=on",)) == {"ent_anneal": True}  # it falls over the suite's budget
    for bad, says in [(("epochs",), "field=value pairs"), (("seed=3",), "field=value pairs"),
                      (("epochs=four",), "expected an integer"), (("background=grey",), "background must be one of"),
                      (("trust_region=middle",), "trust region must be one of")]:
        with pytest.raises(PgcliError, match=says):
            parse_recipe(bad)
    res = CliRunner().invoke(app, ["benchmark", "-o", str(tmp_path / "r"), "--recipe", "clip=2x"])
    assert res.exit_code != 0 and "expected a number" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r").exists()  # refused before anything was written


@pytest.mark.ale
def test_the_report_command_and_its_one_line_errors(tmp_path, fake_eval):
    runner = CliRunner()
    r = runner.invoke(app, ["benchmark", "-o", str(tmp_path / "none"), "--report"])
    assert r.exit_code == 1 and r.stderr.startswith("pgcli: error:") and r.stderr.count("\n") == 1
    folder = tmp_path / "suite"
    run_suite(folder, suite_in(folder, games=("pong",)), counting_train([]))
    r = runner.invoke(app, ["benchmark", "-o", str(folder), "--report"])
    assert r.exit_code == 0, r.stderr
    assert "pong" in r.stdout and "median HNS" in r.stdout and (folder / "report.md").exists()
    r = runner.invoke(app, ["benchmark", str(folder), "--report"])  # the folder as an argument works too
    assert r.exit_code == 0 and "median HNS" in r.stdout, r.stderr
    for args, said in ((["benchmark", str(folder), "-o", str(tmp_path / "other"), "--report"], "two folders given"),
                       (["benchmark", "--report"], "give the suite's folder")):
        r = runner.invoke(app, args)
        assert r.exit_code == 1 and said in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_the_atari5_estimate_against_published_medians():
    """Atari-5's regression on two algorithms of its own data set (Atari-5 repository, dataset.csv):
    the five games' raw scores -> within 20 % of their true 57-game median HNS."""
    five = list(references.ATARI5)
    for scores, median in [([29900.0, -6.6, 8207.8, 8485.2, 13117.3], 0.776),  # DQN (noop)
                           ([62010.0, -0.3, 13136.0, 108528.6, 33817.5], 2.270)]:  # Rainbow (noop)
        est = references.atari5_estimate({g: references.hns(g, s) for g, s in zip(five, scores)})
        assert est == pytest.approx(median, rel=0.2)
    assert references.atari5_estimate({"qbert": 1.0}) is None


def test_a_stopped_suite_says_how_to_continue_it(tmp_path, fake_eval, monkeypatch):
    import signal

    from pgcli.base.errors import Stopped

    def stopped(*a, **k):
        raise Stopped("stopped by SIGINT at episode 3; saved x.p (continue with: pgcli train --resume x.p)", signal.SIGINT)

    monkeypatch.setattr("pgcli.commands.train.train", stopped)
    r = CliRunner().invoke(app, ["benchmark", "-o", str(tmp_path / "s"), "--games", "pong", "--steps", "1000"])
    assert r.exit_code == 130
    assert r.stderr.strip() == f"pgcli: stopped by SIGINT at episode 3; saved x.p; continue the suite with: pgcli benchmark -o {tmp_path / 's'}"


def write_curve(path, points):
    """A metrics CSV with (agent steps, running score) rows, gzipped for a .gz name."""
    import gzip

    text = "episode,running_reward,seconds,total_steps\n" + "".join(
        f"{i + 1},{score},{i},{steps}\n" for i, (steps, score) in enumerate(points))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)


def test_a_folder_kept_without_its_checkpoints_reports_from_its_metrics(tmp_path):
    """A suite's folder as kept in git (suite.json, evaluations, gzipped CSVs; no 41 MB states): the
    report's steps and minutes come from each run's last metrics row, a run short of the budget is
    unfinished, and a planned run with no file counts nothing."""
    folder = tmp_path / "kept"
    settle_suite(folder, {"games": ("pong", "boxing"), "seeds": (1, 2), "steps": 1_000_000})
    write_curve(folder / "pong-s1.metrics.csv.gz", [(500_000, -5), (1_000_000, 12)])  # seconds: the row's index
    write_curve(folder / "pong-s2.metrics.csv", [(400_000, -8)])
    write_curve(folder / "boxing-s1.metrics.csv.gz", [(300_000, 2), (700_000, 30), (1_000_000, 80)])
    (folder / "pong-s1.evaluate.json").write_text(json.dumps({"mean_reward": 15.0, "episodes": 10}))
    (folder / "boxing-s1.evaluate.json").write_text(json.dumps({"mean_reward": 90.0, "episodes": 10}))
    r = CliRunner().invoke(app, ["benchmark", str(folder), "--report"])
    assert r.exit_code == 0, r.stderr
    rep = json.loads((folder / "report.json").read_text())
    runs = {(x["game"], x["seed"]): x for x in rep["runs"]}
    assert (runs["pong", 1]["steps"], runs["pong", 1]["minutes"], runs["pong", 1]["finished"]) == (1_000_000, 1 / 60, True)
    assert (runs["pong", 2]["steps"], runs["pong", 2]["finished"]) == (400_000, False)
    assert (runs["boxing", 2]["steps"], runs["boxing", 2]["minutes"]) == (0, 0.0)
    pong = next(g for g in rep["games"] if g["game"] == "pong")
    assert pong["score"] == 15.0 and pong["seeds"] == 1 and not pong["finished"]
    assert rep["median_hns_agent57"] == pytest.approx(statistics.median(
        [references.hns("pong", 15.0), references.hns("boxing", 90.0)]))
    (folder / "boxing-s1.metrics.csv.gz").write_bytes(b"not gzip")
    r = CliRunner().invoke(app, ["benchmark", str(folder), "--report"])
    assert r.exit_code == 1 and "boxing-s1.metrics.csv.gz: not a pgcli metrics CSV" in r.stderr and r.stderr.count("\n") == 1


def test_two_suites_compare_at_equal_agent_steps(tmp_path):
    from pgcli.benchmark import compare as bc

    hns = lambda v: references.hns("pong", v)  # noqa: E731
    a, b = tmp_path / "a", tmp_path / "b"
    write_curve(a / "pong-s1.metrics.csv", [(250_000, -20), (500_000, -10), (990_000, 0)])
    write_curve(a / "boxing-s1.metrics.csv", [(500_000, 5)])  # not in b: not compared
    (a / "pong-s1.evaluate.json").write_text(json.dumps({"mean_reward": 10.0}))
    write_curve(b / "pong-s1.metrics.csv.gz", [(400_000, -7), (500_000, -5), (1_000_000, 5)])
    write_curve(b / "pong-s2.metrics.csv", [(500_000, -15), (600_000, -12)])  # stopped before 1M
    res = bc.compare(bc.read_runs(a), bc.read_runs(b))
    assert res["games"] == ["pong"] and res["marks"] == [500_000, 1_000_000]  # 2M: nobody got there
    assert res["rows"]["pong"][500_000] == pytest.approx((hns(-10), hns(-10)))  # b: the mean of its two seeds
    assert res["rows"]["pong"][1_000_000] == pytest.approx((hns(0), hns(5)))  # b: seed 2 did not reach 1M
    assert res["medians"][1_000_000] == pytest.approx((hns(0), hns(5), 1))
    assert res["evaluated"]["pong"] == pytest.approx((hns(10), None)) and res["medians"]["evaluated"] is None
    r = CliRunner().invoke(app, ["benchmark", str(a), "--compare", str(b)])
    assert r.exit_code == 0, r.stderr
    assert "runs without a suite.json" in r.stdout and f"{hns(0):.2f} -> {hns(5):.2f}" in r.stdout
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    write_curve(tmp_path / "bad" / "pong-s1.metrics.csv", [(500_000, 0)])
    (tmp_path / "bad" / "pong-s1.evaluate.json").write_text("[1]")
    (tmp_path / "bad" / "notes-sx.evaluate.json").write_text("{}")  # not a run's name: passed over
    for other, said in ((tmp_path / "empty", "no runs here"), (tmp_path / "none", "no such folder"),
                        (tmp_path / "bad", "not a pgcli file")):
        r = CliRunner().invoke(app, ["benchmark", str(a), "--compare", str(other)])
        assert r.exit_code == 1 and said in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_the_suites_progress_line_counts_runs_agent_steps_and_hours():
    """Between runs the suite says where it stands: runs finished and to go, and the agent steps
    trained of the whole budget (a run trained past its budget counts the budget)."""
    from pgcli.benchmark.suite import RunStatus, SuiteProgress

    runs = [RunStatus("pong", 1, 10_050_000, 3000.0, True), RunStatus("qbert", 1, 2_500_000, 1320.0),
            RunStatus("boxing", 1)]
    line = SuiteProgress(runs, current=1, budget=10_000_000).line()
    assert line == ("benchmark: run 2 of 3, qbert seed 1 (resumed at 2,500,000 agent steps); 1 finished, 2 to go; "
                    "12.5M of 30M agent steps trained (42%, 1.2 h)")
    assert "boxing seed 1 (new)" in SuiteProgress(runs, current=2, budget=10_000_000).line()


def test_the_report_leads_with_the_interquartile_mean_and_names_the_stall_and_the_games_chosen_on(tmp_path):
    """The committed default suite's folder, reported again: the IQM of the 8 games' HNS with its
    interval comes first, again without the stalled Double Dunk, and the recipe's choices made on
    games of the suite (Breakout, Pong, Battle Zone) are named, as is CleanRL's protocol."""
    import shutil
    from pathlib import Path

    from pgcli.benchmark.stats import iqm

    src = Path(__file__).parent.parent / "docs" / "runs" / "benchmark"
    folder = tmp_path / "suite"
    folder.mkdir()
    for f in src.iterdir():
        if f.is_file() and (f.name == "suite.json" or ".evaluate.json" in f.name or ".metrics.csv" in f.name):
            shutil.copy(f, folder / f.name)
    rep = benchmark_report.build(folder, settle_suite(folder, {}))
    hns = [g["hns_agent57"] for g in rep["games"]]
    assert rep["iqm_hns_agent57"] == pytest.approx(iqm(hns)) and len(hns) == 8
    lo, hi = rep["iqm_hns_agent57_ci95"]
    assert lo < rep["iqm_hns_agent57"] < hi
    kept = [g["hns_agent57"] for g in rep["games"] if g["game"] != "double_dunk"]
    assert rep["stalled_games"] == ["double_dunk"] and rep["iqm_hns_agent57_without_stalled"] == pytest.approx(iqm(kept))
    assert rep["recipe_chosen_on"]["--background auto"] == ["battle_zone"]
    assert rep["recipe_chosen_on"]["8 epochs"] == ["pong", "breakout"]
    md = benchmark_report.markdown(rep)
    lead = [line for line in md.splitlines() if line.startswith("- ")][:2]
    assert lead[0].startswith("- **Interquartile mean HNS**") and "double_dunk's stall counted as scored" in lead[0]
    assert lead[1].startswith("- **Without double_dunk**")
    assert "--background auto on battle_zone" in md and "exact controls" in md

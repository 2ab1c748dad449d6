"""One trial of `pgcli tune`: a recipe's runs (a benchmark suite of its own), its score and its minutes.

    DIR/trial-0007/suite.json, <game>-s<seed>.p, .metrics.csv, .evaluate.json   as `pgcli benchmark` writes

Each trial is the benchmark's suite with the trial's recipe: one ordinary pgcli run per game and
seed, each annealing its learning rate over its own budget. The objective is either the benchmark's
evaluation: the geometric mean of the games' HNS (`geomean`, the default: every game weighs alike, by
its relative gain), the interquartile mean of the games' HNS (`hns`, the suite's measure), or the
agent steps a run needs to a running reward (`steps`: the median over the runs; a run that never
gets there counts twice the budget). While a run trains, every `report_every` agent steps the pruner
is told the trial's objective so far: the runs finished (their evaluations) with this run's running
score in its place (`steps`: this run's distance to the target). It may stop the trial: the run saves
its checkpoint and the trial ends pruned. A trial cut mid-way (Ctrl-C, a lost worker)
goes on from its runs' checkpoints when it is run again: nothing finished is redone.
"""

from __future__ import annotations

import csv
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from pgcli.base import references
from pgcli.benchmark.suite import (Suite, evaluate_run, evaluated_games, grid, run_name, settle_suite,
                                      status)
from pgcli.benchmark.stats import iqm
from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.metrics import find_metrics, open_metrics

OBJECTIVES = ("geomean", "hns", "steps")
HNS_FLOOR = 1e-3
"""`geomean` counts a game's HNS as at least this (0.1 % of the way from random to human): the log of a
score at or below random has no value."""


@dataclass
class TuneSpec:
    """What a study is; kept in DIR/tune.json, so running the command again continues it."""

    games: tuple[str, ...] = ("space_invaders", "seaquest", "beam_rider")  # not the benchmark suite's
    seeds: tuple[int, ...] = (1, 2)
    steps: int = 2_000_000  # agent steps per run
    eval_games: int = 30  # the benchmark's protocol
    objective: str = "geomean"  # or "hns", or "steps": agent steps to `target` running reward
    target: float | None = None  # the running reward the `steps` objective counts to
    report_every: int = 500_000  # agent steps between the pruner's looks
    recipe: dict = field(default_factory=dict)  # flags fixed for every trial
    space: tuple[str, ...] = ()  # the searched parameters, as `--param` spells them (() = the default space)
    save_every: int = 200  # episodes between a run's checkpoints
    keep_states: bool = False  # keep each finished trial's full training states (else weights-only exports)
    study_name: str = "pgcli-tune"
    storage: str | None = None  # an SQLAlchemy URL; None: DIR/study.db

    def __post_init__(self):
        self.games, self.seeds, self.space = tuple(self.games), tuple(int(s) for s in self.seeds), tuple(self.space)
        if self.objective not in OBJECTIVES:
            raise PgcliError(f"--objective must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}")
        if self.objective == "steps" and self.target is None:
            raise PgcliError("--objective steps counts agent steps to a running reward: give --target (e.g. 18)")

    @property
    def direction(self) -> str:
        return "minimize" if self.objective == "steps" else "maximize"

    def suite(self, recipe: dict) -> dict:
        """The benchmark suite a trial with `recipe` runs, as `settle_suite` takes it."""
        return {"games": self.games, "seeds": self.seeds, "steps": self.steps, "eval_games": self.eval_games,
                "recipe": recipe, "save_every": self.save_every}

    def to_dict(self) -> dict:
        return asdict(self)


class Pruned(Exception):
    """The pruner stopped the trial (its run saved its checkpoint first)."""


class Watch:
    """A run's episodes -> the pruner's reports every `every` agent steps; `stop()` once it prunes.
    `before`: the HNS of the trial's runs finished before this one, by game."""

    def __init__(self, spec: TuneSpec, game: str, offset: int, reporter, before: dict | None = None):
        self.spec, self.game, self.offset, self.reporter = spec, game, offset, reporter
        self.before = before or {}
        self.next, self.pruned = spec.report_every, False

    def value(self, running: float) -> float:
        """The trial so far: the objective over the finished runs and this one's running score, each
        game the mean of its runs (so every trial at the same agent step is scored on the same runs)."""
        if self.spec.objective == "steps":
            return self.spec.target - running  # how far from the target: lower is better
        h = references.hns(self.game, running)
        if h is None:
            return running
        games = {g: list(v) for g, v in self.before.items()}
        games.setdefault(self.game, []).append(h)
        return objective_value(self.spec.objective, {g: statistics.fmean(v) for g, v in games.items()})

    def __call__(self, st) -> None:
        if self.pruned or st.total_steps < self.next or st.running_reward is None:
            return
        self.next = (st.total_steps // self.spec.report_every + 1) * self.spec.report_every
        self.reporter.report(self.value(st.running_reward), self.offset + st.total_steps)
        self.pruned = self.reporter.should_prune()

    def stop(self) -> bool:
        return self.pruned


def default_train(overrides, path, resume, save_every, on_episode, stop, until_reward):
    from pgcli.commands.train import Budget, Hooks, Saving, train

    train(overrides, path, Budget(stop=stop, until_reward=until_reward), resume=resume, saving=Saving(every=save_every),
          hooks=Hooks(on_episode=on_episode))


def run_trial(folder: Path, spec: TuneSpec, recipe: dict, reporter, train_run: Callable = default_train) -> dict:
    """Train and score one trial in `folder` -> {"value", "minutes", "agent_steps", "games": {...}};
    raises Pruned when the pruner stops it."""
    folder = Path(folder)
    suite = settle_suite(folder, spec.suite(recipe))
    for i, st in enumerate(status(folder, suite)):
        path = folder / f"{run_name(st.game, st.seed)}.p"
        if not _done(folder, spec, suite, st):
            before = {} if spec.objective == "steps" else _evaluated_hns(folder, suite)
            watch = Watch(spec, st.game, i * spec.steps, reporter, before)
            overrides = {**suite.recipe, "algo": "ppo", "env_id": st.game, "seed": st.seed, "lr_anneal_steps": spec.steps}
            train_run({} if path.exists() else overrides, path, path if path.exists() else None, suite.save_every,
                      watch, watch.stop, spec.target if spec.objective == "steps" else None)
            if watch.pruned:
                raise Pruned(f"{run_name(st.game, st.seed)} at {checkpoint.read_meta(path)['steps']:,} agent steps")
            if not _done(folder, spec, suite, st):  # stopped short (Ctrl-C is a Stopped from train_run)
                raise PgcliError(f"{path}: the run stopped before its budget; run the command again to continue it")
        if spec.objective != "steps" and evaluated_games(folder / f"{run_name(st.game, st.seed)}.evaluate.json") != spec.eval_games:
            evaluate_run(folder, suite, st.game, st.seed)
    return score(folder, spec, suite)


def _evaluated_hns(folder: Path, suite: Suite) -> dict[str, list[float]]:
    """Each game's runs evaluated so far, as HNS (Agent57's table), one a seed: the benchmark's report
    reads the evaluations. Games without a human score are left out."""
    from pgcli.benchmark.report import build

    return {g["game"]: [references.hns(g["game"], x) for x in g["scores"]]
            for g in build(folder, suite)["games"] if g["scores"] and g["hns_agent57"] is not None}


def slim(folder: Path) -> int:
    """A finished trial's runs as weights-only exports (float32: the agent, its counters, its running
    reward; no optimizer state), about a sixth of a training state's bytes: a study of 40 trials of 6
    runs keeps ~2.5 GB instead of ~15. Every command still plays, evaluates and reports them. -> bytes freed."""
    from pgcli.files.atomic import atomic_write

    freed = 0
    for path in sorted(Path(folder).glob("*.p")):
        if "exported_from" in checkpoint.read_meta(path):
            continue
        before = path.stat().st_size
        data = checkpoint.encode(checkpoint.export_weights(checkpoint.load(path)))
        atomic_write(path, data)
        freed += before - len(data)
    return freed


def _done(folder: Path, spec: TuneSpec, suite: Suite, st) -> bool:
    """A run is done at its budget, or (the `steps` objective) once its running reward reached the target."""
    path = folder / f"{run_name(st.game, st.seed)}.p"
    if not path.exists():
        return False
    meta = checkpoint.read_meta(path)
    if int(meta.get("steps", 0)) >= suite.steps:
        return True
    return spec.objective == "steps" and steps_to(folder, st.game, st.seed, spec.target) is not None


def steps_to(folder: Path, game: str, seed: int, target: float) -> int | None:
    """The agent steps at which a run's running reward first reached `target` (None: not yet)."""
    path = find_metrics(folder, run_name(game, seed))
    if path is None:
        return None
    with open_metrics(path) as f:
        for row in csv.DictReader(f):
            if row.get("running_reward") and row["cut"] != "1" and float(row["running_reward"]) >= target:
                return int(row["total_steps"])
    return None


def score(folder: Path, spec: TuneSpec, suite: Suite) -> dict:
    """The trial's objective, its minutes and agent steps, and each game's part."""
    metas = {(g, s): checkpoint.read_meta(folder / f"{run_name(g, s)}.p") for g, s in grid(spec.games, spec.seeds)}
    minutes = sum(float(m.get("seconds", 0.0)) for m in metas.values()) / 60
    agent_steps = sum(int(m.get("steps", 0)) for m in metas.values())
    if spec.objective == "steps":
        per_run = {run_name(g, s): steps_to(folder, g, s, spec.target) or 2 * spec.steps for g, s in metas}
        value = float(statistics.median(per_run.values()))
        return {"value": value, "minutes": minutes, "agent_steps": agent_steps, "runs": per_run}
    from pgcli.benchmark.report import build

    rep = build(folder, suite)
    games = {g["game"]: g["hns_agent57"] for g in rep["games"]}
    if None in games.values():
        missing = [g for g, h in games.items() if h is None]
        raise PgcliError(f"no human score for {', '.join(missing)}: the {spec.objective} objective needs games of Agent57's table")
    return {"value": objective_value(spec.objective, games), "minutes": minutes, "agent_steps": agent_steps, "games": games}


def objective_value(objective: str, hns_by_game: dict[str, float]) -> float:
    """The games' HNS -> the trial's value. `hns`: their interquartile mean (the mean for 1-3 games), the
    suite's measure; at short budgets one game's (PPO's defaults at 1M agent steps: Space Invaders 0.17,
    Seaquest 0.014, Beam Rider 0.007). `geomean`: their geometric mean, each at least HNS_FLOOR: every
    game counts by its relative gain (twice the score above random on any game lifts it alike), and
    divided by the defaults' it is the geometric mean of the games' gains over them."""
    values = list(hns_by_game.values())
    if objective == "hns":
        return float(iqm(values))  # under 4 games nothing is trimmed: the mean
    return float(math.exp(sum(math.log(max(h, HNS_FLOOR)) for h in values) / len(values)))


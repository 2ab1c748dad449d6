"""`pgcli benchmark`: one recipe, a suite of games, each an ordinary pgcli run in one folder.

    DIR/suite.json              what the suite is (its runs: games and seeds; agent-step budget, evaluation protocol)
    DIR/<game>-s<seed>.p        each run's checkpoint, with <game>-s<seed>.metrics.csv beside it
    DIR/<game>-s<seed>.evaluate.json   the final agent, evaluated by the protocol below
    DIR/report.json, report.md, report.png   made by `benchmark_report` from the files above

A run trains PPO's defaults with the learning rate annealed to 0 over the budget
(`--lr-anneal-steps`), so the run ends itself at the budget; runs go one at a time, in order.
Re-running the same command continues: a finished run (its checkpoint at the budget) is never
trained again, an unfinished one resumes from its checkpoint (at most one checkpoint interval of
one game is lost to a kill), an evaluated one is never evaluated again (unless the suite's `eval_games`
changed: then each final agent plays again with that many games; training is untouched).
Evaluation protocol (Machado et al. 2018, as Atari-5 and CleanRL report): sticky actions 0.25,
whole games (a lost life ends nothing), at most 108,000 frames a game, `eval_games` games
sampled from the policy with seed `eval_seed`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from pgcli.base.errors import PgcliError
from pgcli.files import checkpoint
from pgcli.files.atomic import atomic_write

ATARI5_GAMES = ("battle_zone", "double_dunk", "name_this_game", "phoenix", "qbert")
SUITE = ATARI5_GAMES + ("pong", "breakout", "boxing")
"""The default suite: Atari-5 (its five games predict the 57-game median) plus Pong, Breakout, Boxing."""
SUITE_FILE = "suite.json"
EVAL_STICKY = 0.25


def grid(games: tuple[str, ...], seeds: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    """Every game at every seed, in the order they are trained: every game's first seed, then the next."""
    return tuple((g, s) for s in seeds for g in games)


@dataclass
class Suite:
    runs: tuple[tuple[str, int], ...] = grid(SUITE, (1,))  # (game, seed) in the order they are trained
    steps: int = 10_000_000  # agent steps per run
    eval_games: int = 30  # a game's score varies much (Q*bert's: ~4,500 a game): 30 games, a standard error of ~800
    eval_seed: int = 0
    save_every: int = 200  # episodes between checkpoints
    recipe: dict = field(default_factory=dict)  # training flags on top of PPO's defaults, the same for every game

    def __post_init__(self):  # from JSON (or Ray's copy) lists come back: one spelling, tuples
        self.runs = tuple((str(g), int(s)) for g, s in self.runs)

    @property
    def games(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g for g, _ in self.runs))

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(s for _, s in self.runs))

    def seeds_of(self, game: str) -> tuple[int, ...]:
        return tuple(s for g, s in self.runs if g == game)


def parse_recipe(pairs: tuple[str, ...]) -> dict:
    """('background=pixel', 'epochs=4') -> {'background': 'pixel', 'epochs': 4}: Config fields (as the
    flags spell them or as fields), values of the field's type, checked as a PPO run would be."""
    import dataclasses

    from pgcli.base.config import FLAG_NAMES, OPTIONAL_FLOATS, Config, for_new_run

    names = {f.name: f.name for f in dataclasses.fields(Config)}
    names.update({flag[2:]: field for field, flags in FLAG_NAMES.items() for flag in flags})
    names.update({f.replace("_", "-"): f for f in list(names.values())})
    fixed = ("algo", "env_id", "seed", "lr_anneal_steps")  # the suite decides these
    recipe, defaults = {}, Config(algo="ppo")
    for pair in pairs:
        key, eq, text = pair.partition("=")
        field = names.get(key.strip())
        if not eq or field is None or field in fixed:
            raise PgcliError(f"--recipe takes field=value pairs of pgcli train's flags (not {', '.join(fixed)}), got {pair!r}")
        kind = float if field in OPTIONAL_FLOATS else type(getattr(defaults, field))
        try:
            value = (text.strip().lower() in ("1", "true", "on", "yes")) if kind is bool else kind(text.strip())
        except ValueError:
            raise PgcliError(f"--recipe {key}: expected {'an integer' if kind is int else 'a number'}, got {text!r}") from None
        recipe[field] = value
    for_new_run({**recipe, "algo": "ppo", "lr_anneal_steps": 1})  # one line naming a bad value (the suite sets the horizon)
    return recipe


def run_name(game: str, seed: int) -> str:
    return f"{game}-s{seed}"


def run_of(name: str) -> tuple[str, int]:
    """'qbert-s1' -> ('qbert', 1), as `run_name` spells it."""
    game, _, seed = name.rpartition("-s")
    if not game:
        raise ValueError(f"{name!r} is not a run's name (game-s<seed>)")
    return game, int(seed)


def settle_suite(folder: Path, given: dict) -> Suite:
    """The folder's suite, with what the user gave on top; a suite.json is written for a new folder.
    The runs are every given game at every given seed (for a folder, its own games or seeds stand in
    for the ones not given): more games or seeds extend a folder's suite, and `games` with `seeds`
    adds just those runs (3 seeds for the games that decide the median, one for the others).
    Another number of evaluation games re-evaluates the finished runs with it; giving a folder that
    holds another suite a different budget or recipe is refused in one line."""
    folder = Path(folder)
    if "games" in given:
        given = {**given, "games": tuple(_rom(g) for g in given["games"])}
    path = folder / SUITE_FILE
    if path.exists():
        try:
            stored = json.loads(path.read_text())
            if "games" in stored:  # a folder begun before runs were listed: every game at every seed
                stored["runs"] = grid(stored.pop("games"), stored.pop("seeds", (1,)))
            else:  # listed by their files' names: "qbert-s1"
                stored["runs"] = [run_of(name) for name in stored["runs"]]
            suite = Suite(**stored)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise PgcliError(f"{path}: not a pgcli benchmark suite ({type(e).__name__}: {e})") from None
        changed = {k: v for k, v in given.items() if getattr(suite, k) != v and k not in ("games", "seeds", "eval_games")}
        suite.eval_games = given.get("eval_games", suite.eval_games)  # `status` finds the runs to evaluate again
        if "recipe" in changed:
            raise PgcliError(f"{folder} holds a suite with the recipe {describe_recipe(suite.recipe)}: a new recipe "
                             "needs its own folder (-o)")
        if changed:
            what = ", ".join(f"{k} {getattr(suite, k)}" for k in changed)
            raise PgcliError(f"{folder} holds a suite with {what}: continue it without those flags, or use another -o")
        # more games or seeds extend the suite: what is finished stays finished
        more = grid(given.get("games", suite.games), given.get("seeds", suite.seeds)) if {"games", "seeds"} & set(given) else ()
        suite.runs = tuple(dict.fromkeys(suite.runs + more))
    else:
        rest = {k: v for k, v in given.items() if k not in ("games", "seeds")}
        suite = Suite(runs=grid(given.get("games", SUITE), given.get("seeds", (1,))), **rest)
    if not folder.exists():
        folder.mkdir(parents=True)
    elif not folder.is_dir():
        raise PgcliError(f"{folder}: not a folder")
    stored = {**asdict(suite), "runs": [run_name(g, s) for g, s in suite.runs]}
    atomic_write(path, (json.dumps(stored, indent=1) + "\n").encode())
    return suite


def describe_recipe(recipe: dict) -> str:
    """'PPO's defaults' or 'PPO's defaults with background=pixel, epochs=4'."""
    return "PPO's defaults" + (" with " + ", ".join(f"{k}={v}" for k, v in recipe.items()) if recipe else "")


def _rom(name: str) -> str:
    """`qbert`, `Qbert`, `name-this-game` or `ALE/Qbert-v5` -> the ROM name (one line if unknown)."""
    from pgcli.base.envs import env_settings

    return env_settings(name.strip()).game


@dataclass
class RunStatus:
    game: str
    seed: int
    steps: int = 0  # agent steps trained so far
    seconds: float = 0.0
    finished: bool = False
    evaluated: bool = False


@dataclass
class SuiteProgress:
    """What `run_suite` reports between runs (`on_run`): the runs, and which one starts now."""

    runs: list[RunStatus] = field(default_factory=list)
    current: int = -1
    budget: int = 0  # agent steps per run (the suite's --steps)

    def line(self) -> str:
        done = sum(r.finished for r in self.runs)
        r = self.runs[self.current]
        trained, total = sum(min(x.steps, self.budget) for x in self.runs), self.budget * len(self.runs)
        return (f"benchmark: run {self.current + 1} of {len(self.runs)}, {r.game} seed {r.seed} "
                f"({'resumed at ' + format(r.steps, ',') + ' agent steps' if r.steps else 'new'}); "
                f"{done} finished, {len(self.runs) - done} to go; {millions(trained)} of {millions(total)} "
                f"agent steps trained ({trained / max(total, 1):.0%}, {sum(x.seconds for x in self.runs) / 3600:.1f} h)")


def millions(steps: int) -> str:
    """10000000 -> '10M', 2450000 -> '2.45M', 31000 -> '0.031M'."""
    return f"{steps / 1e6:.3g}M"


def status(folder: Path, suite: Suite) -> list[RunStatus]:
    out = []
    for game, seed in suite.runs:
        st = RunStatus(game, seed)
        path = Path(folder) / f"{run_name(game, seed)}.p"
        if path.exists():
            meta = checkpoint.read_meta(path)  # the header only: a status reads no arrays
            st.steps, st.seconds = int(meta.get("steps", 0)), float(meta.get("seconds", 0.0))
            st.finished = st.steps >= suite.steps
        st.evaluated = evaluated_games(Path(folder) / f"{run_name(game, seed)}.evaluate.json") == suite.eval_games
        out.append(st)
    return out


def evaluated_games(path: Path) -> int | None:
    """How many games an evaluation file holds (None without a readable one: evaluate it again)."""
    try:
        return int(json.loads(path.read_text())["episodes"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def run_suite(folder: Path, suite: Suite, train_run: Callable, on_run: Callable[[SuiteProgress], None] = lambda p: None,
              on_evaluated: Callable[[dict], None] = lambda r: None) -> list[RunStatus]:
    """Train what is unfinished and evaluate what is not evaluated, one run at a time.
    `train_run(overrides, output, resume)` trains one run to its budget (the CLI passes
    `commands.train.train` with its progress display); a Stopped from it stops the suite."""
    folder = Path(folder)
    progress = SuiteProgress(status(folder, suite), budget=suite.steps)
    for i, st in enumerate(progress.runs):
        if not st.finished:
            progress.current = i
            on_run(progress)
        res = finish_run(folder, suite, st, train_run)
        if res is not None:
            on_evaluated(res)
    return progress.runs


def finish_run(folder: Path, suite: Suite, st: RunStatus, train_run: Callable) -> dict | None:
    """One run of the suite to its end: trained to the budget (resumed from its checkpoint if it
    has one), then evaluated -> the evaluation, or None if it was evaluated before. Doing it again
    redoes nothing, so a lost Ray task is simply run again (`benchmark_ray`)."""
    path = Path(folder) / f"{run_name(st.game, st.seed)}.p"
    if not st.finished:
        overrides = {**suite.recipe, "algo": "ppo", "env_id": st.game, "seed": st.seed, "lr_anneal_steps": suite.steps}
        train_run({} if path.exists() else overrides, path, path if path.exists() else None)
        meta = checkpoint.read_meta(path)  # the header only: a status reads no arrays
        st.steps, st.seconds, st.finished = int(meta["steps"]), float(meta["seconds"]), True
    if st.evaluated:
        return None
    res = evaluate_run(folder, suite, st.game, st.seed)
    st.evaluated = True
    return res


def evaluate_run(folder: Path, suite: Suite, game: str, seed: int) -> dict:
    """Evaluate a run's final agent by the suite's protocol -> the result, also kept beside the run."""
    from pgcli.files.agents import load_agent
    from pgcli.commands.evaluate import evaluate

    name = run_name(game, seed)
    agent = load_agent(Path(folder) / f"{name}.p", sticky_actions=EVAL_STICKY)
    res = evaluate(agent, suite.eval_games, suite.eval_seed)
    res["run"] = name
    atomic_write(Path(folder) / f"{name}.evaluate.json", (json.dumps(res, indent=1) + "\n").encode())
    return res

"""`pgcli tune`'s study: Optuna's ask and tell over trials run here or as Ray tasks.

    DIR/tune.json        what the study is (games, seeds, budget, objective, space, fixed recipe)
    DIR/study.db         the Optuna study (SQLite), unless --storage names another database
    DIR/trial-NNNN/      each trial's runs (`pgcli.tune.trial`)
    DIR/tune.md, tune.json's report, tune.png   the report (`pgcli.tune.report`)

Why Optuna's own ask/tell and not Ray Tune: the trials are already whole processes' worth of work
(pgcli runs of millions of agent steps), so a trial maps onto one Ray task as the benchmark's runs do,
with Ray's retries for a lost worker; Optuna keeps the study in a database a user can open with
`optuna-dashboard`, and the TPE sampler and percentile pruner need nothing more. Ray Tune would add its
own trial runner, checkpointing and results folders beside pgcli's, for no gain here.

Resuming: running the command again opens the same study. Trials left running by a process that is
gone (Ctrl-C, a kill, a reboot) are marked failed and enqueued again with their parameters and their
folder, so their runs go on from their checkpoints. One `pgcli tune` at a time drives a study.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Callable

from pgcli.base.errors import PgcliError
from pgcli.files.atomic import atomic_write
from pgcli.tune.report import part_shown, shown
from pgcli.tune.space import DEFAULT_SPACE, defaults, parse_param, recipe_of
from pgcli.tune.trial import Pruned, TuneSpec, run_trial, slim

SPEC_FILE = "tune.json"
CPUS_PER_TRIAL = 2
RETRIES = 3


def optuna_module():
    try:
        import optuna
    except ImportError:
        raise PgcliError("pgcli tune needs Optuna: pip install 'pgcli[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def settle(folder: Path, given: dict) -> TuneSpec:
    """The folder's study, or a new one from `given`; a folder's study with other settings is refused."""
    path = Path(folder) / SPEC_FILE
    if path.exists():
        try:
            spec = TuneSpec(**json.loads(path.read_text()))
        except (ValueError, TypeError) as e:
            raise PgcliError(f"{path}: not a pgcli tune study ({type(e).__name__}: {e})") from None
        changed = [k for k, v in given.items() if getattr(spec, k) != v]
        if changed:
            raise PgcliError(f"{folder} holds a study with other {', '.join(changed)}: continue it without those "
                             "flags, or use another -o")
        return spec
    spec = TuneSpec(**given)
    space(spec)  # one line for a bad --param before anything is written
    Path(folder).mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(spec.to_dict(), indent=1) + "\n").encode())
    return spec


def space(spec: TuneSpec):
    return [parse_param(p) for p in spec.space] if spec.space else list(DEFAULT_SPACE)


def storage_url(folder: Path, spec: TuneSpec) -> str:
    return spec.storage or f"sqlite:///{(Path(folder) / 'study.db').resolve()}"


def open_study(folder: Path, spec: TuneSpec):
    optuna = optuna_module()
    study = optuna.create_study(
        study_name=spec.study_name, storage=storage_url(folder, spec), direction=spec.direction, load_if_exists=True,
        pruner=pruner(optuna, spec))
    study.sampler = sampler(optuna, len(study.get_trials(deepcopy=False)))
    return study


KEEP_PERCENT = 75.0
"""Optuna's percentile pruner keeps the trials in the top KEEP_PERCENT of the earlier ones at the same
agent step and stops the bottom quarter. A trial is looked at every 0.5M agent steps of each of its
runs (up to 12 times for 3 games x 2 seeds at 1M): the median pruner (50) would stop nearly every
recipe no better than the median at one of those looks by noise alone."""


def pruner(optuna, spec: TuneSpec):
    """Optuna's percentile pruner, after 4 finished trials, and once every game has been played: past
    the first runs of all games but one, and the first 1M agent steps (or half a run) of the next."""
    warmup = (len(spec.games) - 1) * spec.steps + min(2 * spec.report_every, spec.steps // 2)
    return optuna.pruners.PercentilePruner(KEEP_PERCENT, n_startup_trials=4, n_warmup_steps=warmup)


RANDOM_TRIALS = 5
"""TPE draws at random until this many trials have finished (Optuna's default is 10). A pgcli trial
costs 45-75 minutes on 2 cores (3 games x 2 seeds x 1M agent steps), so a study gets 10-20 of them: at
10, half of it would be random draws. The first trial is PPO's defaults, a good point TPE builds on."""


def sampler(optuna, trials_so_far: int):
    """TPE, seeded by how many trials the study holds: reproducible, yet a study continued by a new
    process draws new recipes (seeded alike each time, its random first trials would repeat the last
    process's, one for one)."""
    return optuna.samplers.TPESampler(seed=trials_so_far, n_startup_trials=RANDOM_TRIALS, multivariate=True,
                                      constant_liar=True)


def begin(folder: Path, spec: TuneSpec, on_event: Callable[[str], None]):
    """Open the study to run its trials: a new one's first trial is PPO's defaults (when every searched
    range holds its default: else no trial is); trials cut short are enqueued again (`recover`)."""
    study = open_study(folder, spec)
    searched = space(spec)
    base = defaults(searched)
    if not study.get_trials(deepcopy=False) and len(base) == len(searched):
        study.enqueue_trial(base, user_attrs={"defaults": True})
    for n, name in recover(study):
        on_event(f"trial {n} was cut short: it runs again as a new trial in {name}, from its runs' checkpoints")
    for t in finished(study):  # ones a process stopped before it slimmed them
        tidy(folder, spec, t.user_attrs.get("folder"))
    return study


def finished(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))


def tidy(folder: Path, spec: TuneSpec, name: str | None) -> None:
    """A finished trial's runs kept as weights (`trial.slim`) unless the study keeps its training states."""
    if name and not spec.keep_states and (Path(folder) / name).is_dir():
        slim(Path(folder) / name)


def recover(study) -> list[tuple[int, str]]:
    """Trials left running by a process that is gone -> failed, and enqueued again with their parameters
    and folder (their runs go on from their checkpoints). -> (number, folder) of each trial recovered."""
    from optuna.trial import TrialState

    out = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
        kept = {k: v for k, v in t.user_attrs.items() if k == "defaults"}
        name = t.user_attrs.get("folder", folder_name(t.number))
        study.enqueue_trial(t.params, user_attrs={"folder": name, **kept})
        out.append((t.number, name))
    return out


def folder_name(number: int) -> str:
    return f"trial-{number:04d}"


def counted(study) -> int:
    """Trials that count toward --trials: completed or pruned."""
    return len(finished(study))


def start_trial(study, spec: TuneSpec) -> tuple:
    """Ask for a trial -> (trial, its recipe, its folder name)."""
    trial = study.ask()
    recipe = recipe_of({p.name: p.sample(trial) for p in space(spec)}, spec.recipe)
    name = trial.user_attrs.get("folder") or folder_name(trial.number)
    trial.set_user_attr("folder", name)
    trial.set_user_attr("recipe", recipe)
    return trial, recipe, name


def finish(study, spec: TuneSpec, trial, out: dict) -> str:
    """Tell the study how a trial ended -> one line for the terminal."""
    from optuna.trial import TrialState

    if "pruned" in out:
        study.tell(trial, state=TrialState.PRUNED)
        return f"trial {trial.number}: pruned ({out['pruned']})"
    for k in ("minutes", "agent_steps"):
        trial.set_user_attr(k, out[k])
    parts = out.get("games") or out.get("runs")  # each game's HNS, or each run's agent steps
    trial.set_user_attr("parts", parts)
    study.tell(trial, out["value"])
    best = study.best_trial
    return (f"trial {trial.number}: {shown(out['value'], spec.objective)}{versus_defaults(study, spec, out['value'])} "
            f"({', '.join(f'{k} {part_shown(v, spec.objective)}' for k, v in parts.items())}) in {out['minutes']:.1f} min; "
            f"best so far: trial {best.number}, {shown(best.value, spec.objective)}")


def versus_defaults(study, spec: TuneSpec, value: float) -> str:
    """', 1.12x the defaults' for the geomean objective once PPO's defaults have a value, else ''."""
    base = [t.value for t in finished(study) if t.user_attrs.get("defaults") and t.value]
    return f", {value / base[0]:.2f}x the defaults" if spec.objective == "geomean" and base else ""


class OptunaReporter:
    """The pruner's side of a running trial (`Watch` reports through it)."""

    def __init__(self, trial):
        self.trial = trial

    def report(self, value: float, step: int) -> None:
        self.trial.report(value, step)

    def should_prune(self) -> bool:
        return self.trial.should_prune()


def run_here(folder: Path, spec: TuneSpec, trials: int, train_run: Callable | None = None,
             on_event: Callable[[str], None] = lambda m: None) -> None:
    """The study's trials one after another in this process, until `trials` have completed or pruned."""
    study = begin(folder, spec, on_event)
    while counted(study) < trials:
        trial, recipe, name = start_trial(study, spec)
        on_event(f"trial {trial.number} ({counted(study) + 1} of {trials}): {name}")
        kw = {} if train_run is None else {"train_run": train_run}
        try:
            out = run_trial(Path(folder) / name, spec, recipe, OptunaReporter(trial), **kw)
        except Pruned as e:
            out = {"pruned": str(e)}
        on_event(finish(study, spec, trial, out))
        tidy(folder, spec, name)


def trial_task(folder: str, spec: dict, storage: str, study_name: str, trial_id: int, recipe: dict) -> dict:
    """In a Ray worker: run one trial, reporting to the study's database -> its result, or
    {"pruned": ...} / {"error": ...}."""
    optuna = optuna_module()
    study = optuna.load_study(study_name=study_name, storage=storage)
    trial = optuna.trial.Trial(study, trial_id)
    try:
        return run_trial(Path(folder), TuneSpec(**spec), recipe, OptunaReporter(trial))
    except Pruned as e:
        return {"pruned": str(e)}
    except PgcliError as e:
        return {"error": str(e)}


def run_on_ray(folder: Path, spec: TuneSpec, trials: int, parallel: int | None, address: str | None,
               on_event: Callable[[str], None] = lambda m: None) -> None:
    """Up to `parallel` trials at once, each a Ray task of 2 cores (or as many as the cluster at
    `address` has room for); a task whose worker is lost runs again (its runs resume)."""
    from pgcli.cluster.remote import connect

    study = begin(folder, spec, on_event)
    if counted(study) >= trials:
        return
    started = connect(address, (parallel or 1) * CPUS_PER_TRIAL)
    import ray

    width = parallel or max(1, int(ray.cluster_resources().get("CPU", CPUS_PER_TRIAL)) // CPUS_PER_TRIAL)
    task = ray.remote(num_cpus=CPUS_PER_TRIAL, max_retries=RETRIES)(trial_task)
    pending: dict = {}
    spec_dict = {f.name: getattr(spec, f.name) for f in fields(spec)}
    try:
        while counted(study) + len(pending) < trials or pending:
            while counted(study) + len(pending) < trials and len(pending) < width:
                trial, recipe, name = start_trial(study, spec)
                ref = task.remote(str((Path(folder) / name).resolve()), spec_dict, storage_url(folder, spec),
                                  spec.study_name, trial._trial_id, recipe)
                pending[ref] = trial
                on_event(f"trial {trial.number}: {name}, a Ray task")
            done, _ = ray.wait(list(pending), num_returns=1)
            trial = pending.pop(done[0])
            try:
                out = ray.get(done[0])
            except ray.exceptions.RayError as e:
                raise PgcliError(f"trial {trial.number}: its Ray task was lost {RETRIES + 1} times "
                                 f"({type(e).__name__}); run the same command again to continue it") from None
            if "error" in out:
                raise PgcliError(f"trial {trial.number}: {out['error']}")
            on_event(finish(study, spec, trial, out))
            tidy(folder, spec, trial.user_attrs.get("folder"))
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()

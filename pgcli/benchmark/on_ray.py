"""`pgcli benchmark --parallel N` / `--ray-address ADDRESS`: the suite's runs as Ray tasks.

Each unfinished run (a game and a seed) is one task with `CPUS_PER_RUN` cores: it trains the run to
its budget and evaluates it (`benchmark.finish_run`), in the suite's folder, which every node must
see (a shared file system on a cluster). Ray runs the tasks as cores free up; when a task's process
dies (a lost node, a killed worker) Ray runs it again, and since a run resumes from its last
checkpoint the retry loses at most one checkpoint interval. Nothing here schedules: Ray does.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable

from pgcli.benchmark.suite import RunStatus, Suite, finish_run, run_name, status
from pgcli.base.errors import PgcliError, Stopped

CPUS_PER_RUN = 2  # a run plays its 32 games in 2 groups, an emulator thread per core (docs/speed.md)
RETRIES = 3  # times Ray runs a task again whose process died


def run_task(folder: str, suite: dict, game: str, seed: int) -> dict:
    """In a Ray worker: train and evaluate one run -> {"run", "evaluation"} or {"run", "error"}."""
    from pgcli.commands.train import Saving, train

    folder, suite = Path(folder), Suite(**suite)
    st = next(r for r in status(folder, suite) if (r.game, r.seed) == (game, seed))
    try:
        res = finish_run(folder, suite, st,
                         lambda overrides, path, resume: train(overrides, path, resume=resume, saving=Saving(every=suite.save_every)))
    except PgcliError as e:  # a mistake is said once, not retried
        return {"run": run_name(game, seed), "error": str(e)}
    return {"run": run_name(game, seed), "evaluation": res}


def run_suite_on_ray(folder: Path, suite: Suite, parallel: int | None, address: str | None,
                     on_event: Callable[[str], None] = lambda m: None,
                     on_evaluated: Callable[[dict], None] = lambda r: None) -> list[RunStatus]:
    """Every unfinished or unevaluated run as a Ray task, `parallel` at a time on a Ray of this
    machine's (or as many as the cluster at `address` has cores for); -> the runs' status after."""
    from pgcli.cluster.remote import connect

    todo = [st for st in status(folder, suite) if not (st.finished and st.evaluated)]
    if not todo:
        return status(folder, suite)
    started = connect(address, (parallel or 1) * CPUS_PER_RUN)
    import ray

    task = ray.remote(num_cpus=CPUS_PER_RUN, max_retries=RETRIES)(run_task)
    pending = {task.remote(str(Path(folder).resolve()), asdict(suite), st.game, st.seed): run_name(st.game, st.seed)
               for st in todo}
    on_event(f"benchmark: {len(todo)} runs as Ray tasks ({CPUS_PER_RUN} cores each"
             + (f", {parallel} at a time" if parallel else f", on the cluster at {address}") + ")")
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            name = pending.pop(done[0])
            try:
                out = ray.get(done[0])
            except ray.exceptions.RayError as e:  # retried RETRIES times and lost every time
                raise PgcliError(f"{name}: its Ray task was lost {RETRIES + 1} times ({type(e).__name__}); "
                                 f"run the same command again to continue from its checkpoint") from None
            if "error" in out:
                raise PgcliError(f"{name}: {out['error']}")
            if out["evaluation"] is not None:
                on_evaluated(out["evaluation"])
    except KeyboardInterrupt:
        raise Stopped(f"stopped with {len(pending)} runs unfinished; each keeps its last checkpoint "
                      "(continue the suite with the same command)", 2) from None
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
    return status(folder, suite)

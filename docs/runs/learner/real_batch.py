"""Capture one real PPO batch from a training run, then time the learner on it.

    python docs/runs/learner/real_batch.py capture --game enduro --seed 1 --at 200000 -o /tmp/enduro.npz
    python docs/runs/learner/real_batch.py time /tmp/enduro.npz --repeat 5

`capture` trains PPO's defaults on the game (a real run: `pgcli.train`) and, at the first update
whose batch starts at or after agent step `--at`, saves that batch (the sparse steps, actions,
probabilities, advantages and returns), the weights, Adam's state and PPO's shuffling stream as
they stood before the update, and stops. The file is large (~40-60 MB: the weights and Adam's
moments in float64); keep it out of git.

`time` loads it and runs `PPO.learn` on it (8 epochs x 4 minibatches by default, as the run would),
each repeat from the same starting state, with numpy's BLAS on one thread, and prints the batch's
lit inputs a step and the learner's wall and CPU time per batch and per agent step (min over the
repeats). It also prints a checksum of the weights after the update, so two versions of the
kernels can be compared on the same batch.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import pgcli  # noqa: E402
from pgcli.algos import ppo as ppo_mod  # noqa: E402
from pgcli.base.config import Config  # noqa: E402
from pgcli.core import optim  # noqa: E402
from pgcli.core.network import Policy  # noqa: E402
from pgcli.base.envs import game_id  # noqa: E402
from pgcli.base.run_spec import RunSpec  # noqa: E402

FIELDS = ("signed", "counts", "actions", "p_old", "adv", "ret", "streams")  # ppo.RolloutBatch's fields


class Captured(Exception):
    pass


def capture(game: str, seed: int, at: int, out: str) -> None:
    original = ppo_mod.PPO.learn

    def learn(self, batch):
        if self.learned_steps - len(batch[1]) >= at:  # this batch starts at or after `at`
            arrays, meta = optim.state_dict(self.opt)
            np.savez(out, **{k: v for k, v in zip(FIELDS, batch) if v is not None}, **{f"param_{k}": v for k, v in self.policy.params.items()},
                     **{f"opt_{k}": v for k, v in arrays.items()}, opt_t=meta["opt_t"],
                     config=repr(self.cfg.to_dict()), game=game, at=self.learned_steps - len(batch[1]),
                     shuffle_state=repr(self.rng.bit_generator.state))
            raise Captured
        return original(self, batch)

    ppo_mod.PPO.learn = learn
    cfg = Config(algo="ppo", env_id=game_id(game), seed=seed)
    try:
        pgcli.train(cfg, os.path.join(os.path.dirname(out) or ".", f"capture-{game}.p"), steps=at + 3 * 4096,
                    overwrite=True, save_every=10**9)
    except Captured:
        pass
    except Exception as e:  # the learner thread's exception comes back wrapped by the loop
        if "Captured" not in repr(e) and not isinstance(e.__cause__, Captured):
            raise
    if not os.path.exists(out):
        sys.exit(f"no batch captured: the run ended before agent step {at}")
    print(f"captured {out}")


def load(path: str):
    from ast import literal_eval  # literals only: nothing in the file is executed

    f = np.load(path, allow_pickle=False)
    cfg = Config.from_dict(literal_eval(str(f["config"])))
    params = {k[len("param_"):]: f[k] for k in f.files if k.startswith("param_")}
    opt = {k[len("opt_"):]: f[k] for k in f.files if k.startswith("opt_") and k != "opt_t"}
    batch = tuple(f[k] for k in FIELDS if k in f.files)
    if hasattr(ppo_mod, "RolloutBatch"):
        batch = ppo_mod.RolloutBatch(*batch)
    else:  # pgcli before 0.4 (c6721ac and earlier): a 6-tuple, no streams
        batch = batch[:6]
    return cfg, params, opt, int(f["opt_t"]), batch, literal_eval(str(f["shuffle_state"])), str(f["game"])


def learner(cfg, params, opt, t, shuffle):
    pol = Policy(copy.deepcopy(params))
    algo = ppo_mod.PPO(cfg, pol, np.random.default_rng(0), RunSpec.of(cfg).game)
    optim.load_state_dict(algo.opt, {k: v.copy() for k, v in opt.items()}, {"opt_t": t}, legacy_t=t)
    algo.rng.bit_generator.state = shuffle
    return algo


def time_it(path: str, repeat: int) -> None:
    cfg, params, opt, t, batch, shuffle, game = load(path)
    n = len(batch[1])
    walls, cpus = [], []
    for _ in range(repeat):
        algo = learner(cfg, params, opt, t, shuffle)
        w0, c0 = time.perf_counter(), time.process_time()
        stats = algo.learn(batch)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    W1 = algo.policy.params["W1"]
    print(f"{game}: {n} steps, {batch[1].mean():.1f} lit inputs a step, {stats['epochs']} epochs")
    print(f"learner per batch: wall {min(walls) * 1e3:.0f} ms, CPU {min(cpus) * 1e3:.0f} ms (min of {repeat})")
    print(f"learner per agent step: wall {min(walls) / n * 1e6:.1f} us, CPU {min(cpus) / n * 1e6:.1f} us")
    print(f"weights after: sum {W1.sum():.12e}, sum|.| {np.abs(W1).sum():.12e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--game", default="enduro")
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--at", type=int, default=200_000)
    c.add_argument("-o", "--output", required=True)
    t = sub.add_parser("time")
    t.add_argument("path")
    t.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if a.cmd == "capture":
        capture(a.game, a.seed, a.at, a.output)
    else:
        time_it(a.path, a.repeat)


if __name__ == "__main__":
    main()

"""The golden runs: a few FakePong episodes per algorithm whose weights must keep their numbers.

Portable by design (docs/development.md, "Tests that pass on any machine"): BLAS kernels differ by
CPU and release, so the last bits of a float product do too. Measured on one machine by forcing
OpenBLAS's kernels (OPENBLAS_CORETYPE Haswell / SkylakeX / Sandybridge / Zen), the runs' final
weights differ by at most 5e-9; a deliberate small change of the math moves them by 1e-6 or more
(gamma 0.99 -> 0.989: 1.1e-6 on the seed's run; clip 0.2 -> 0.19, vf_coef 0.5 -> 0.49, lr +0.3 %:
4e-5 to 5e-3). GOLDEN_ATOL sits between: 40x the machines' spread, 5x below the smallest change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakepong import FakePong, fake_scenery

GOLDEN_FILE = Path(__file__).parent / "golden" / "fakepong_runs.npz"
GOLDEN_ATOL = 2e-7  # per weight, absolute (weights are ~0.01-0.5)
KEYS = ("W1", "W2", "Wv", "bv")

FAST = {"optimizer": "adam", "learning_rate": 3e-3, "batch_size": 4, "num_envs": 4, "hidden": 16}
PPO = {"algo": "ppo", "learning_rate": 3e-3, "num_envs": 4, "hidden": 16, "rollout_steps": 15, "minibatches": 2}
BEFORE_NOOP = {"noop": False, "epochs": 4}  # PPO's defaults until NOOP and 8 epochs became them
# (config, episodes): the seed's REINFORCE (RMSProp and Adam) and PPO on Pong, as the version
# before games and inputs (7be416f) made them; "ppo_defaults" is PPO's input and episodic life.
GOLDEN_RUNS = {
    "karpathy": ({"num_envs": 4, "hidden": 16, "seed": 3, "env_id": "Pong-v0", "optimizer": "rmsprop",
                  "learning_rate": 1e-4, "batch_size": 2}, 12),
    "adam": ({**FAST, "seed": 5}, 16),
    "ppo": ({**PPO, **BEFORE_NOOP, "seed": 5, "inputs": "diff", "episodic_life": False}, 16),  # the seed's input
    "ppo_defaults": ({**PPO, **BEFORE_NOOP, "seed": 5}, 16),  # diff+objects+action, episodic life
}


def rng_fingerprint() -> np.ndarray:
    """Draws of the kinds a run makes (normals for the init, uniforms for actions, a permutation
    for PPO's minibatches): equal where numpy's Generator streams are the recorded ones."""
    rng = np.random.default_rng([5, 0x5050])
    return np.concatenate([rng.standard_normal(4), rng.random(4), rng.permutation(8).astype(float)])


def weight_change(name: str, folder: Path, **change) -> dict[str, np.ndarray]:
    """Train the golden run `name` (with `change` to its config) on FakePong -> each weight's change
    from its start, float64."""
    import pgcli.base.scenery as scenery_mod
    import pgcli.commands.train as train_mod
    from pgcli.commands.train import Budget, Saving
    from pgcli.files import checkpoint

    cfg, episodes = GOLDEN_RUNS[name]
    cfg = {**cfg, **change}
    real, real_scenery = train_mod.make_env, scenery_mod.of
    train_mod.make_env = lambda settings, n, render_mode=None: FakePong(n)
    scenery_mod.of = fake_scenery  # no emulator: FakePong's scenery is Pong's
    try:  # the start: no update happens in the first step (a batch is episodes or a rollout away)
        start = checkpoint.load(train_mod.train(cfg, folder / f"{name}.start.p", Budget(steps=1)).output).arrays
        end = checkpoint.load(train_mod.train(cfg, folder / f"{name}.p", Budget(episodes=episodes),
                                              saving=Saving(every=100)).output).arrays
    finally:
        train_mod.make_env, scenery_mod.of = real, real_scenery
    return {k: end[k] - start[k] for k in KEYS if k in end}


def stored_change(golden, name: str) -> dict[str, np.ndarray]:
    """The recorded changes of run `name`, W1 made dense again."""
    out = {}
    for k in KEYS:
        if k == "W1":
            W1 = np.zeros(int(np.prod(golden[f"{name}/W1_shape"])))
            W1[golden[f"{name}/W1_index"]] = golden[f"{name}/W1_change"]
            out[k] = W1.reshape(golden[f"{name}/W1_shape"])
        elif f"{name}/{k}_change" in golden:
            out[k] = golden[f"{name}/{k}_change"]
    return out


def off_by(name: str, golden, folder: Path, **change) -> float:
    """How far a fresh run of `name` (with `change`) lands from the recorded one: max |difference|."""
    got, want = weight_change(name, folder, **change), stored_change(golden, name)
    assert got.keys() == want.keys(), (got.keys(), want.keys())
    return max(float(np.abs(got[k] - want[k]).max()) for k in want)


if __name__ == "__main__":  # python tests/golden_runs.py FOLDER: the worst of the runs, printed
    import sys

    Path(sys.argv[1]).mkdir(parents=True, exist_ok=True)
    print(max(off_by(name, np.load(GOLDEN_FILE), Path(sys.argv[1])) for name in GOLDEN_RUNS))

"""The golden runs: the seed's REINFORCE and PPO keep their numbers on any machine, and a small
change of the math breaks them (tests/golden_runs.py; docs/development.md)."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def golden():
    from golden_runs import GOLDEN_FILE, rng_fingerprint

    g = np.load(GOLDEN_FILE)
    if not np.array_equal(g["rng_fingerprint"], rng_fingerprint()):
        pytest.skip("this numpy's random streams are not the ones the golden runs were recorded with")
    return g


@pytest.mark.parametrize("name", ["karpathy", "adam", "ppo", "ppo_defaults"])
def test_pong_keeps_its_numbers(tmp_path, golden, name):
    """The seed's REINFORCE (RMSProp, Adam) and PPO make the weights they made when recorded, on any
    machine: within GOLDEN_ATOL, far above what BLAS kernels change (tests/golden_runs.py)."""
    from golden_runs import GOLDEN_ATOL, off_by

    assert off_by(name, golden, tmp_path) <= GOLDEN_ATOL


@pytest.mark.parametrize("name, change", [("karpathy", {"gamma": 0.989}), ("adam", {"learning_rate": 3.01e-3}),
                                          ("ppo", {"vf_coef": 0.49}),
                                          ("ppo_defaults", {"clip": 0.19})])
def test_a_small_change_of_the_math_fails_the_golden_check(tmp_path, golden, name, change):
    from golden_runs import GOLDEN_ATOL, off_by

    assert off_by(name, golden, tmp_path, **change) > 5 * GOLDEN_ATOL


def test_the_golden_runs_hold_with_other_blas_kernels(tmp_path, golden):
    """OpenBLAS picks its kernels by CPU; forcing others (as another machine would pick them) must
    stay within the tolerance. A numpy on another BLAS ignores the variable: then this re-checks."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from golden_runs import GOLDEN_ATOL

    here = Path(__file__).parent
    for core in ("Sandybridge", "Haswell"):
        out = subprocess.run([sys.executable, str(here / "golden_runs.py"), str(tmp_path / core)], cwd=here,
                             env={**os.environ, "OPENBLAS_CORETYPE": core}, capture_output=True, text=True, check=True)
        assert float(out.stdout) <= GOLDEN_ATOL, (core, out)

"""Re-record tests/golden/fakepong_runs.npz: the weights a few FakePong episodes make.

Run only after a *deliberate* change of the math, and say in the commit what changed and why:
    python tests/golden/make_golden.py
Stored per run: the change of every weight from its start (W1 sparsely: its non-zero entries),
in float64, and a fingerprint of numpy's random streams (the runs' actions come from them, so a
numpy whose Generator draws other numbers plays other games: the test skips rather than fail).
tests/test_training.py::test_pong_keeps_its_numbers compares a fresh run within GOLDEN_ATOL.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from golden_runs import GOLDEN_FILE, GOLDEN_RUNS, rng_fingerprint, weight_change  # noqa: E402


def main() -> None:
    out = {"rng_fingerprint": rng_fingerprint()}
    with tempfile.TemporaryDirectory() as d:
        for name in GOLDEN_RUNS:
            for k, delta in weight_change(name, Path(d)).items():
                if k == "W1":
                    idx = np.flatnonzero(delta)
                    out[f"{name}/W1_index"], out[f"{name}/W1_change"] = idx.astype(np.int64), delta.ravel()[idx]
                    out[f"{name}/W1_shape"] = np.array(delta.shape)
                else:
                    out[f"{name}/{k}_change"] = delta
    np.savez_compressed(GOLDEN_FILE, **out)
    print(f"wrote {GOLDEN_FILE} ({GOLDEN_FILE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()

"""`pgcli bench` runs every contender on the real emulator and reports what the issue asks for.
(No timing is asserted: speed is shown by running the benchmark, not by tests.)"""

import pytest

from pgcli.commands import bench
from pgcli.base.config import Config


@pytest.mark.ale
def test_bench_runs_all_contenders_end_to_end_and_reports_ratios():
    cfg = Config(num_envs=4, hidden=16)
    seen = []
    out = bench.run(cfg, seconds=8.0, rounds=2, on_result=lambda i, r: seen.append((i, r.name)), save_every=1)
    names = {"(a) raw, 1 vector env", "(a) raw, 2 groups", "(b) seed's loop", "(c) pgcli train, reinforce",
             "(c) pgcli train, ppo"}
    assert {r.name for r in out["results"].values()} == names
    assert [i for i, _ in seen] == [0] * 5 + [1] * 5  # interleaved: every contender once per round
    for r in out["results"].values():
        assert r.steps > 0 and r.seconds > 0 and r.fps == r.sps * 4  # frameskip 4
    seed = out["results"]["seed"]
    assert seed.bytes_per_step == (6400 + 16) * 8 + 16  # dense float64 input and hidden units per step
    for key in ("pgcli-reinforce", "pgcli-ppo"):
        r, q = out["results"][key], out["ratios"][key]
        assert 0 < r.useful <= r.steps  # over the run, useful steps are a part of the emulated ones
        assert 0 < r.bytes_per_step < 1024  # sparse: <= 1 KB per stored step
        # (within one turn they may not be: games finishing in it began in the turn before)
        assert q["useful_vs_raw"] > 0 and 0 <= q["thrown_away"] < 1
        # the pace is compared per turn; the useful share is the whole run's (turns' useful steps are lumpy)
        assert q["useful_vs_raw"] == pytest.approx(q["emulated_vs_raw"] * (1 - q["thrown_away"]))
        assert q["whole_run_useful_vs_raw"] == pytest.approx(r.useful_fps / out["raw"].fps)
    # PPO with 4 games x 128 steps: every update consumed exactly 512 steps
    assert out["results"]["pgcli-ppo"].useful % 512 == 0

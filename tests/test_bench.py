"""`pgcli bench` runs every contender on the real emulator and reports what the issue asks for.
(No timing is asserted: speed is shown by running the benchmark, not by tests.)"""

from pgcli import bench
from pgcli.config import Config


def test_bench_runs_all_contenders_and_reports_ratios_and_memory():
    cfg = Config(num_envs=4, hidden=16)
    seen = []
    out = bench.run(cfg, seconds=2.0, rounds=2, on_result=lambda i, r: seen.append((i, r.name)))
    names = {"(a) raw, 1 vector env", "(a) raw, 2 groups", "(b) seed's loop", "(c) pgcli train"}
    assert {r.name for r in out["results"].values()} == names
    assert [i for i, _ in seen] == [0] * 4 + [1] * 4  # interleaved: every contender once per round
    for r in out["results"].values():
        assert r.steps > 0 and r.seconds > 0 and r.fps == r.sps * 4  # frameskip 4
    assert out["raw"].name.startswith("(a)") and out["ratio_vs_raw"] > 0 and out["ratio_vs_seed"] > 0
    seed, pgcli = out["results"]["seed"], out["results"]["pgcli"]
    assert seed.bytes_per_step == (6400 + 16) * 8 + 16  # dense float64 input and hidden units per step
    assert 0 < pgcli.bytes_per_step < 1024  # sparse: <= 1 KB per stored step
    assert 0 < pgcli.outside_emulator < 1

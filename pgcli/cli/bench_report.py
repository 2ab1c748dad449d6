"""`pgcli bench`'s report: the table of contenders and the ratios, as a rich console prints them."""

from __future__ import annotations

from rich.table import Table


def report(console, out: dict, rounds: int) -> None:
    console.print(out["machine"])
    table = Table()
    for col in ("contender", "emulated frames/s", "useful frames/s", "steps/s", "bytes/step"):
        table.add_column(col, justify="left" if col == "contender" else "right")
    for r in out["results"].values():
        table.add_row(r.name, f"{r.fps:,.0f}", f"{r.useful_fps:,.0f}", f"{r.sps:,.0f}",
                      "-" if r.bytes_per_step is None else f"{r.bytes_per_step:,.0f}")
    console.print(table)
    for k, q in out["ratios"].items():
        seed = "" if q["useful_vs_seed"] is None else f", useful/seed {q['useful_vs_seed']:.2f}x"
        console.print(f"{out['results'][k].name}: useful/raw {q['useful_vs_raw']:.2f} (emulated/raw "
                      f"{q['emulated_vs_raw']:.2f}){seed}, thrown away "
                      f"{q['thrown_away']:.1%}; whole run with start-up: useful/raw {q['whole_run_useful_vs_raw']:.2f}")
    for k, q in out["cluster"].items():
        console.print(f"{out['results'][k].name}: learner {q['learner_us_per_step']:.1f} us CPU per agent step, workers "
                      f"{q['worker_us_per_step']:.0f} us CPU per step, {q['wire_bytes_per_step']:.0f} bytes of experience per step")
    console.print(f"useful: steps that entered a gradient; useful/raw = emulated/raw (median of {rounds} per-round "
                  "ratios) x the run's useful share; raw: the faster layout of (a); the seed's loop counts all its "
                  f"steps as useful; bytes/step: memory per stored agent step; peak RSS {out['peak_rss_mb']:.0f} MB")

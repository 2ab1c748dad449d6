"""The pace table of docs/speed.md: PPO's defaults against the raw emulator, game by game.

    python docs/runs/speed/pace.py -o /tmp/pace-after                    # every game of the table
    python docs/runs/speed/pace.py -o /tmp/pace-before --pgcli OLD/bin/pgcli --no-run
    python docs/runs/speed/pace.py --table /tmp/pace-before /tmp/pace-after
    python docs/runs/speed/pace.py --whole docs/runs/speed/suite-0.4/*.metrics.csv.gz   # a whole run, 1M by 1M

For each game, into OUT/<game>.json (a game already there is skipped: run it again to go on):
- `lit`: PPO's default input's lit entries a step over 1,000 agent steps of uniformly random play
  (sticky actions 0.25, seed 0): what the learner's loops follow (the pgcli imported here decides);
- `bench`: `pgcli bench --game G --algo ppo --seconds 60 --rounds 2` with the `--pgcli` given: the
  raw emulator's agent steps/s and PPO's useful/raw, side by side in one run;
- `run` (unless --no-run): `pgcli train --algo ppo --game G --steps 1000000`, PPO's defaults, then
  its agent steps a second over the first 1M agent steps by the run's own training clock (start-up
  and the emulator included: what a user waits for), and that against the raw emulator measured
  right after it (30 s a layout, the faster of 1 and 2 groups): the emulator's pace varies from day
  to day, so a run is read against its own hour's (runs measured before this: against the bench's).
Run it on a quiet machine: a run beside it halves both.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pgcli.files.metrics import open_metrics

import numpy as np

GAMES = ("enduro", "battle_zone", "beam_rider", "boxing", "space_invaders", "name_this_game", "seaquest",
         "freeway", "video_pinball", "demon_attack", "atlantis", "double_dunk", "phoenix", "qbert", "breakout",
         "pong")
SUITE = ("pong", "breakout", "boxing", "battle_zone", "double_dunk", "name_this_game", "phoenix", "qbert")


def lit_a_step(game_name: str, steps: int = 1000) -> float:
    """PPO's default input's non-zero entries a step over `steps` agent steps of random play."""
    from pgcli.base.config import Config
    from pgcli.base.games import emulator
    from pgcli.base.run_spec import RunSpec
    from pgcli.core.observe import Observer

    run = RunSpec.of(Config(algo="ppo", env_id=game_name))
    game = run.game
    ale = emulator(game_name, seed=0, sticky=0.25)
    actions, rng = ale.getMinimalActionSet(), np.random.default_rng(0)
    see = Observer(ale.getScreenGrayscale()[None], run.inputs, game, run.scenery)
    total = 0
    for _ in range(steps):
        i = rng.integers(game.n_actions)
        for _ in range(4):
            ale.act(actions[game.actions[i]])
        fresh = np.array([ale.game_over()])
        if fresh[0]:
            ale.reset_game()
        total += np.count_nonzero(see(ale.getScreenGrayscale()[None], fresh))
        see.took(np.array([i]))
    return total / steps


def bench(pgcli: str, game: str) -> dict:
    out = subprocess.run([pgcli, "bench", "--game", game, "--algo", "ppo", "--seconds", "60", "--rounds", "2"],
                         capture_output=True, text=True, check=True).stdout
    return parse_bench(out)


def parse_bench(out: str) -> dict:
    """pgcli bench's output -> the raw emulator's agent steps/s (the faster layout) and PPO's useful/raw."""
    raw = max(int(line.split("│")[4].strip().replace(",", "")) for line in out.splitlines()
              if line.startswith("│ (a) raw"))
    ratio = float(re.search(r"ppo: useful/raw ([\d.]+)", " ".join(out.split())).group(1))
    return {"raw_steps_per_s": raw, "useful_vs_raw": ratio, "output": out}


def first_million(metrics: Path, steps: int = 1_000_000) -> tuple[int, float] | None:
    """(agent steps, training seconds) at the first row of a metrics CSV (or .csv.gz) past `steps`."""
    with open_metrics(metrics) as f:
        for row in csv.DictReader(f):
            if int(row["total_steps"]) >= steps:
                return int(row["total_steps"]), float(row["seconds"])
    return None


def raw_now(game: str, seconds: float = 30.0) -> int:
    """The raw emulator's agent steps/s on this machine now (the faster of 1 and 2 groups, as the
    bench's (a)): a run's pace is read against the emulator of its own hour (its speed varies by day)."""
    from pgcli.base.config import Config
    from pgcli.commands.bench_baselines import raw_emulator

    cfg = Config(algo="ppo", env_id=game)
    return round(max(raw_emulator(cfg, seconds, groups).sps for groups in (1, 2)))


def run(pgcli: str, game: str, steps: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{game}.p"
        subprocess.run([pgcli, "train", "--algo", "ppo", "--game", game, "--steps", str(steps), "-o", str(out)],
                       capture_output=True, text=True, check=True)
        done, seconds = first_million(out.with_suffix(".metrics.csv"), steps)
    return {"steps": done, "seconds": seconds, "steps_per_s": done / seconds}


def measure(out: Path, games: list[str], pgcli: str, steps: int, with_run: bool, raw_for_runs: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for game in games:
        path = out / f"{game}.json"
        rec = json.loads(path.read_text()) if path.exists() else {"game": game, "pgcli": pgcli, "commit": commit}
        if "lit" not in rec:
            rec["lit"] = round(float(lit_a_step(game)), 1)
        if "bench" not in rec:
            rec["bench"] = bench(pgcli, game)
        if with_run and "run" not in rec:
            rec["run"] = run(pgcli, game, steps)
            rec["run"]["commit"] = commit  # a game's bench and run may come from different sessions
        if with_run and "raw_steps_per_s" not in rec["run"] and (raw_for_runs or "vs_raw" not in rec["run"]):
            rec["run"]["raw_steps_per_s"] = raw_now(game)  # right after the run, in its session
            rec["run"]["vs_raw"] = round(rec["run"]["steps_per_s"] / rec["run"]["raw_steps_per_s"], 2)
        path.write_text(json.dumps(rec, indent=1))
        print(game, {k: v for k, v in rec.items() if k not in ("bench",)}, rec["bench"]["useful_vs_raw"], flush=True)


def pace(run: dict) -> str:
    """A run's agent steps/s and its ratio to the raw emulator of its hour (or, for runs measured
    before that was kept, of the game's bench)."""
    raw = f"of {run['raw_steps_per_s']:,}" if "raw_steps_per_s" in run else "of the bench's"
    return f"{run['steps_per_s']:,.0f} ({run['vs_raw']:.2f} {raw})"


def table(before: Path, after: Path) -> str:
    """The markdown table of two measured folders (the suite's committed runs stand for a missing
    `run` in `before`: their first 1M agent steps)."""
    lines = ["| game | lit inputs a step | raw emulator, agent steps/s (before / after) | bench useful/raw, before | "
             "bench useful/raw, after | first 1M of a run, agent steps/s (x raw), before | after |",
             "|---|---|---|---|---|---|---|"]
    runs = Path(__file__).parent.parent / "benchmark"
    for game in GAMES:
        b, a = (json.loads(p.read_text()) if p.exists() else {} for p in (before / f"{game}.json", after / f"{game}.json"))
        if not a:
            continue
        raw = lambda r: f"{r['bench']['raw_steps_per_s']:,}" if "bench" in r else "-"  # noqa: E731
        ratio = lambda r: f"{r['bench']['useful_vs_raw']:.2f}" if "bench" in r else "-"  # noqa: E731
        old = "-"
        if "run" in b:
            old = pace(b["run"])
        elif game in SUITE and (runs / f"{game}-s1.metrics.csv.gz").exists():
            got = first_million(runs / f"{game}-s1.metrics.csv.gz")
            old = f"{got[0] / got[1]:,.0f} (suite run)" if got else "-"
        new = pace(a["run"]) if "run" in a else "-"
        lines.append(f"| {game} | {a['lit']:,.0f} | {raw(b)} / {raw(a)} | {ratio(b)} | **{ratio(a)}** | {old} | {new} |")
    return "\n".join(lines)


def whole(metrics: Path, every: int = 1_000_000) -> str:
    """A whole run's pace by its training clock, `every` agent steps at a time, and its minutes."""
    lines, mark, last = [f"{metrics.name}:"], every, (0, 0.0)
    with open_metrics(metrics) as f:
        for row in csv.DictReader(f):
            steps, seconds = int(row["total_steps"]), float(row["seconds"])
            if steps >= mark:
                lines.append(f"  to {steps / 1e6:5.2f}M: {(steps - last[0]) / (seconds - last[1]):6,.0f} agent steps/s"
                             f" (epochs of the last update {row['epochs']}, running score {float(row['running_reward']):,.1f})")
                mark, last = (steps // every + 1) * every, (steps, seconds)
    lines.append(f"  whole run: {last[0]:,} agent steps in {last[1] / 60:.1f} min, {last[0] / last[1]:,.0f} agent steps/s")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path)
    ap.add_argument("--games", default=",".join(GAMES))
    ap.add_argument("--pgcli", default=str(Path(sys.executable).parent / "pgcli"))
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--no-run", action="store_true")
    ap.add_argument("--raw-for-runs", action="store_true",
                    help="measure the raw emulator now for the runs already there (runs of this session)")
    ap.add_argument("--table", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--whole", nargs="+", type=Path, metavar="METRICS", help="whole runs' pace, 1M agent steps at a time")
    a = ap.parse_args()
    if a.whole:
        print("\n".join(whole(m) for m in a.whole))
    elif a.table:
        print(table(*a.table))
    else:
        measure(a.output, a.games.split(","), a.pgcli, a.steps, not a.no_run, a.raw_for_runs)


if __name__ == "__main__":
    main()

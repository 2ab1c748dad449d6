"""How far the running reward lags the games it averages, in exact Pong's tuning runs.

    python docs/runs/tune/pong_lag.py docs/runs/tune/pong18

For each run (a trial's `*.metrics.csv.gz`, or `.csv`): the agent steps at which the running reward
(the seed's 0.99/0.01 running mean, begun at the first game's score) reaches +18, at which the mean
of the last 20 and of the last 100 games does, and the games played between the last 20's and the
running reward's crossing.
"""
import collections
import csv
import statistics
import sys
from pathlib import Path

from pgcli.files.metrics import open_metrics

TARGET = 18.0


def crossings(path: Path) -> dict:
    with open_metrics(path) as f:
        rows = [r for r in csv.DictReader(f) if r["cut"] != "1"]  # as the study's objective reads them
    out = {}
    windows = {20: collections.deque(maxlen=20), 100: collections.deque(maxlen=100)}
    for i, row in enumerate(rows, 1):
        for n, games in windows.items():
            games.append(float(row["reward"]))
            if n not in out and len(games) == n and sum(games) / n >= TARGET:
                out[n] = (int(row["total_steps"]), i)
        if "running" not in out and float(row["running_reward"]) >= TARGET:
            out["running"] = (int(row["total_steps"]), i)
    return out


def main(study: Path) -> None:
    print("trial | running reward +18 | last 20 games' mean | last 100 games' mean | games between (20 -> running)")
    for trial in sorted(study.glob("trial-*")):
        found = [crossings(p) for p in sorted(trial.glob("*.metrics.csv*"))]
        found = [c for c in found if {"running", 20, 100} <= c.keys()]
        if not found:
            continue
        med = {k: statistics.median(c[k][0] for c in found) / 1e6 for k in ("running", 20, 100)}
        games = statistics.median(c["running"][1] - c[20][1] for c in found)
        print(f"{trial.name} | {med['running']:.2f}M | {med[20]:.2f}M | {med[100]:.2f}M | {games:.0f}"
              f"   ({len(found)} runs; medians)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

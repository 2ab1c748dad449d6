"""When did the mean score of the last 100 games first reach a level? (run from the repo root)

    python docs/runs/games/last100.py 4.3 docs/runs/games/ppo-boxing-s{1,2,3}.metrics.csv

The running reward (the seed's 0.99/0.01 mean) starts at the first game's score, so in a game where
one lucky game scores high (Boxing's seed 2 began with a 9) it "passes" a level at episode 1. The mean
of the last 100 finished games has no such start; this prints, per CSV, the episode, agent steps and
hours at which it first reached the level, and the median over the CSVs.
"""

import csv
import statistics
import sys


def first_reach(path: str, level: float, window: int = 100):
    rows = [r for r in csv.DictReader(open(path)) if r.get("cut", "0") in ("0", "")]
    scores = [float(r["reward"]) for r in rows]
    total = sum(scores[:window])
    for k in range(window, len(scores) + 1):
        if total / window >= level:
            r = rows[k - 1]
            return int(r["episode"]), int(r["total_steps"]), float(r["seconds"]) / 3600
        if k < len(scores):
            total += scores[k] - scores[k - window]
    return None


def main(level: float, paths: list[str]) -> None:
    hits = []
    for p in paths:
        hit = first_reach(p, level)
        if hit:
            hits.append(hit)
            print(f"{p}: mean of the last 100 games >= {level:g} at episode {hit[0]:,}, {hit[1] / 1e6:.2f}M steps, {hit[2]:.2f} h")
        else:
            print(f"{p}: mean of the last 100 games never reached {level:g}")
    if hits:
        print(f"median over {len(paths)} runs ({len(hits)} reached): {statistics.median(h[1] for h in hits) / 1e6:.2f}M steps, "
              f"{statistics.median(h[2] for h in hits):.2f} h")


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])

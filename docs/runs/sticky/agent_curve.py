"""The agent, not the running reward: each snapshot of a run played for 20 games, sampled and greedy.

The running reward averages the games a run played while it learned, with its sampled actions and
the entropy bonus on. Dopamine's curves (Rainbow's +18 at ~4M agent steps) are the returns of its
training games too, but played epsilon-greedily with epsilon 0.01: nearly the greedy policy. So this
plays each kept agent (`pgcli train --snapshot-every`, or any checkpoints) over the same 20 games of
`pgcli evaluate` (seed 0, the sticky actions it trained with), once sampling its actions and once
greedily, and writes one CSV row per file.

    python docs/runs/sticky/agent_curve.py runs/p.1M.p runs/p.2M.p ... runs/p.p -o p.agent-curve.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from pgcli.files.agents import load_agent
from pgcli.commands.evaluate import evaluate
from pgcli.files import checkpoint

FIELDS = ("file", "steps", "episode", "running_reward", "sampled_mean", "sampled_std", "sampled_won",
          "greedy_mean", "greedy_std", "greedy_won")


def row(path: Path, games: int) -> dict:
    meta = checkpoint.load(path).meta
    out = {"file": path.name, "steps": meta.get("steps"), "episode": meta.get("episode"),
           "running_reward": round(float(meta.get("running_reward") or 0), 2)}
    agent = load_agent(path)
    for mode, greedy in (("sampled", False), ("greedy", True)):
        r = evaluate(agent, games, seed=0, greedy=greedy)
        out.update({f"{mode}_mean": r["mean_reward"], f"{mode}_std": round(r["std_reward"], 2),
                    f"{mode}_won": r["games_won"]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoints", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("-n", "--games", type=int, default=20)
    args = ap.parse_args()
    rows = sorted((row(p, args.games) for p in args.checkpoints), key=lambda r: r["steps"])
    with open(args.output, "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        w.writerows(rows)
    for r in rows:
        print(f"{r['steps']:>9,} steps  running {r['running_reward']:+6.2f}  sampled {r['sampled_mean']:+6.2f} "
              f"({r['sampled_won']}/{args.games})  greedy {r['greedy_mean']:+6.2f} ({r['greedy_won']}/{args.games})",
              file=sys.stderr)


if __name__ == "__main__":
    main()

"""docs/studies/sticky.md's figure "the agent, not the running reward": for each run, its running reward
against agent steps (a line, from its metrics CSV) and its kept agents over 20 games (markers,
from `agent_curve.py`'s CSV: sampled and greedy), with Rainbow's published milestones on the same
game. Needs matplotlib (pip install '.[plot]').

    python docs/runs/sticky/plot_agent_curve.py RUN.metrics.csv RUN.agent-curve.csv LABEL [...] -o fig.png
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from pgcli.commands.plot import read_metrics

RAINBOW = [(1.75, 0), (2.5, 15), (4.0, 18)]  # Dopamine Rainbow, sticky Pong (../shared/MEASUREMENTS.md)


def agents(path: Path) -> tuple[list[float], list[float], list[float]]:
    """From an agent-curve CSV: (millions of agent steps, sampled means, greedy means)."""
    rows = list(csv.DictReader(open(path)))
    return ([float(r["steps"]) / 1e6 for r in rows], [float(r["sampled_mean"]) for r in rows],
            [float(r["greedy_mean"]) for r in rows])


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="triples: metrics CSV, agent-curve CSV, label")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    if len(args.runs) % 3:
        ap.error("give the runs as triples: metrics CSV, agent-curve CSV, label")
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for i in range(0, len(args.runs), 3):
        metrics, kept, label = Path(args.runs[i]), Path(args.runs[i + 1]), args.runs[i + 2]
        color = f"C{i // 3}"
        run = read_metrics(metrics)  # what `pgcli plot` reads: finished games, in episode order
        ax.plot(run.steps / 1e6, run.running_reward, color=color, lw=1.2, label=f"{label}: running reward")
        s, sampled, greedy = agents(kept)
        ax.plot(s, sampled, "o", color=color, mfc="none", label=f"{label}: agent, 20 games sampled")
        ax.plot(s, greedy, "^", color=color, label=f"{label}: agent, 20 games greedy")
    ax.plot(*zip(*RAINBOW), "k*", ms=11, label="Dopamine Rainbow (epsilon 0.01): 0, +15, +18")
    ax.axhline(18, color="grey", lw=0.6, ls="--")
    ax.set(xlabel="agent steps (millions)", ylabel="score (points won - lost)", ylim=(-21.5, 21.5),
           title="PPO on sticky Pong (ALE/Pong-v5): the running reward and the agent it has learned")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="lower right")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)


if __name__ == "__main__":
    main()

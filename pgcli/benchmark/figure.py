"""The benchmark report's figure: HNS per game beside CleanRL's PPO, and every run's running score."""

from __future__ import annotations

from pathlib import Path

from pgcli.base import references
from pgcli.base.errors import PgcliError
from pgcli.benchmark.suite import Suite, run_name
from pgcli.files.metrics import find_metrics


def figure(folder: Path, suite: Suite, report: dict) -> str | None:
    """HNS per game beside CleanRL's PPO, and each run's learning curve (score over agent steps)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    from pgcli.commands.plot import read_metrics
    from pgcli.files.outputs import save_figure

    games_ = report["games"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 4.8))
    x = range(len(games_))
    ax.bar([i - 0.2 for i in x], [g["hns_agent57"] or 0 for g in games_], 0.4, label="pgcli (PPO, 2-layer MLP)")
    ax.bar([i + 0.2 for i in x], [g["cleanrl_ppo_10m_hns_agent57"] or 0 for g in games_], 0.4, label="CleanRL conv. PPO, 10M steps", alpha=0.6)
    for i, g in enumerate(games_):
        if g["hns_agent57"] is not None:
            ax.annotate(f"{g['hns_agent57']:.2f}", (i - 0.2, max(g["hns_agent57"], 0)), ha="center", va="bottom", fontsize=8)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_xticks(list(x), [g["game"] for g in games_], rotation=30, ha="right")
    ax.set_ylabel("human-normalised score (Agent57's table)")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.legend(fontsize=8)
    drawn: dict[str, list] = {}  # game -> its seeds' curves (agent steps, HNS)
    for g, s in suite.runs:
        path = find_metrics(folder, run_name(g, s))
        if path is not None:
            try:
                c = read_metrics(path, f"{g} s{s}")
            except PgcliError:
                continue
            hns = [references.hns(g, float(r), "agent57") for r in c.running_reward]
            if hns and hns[0] is not None:
                drawn.setdefault(g, []).append((c.steps / 1e6, hns))
    for g, curves_of in drawn.items():  # a game's seeds in one colour, named once with how many there are
        for i, (steps, hns) in enumerate(curves_of):
            bx.plot(steps, hns, lw=1, color=f"C{suite.games.index(g) % 10}",
                    label=(g if len(curves_of) == 1 else f"{g} ({len(curves_of)} seeds)") if i == 0 else None)
    curves = sum(map(len, drawn.values()))
    bx.set_xlabel("agent steps (M)")
    bx.set_ylabel("HNS of the running score (Agent57's table)")
    bx.set_yscale("symlog", linthresh=1.0)  # as the bars: a stall's 8 beside the others' 0.3-1.3
    bx.axhline(1.0, color="k", lw=0.8, ls="--")
    if curves:
        bx.legend(fontsize=7, ncol=2)
    else:
        bx.text(0.5, 0.5, "no finished game yet", ha="center", transform=bx.transAxes)
    fig.tight_layout()
    return save_figure(fig, folder / "report.png", dpi=110)

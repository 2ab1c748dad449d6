"""Do a tuning study's games rank its recipes alike? And which recipe leads without one of them?

    python docs/runs/tune/game_agreement.py docs/runs/tune/games

From the study's `report.json` (a geometric-mean study of several games): Spearman's rank
correlation of each pair of games' HNS over the finished trials, then for each game the trials
ranked by the geometric mean of the other games alone, as multiples of PPO's defaults.
"""
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from pgcli.tune.trial import objective_value


def ranks(values: list[float]) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float)  # no ties among measured HNS


def spearman(x: list[float], y: list[float]) -> float:
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def main(folder: Path) -> None:
    report = json.loads((folder / "report.json").read_text())
    trials = [t for t in report["trials"] if t["state"] == "complete"]
    games = list(trials[0]["parts"])
    print(f"{len(trials)} finished trials; Spearman's rank correlation of the games' HNS:")
    for a, b in itertools.combinations(games, 2):
        rho = spearman([t["parts"][a] for t in trials], [t["parts"][b] for t in trials])
        print(f"  {a} ~ {b}: {rho:+.2f}")
    defaults = next((t for t in trials if t.get("defaults")), None)
    for left_out in games:
        kept = [g for g in games if g != left_out]
        value = {t["number"]: objective_value("geomean", {g: t["parts"][g] for g in kept}) for t in trials}
        base = value[defaults["number"]] if defaults else 1.0
        order = sorted(trials, key=lambda t: -value[t["number"]])[:4]
        lead = ", ".join(f"trial {t['number']}{' (defaults)' if t is defaults else ''} "
                         f"{value[t['number']] / base:.2f}x" for t in order)
        print(f"without {left_out} ({' x '.join(kept)}): {lead}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/runs/tune/games"))

"""Print the time-to-skill table of docs/results.md from the committed metrics CSVs (run from the repo root).

Each row: median (range) over the runs of a method of training hours, agent steps and episodes to a
running reward of -10, 0, +10 and +18 (the same numbers `pgcli plot` prints), and how far runs got
that did not reach a level.
"""

from pathlib import Path

from pgcli.commands.plot import group, milestone_summary, read_metrics

EX = Path(__file__).parent
METHODS = [  # label, CSVs, the game
    ("The seed's settings (RMSProp, lr 1e-4)", ["seed-defaults"], "sticky"),
    ("REINFORCE + Adam (lr 1e-3)", ["fast2g", "fast32", "reinforce16"], "sticky"),
    ("PPO", ["ppo-seed1", "ppo-seed2", "ppo-seed3"], "sticky"),
    ("PPO, exact controls (`--sticky-actions 0`)", ["ppo-exact-seed1", "ppo-exact-seed2", "ppo-exact-seed3"], "exact"),
    ("PPO, exact controls, seed's input, this version (8 minutes a run)", [f"../exact/ppo-diff-s{s}" for s in (1, 2, 3)], "exact"),
    ("PPO's defaults (`--preset atari`), exact controls (8 minutes a run)", [f"../exact/ppo-atari-s{s}" for s in (1, 2, 3)], "exact"),
    ("PPO's defaults, sticky (seeds 11, 12 beside other runs, 13 alone)",
     ["../sticky/ppo-input-diff+frame+action-s11", "../sticky/ppo-input-diff+frame+action-s12", "../sticky/ppo-defaults-s13"], "sticky"),
    ("PPO's defaults + `--lr-anneal-steps 6000000` (seeds 11, 12 beside one other run, 13 alone)",
     [f"../sticky/ppo-anneal6M-s{s}" for s in (11, 12, 13)], "sticky"),
    ("PPO's defaults + `--noop --lr-anneal-steps 6000000` (two runs side by side at every moment)",
     [f"../sticky/ppo-noop-anneal6M-s{s}" for s in (11, 12, 13)], "sticky"),
    ("PPO's defaults + `--noop --epochs 8 --lr-anneal-steps 6000000` (two runs side by side; seed 13 partly alone)",
     [f"../sticky/ppo-noop-anneal6M-e8-s{s}" for s in (11, 12, 13)], "sticky"),
    ("PPO's defaults since (`--noop --epochs 8`) + `--lr-anneal-steps 5000000` (11, 12 side by side, 13 alone)",
     [f"../sticky/ppo-noop-anneal5M-e8-s{s}" for s in (11, 12, 13)], "sticky"),
    ("PPO's defaults since (`--preset atari`: `--noop --epochs 8`), exact controls (8 minutes a run, one at a time)",
     [f"../exact/ppo-atari-noop-e8-s{s}" for s in (1, 2, 3)], "exact"),
    ("PPO's defaults + `--noop`, exact controls (seeds 1, 2 side by side)",
     [f"../exact/ppo-atari-noop-s{s}" for s in (1, 2)], "exact"),
]
LEVELS = (-10, 0, 10, 18)


def cell(s: dict) -> str:
    if not s["reached"]:
        return "not reached"
    h, st, ep = s["hours"], s["steps"], s["episode"]
    if s["reached"] == 1 and s["runs"] == 1:
        text = f"{h[0]:.2f} h · {st[0] / 1e6:.1f}M steps · episode {ep[0]:,.0f}"
    else:
        text = (f"{h[0]:.2f} h ({h[1]:.2f}–{h[2]:.2f}) · {st[0] / 1e6:.1f}M steps ({st[1] / 1e6:.1f}–{st[2] / 1e6:.1f})"
                f" · episode {ep[0]:,.0f}")
    if s["reached"] < s["runs"]:
        text += f" [{s['reached']} of {s['runs']} runs]"
    return text


def main() -> None:
    print("| method | game | runs | to −10 | to 0 | to +10 | to +18 | where the runs stopped |")
    print("|---|---|---|---|---|---|---|---|")
    for label, names, game in METHODS:
        runs = list(group([read_metrics(EX / f"{n}.metrics.csv", label) for n in names]).values())[0]
        cells = [cell(milestone_summary(runs, level)) for level in LEVELS]
        stops = ", ".join(f"{c.running_reward[-1]:+.1f} at {c.hours[-1]:.2f} h" for c in runs)
        print(f"| {label} | {game} | {len(runs)} | " + " | ".join(cells) + f" | {stops} |")


if __name__ == "__main__":
    main()

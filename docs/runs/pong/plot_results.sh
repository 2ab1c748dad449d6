#!/usr/bin/env bash
# The comparison figure (README, docs/results.md: examples/curve.png) and milestone table from the committed metrics CSVs
# (needs pip install '.[plot]'); run from the repository root.
set -euo pipefail
E=docs/runs/pong
pgcli plot \
    $E/ppo-exact-seed1.metrics.csv $E/ppo-exact-seed2.metrics.csv $E/ppo-exact-seed3.metrics.csv \
    $E/ppo-seed1.metrics.csv $E/ppo-seed2.metrics.csv $E/ppo-seed3.metrics.csv \
    $E/fast2g.metrics.csv $E/fast32.metrics.csv $E/reinforce16.metrics.csv \
    $E/seed-defaults.metrics.csv \
    -l "PPO, exact controls" -l "PPO, exact controls" -l "PPO, exact controls" \
    -l "PPO" -l "PPO" -l "PPO" \
    -l "REINFORCE + Adam" -l "REINFORCE + Adam" -l "REINFORCE + Adam" \
    -l "seed's settings (RMSProp 1e-4)" \
    -o examples/curve.png > $E/milestones.txt
python docs/runs/pong/results_table.py

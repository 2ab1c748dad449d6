#!/usr/bin/env bash
# The annealing figure of docs/sticky.md and its milestones, from the committed CSVs (pip install '.[plot]').
set -euo pipefail
S=docs/runs/sticky
pgcli plot "$S/ppo-input-diff+frame+action-s11.metrics.csv" "$S/ppo-input-diff+frame+action-s12.metrics.csv" \
    $S/ppo-defaults-s13.metrics.csv \
    $S/ppo-anneal6M-s11.metrics.csv $S/ppo-anneal6M-s12.metrics.csv $S/ppo-anneal6M-s13.metrics.csv \
    $S/ppo-anneal6M-h400-s11.metrics.csv $S/ppo-anneal6M-e8-s11.metrics.csv \
    -l "constant lr 5e-4" -l "constant lr 5e-4" -l "constant lr 5e-4" \
    -l "lr 5e-4 -> 0 over 6M steps" -l "lr 5e-4 -> 0 over 6M steps" -l "lr 5e-4 -> 0 over 6M steps" \
    -l "400 units, lr -> 0 over 6M steps" -l "8 epochs, lr -> 0 over 6M steps" \
    --title "PPO on sticky Pong, seeds 11-13: a constant learning rate against one annealed over a 6M-step budget" \
    -o $S/anneal.png > $S/anneal-milestones.txt

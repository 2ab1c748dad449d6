#!/usr/bin/env bash
# The NOOP figure of docs/sticky.md and its milestones, from the committed CSVs (pip install '.[plot]').
set -euo pipefail
S=docs/runs/sticky
pgcli plot $S/ppo-anneal6M-s11.metrics.csv $S/ppo-anneal6M-s12.metrics.csv $S/ppo-anneal6M-s13.metrics.csv \
    $S/ppo-noop-anneal6M-s11.metrics.csv $S/ppo-noop-anneal6M-s12.metrics.csv $S/ppo-noop-anneal6M-s13.metrics.csv \
    $S/ppo-noop-anneal6M-ent005-s11.metrics.csv $S/ppo-noop-anneal6M-e8-s11.metrics.csv $S/ppo-noop-anneal6M-e8-s12.metrics.csv \
    $S/ppo-noop-anneal6M-e8-s13.metrics.csv \
    -l "DOWN, UP (the seed's)" -l "DOWN, UP (the seed's)" -l "DOWN, UP (the seed's)" \
    -l "--noop: NOOP, DOWN, UP" -l "--noop: NOOP, DOWN, UP" -l "--noop: NOOP, DOWN, UP" \
    -l "--noop --ent-coef 0.005" -l "--noop --epochs 8" -l "--noop --epochs 8" -l "--noop --epochs 8" \
    --title "PPO on sticky Pong, lr -> 0 over 6M steps: the seed's two actions against NOOP, DOWN, UP" \
    -o $S/noop.png > $S/noop-milestones.txt

#!/usr/bin/env bash
# The exact-controls figure and milestones (docs/results.md) from the committed CSVs (pip install '.[plot]').
# --preset atari was 2 actions and 4 epochs until NOOP and 8 epochs became PPO's defaults (docs/sticky.md).
set -euo pipefail
E=docs/runs/exact
pgcli plot $E/ppo-diff-s{1,2,3}.metrics.csv $E/ppo-atari-s{1,2,3}.metrics.csv $E/ppo-atari-noop-e8-s{1,2,3}.metrics.csv \
    -l "diff (the seed's input)" -l "diff (the seed's input)" -l "diff (the seed's input)" \
    -l "--preset atari, 2 actions, 4 epochs" -l "--preset atari, 2 actions, 4 epochs" -l "--preset atari, 2 actions, 4 epochs" \
    -l "--preset atari (NOOP, 8 epochs)" -l "--preset atari (NOOP, 8 epochs)" -l "--preset atari (NOOP, 8 epochs)" \
    --title "PPO, exact controls, 3 seeds each, 8 minutes a run on a quiet machine" \
    -o $E/exact.png > $E/exact-milestones.txt

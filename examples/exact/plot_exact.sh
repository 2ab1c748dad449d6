#!/usr/bin/env bash
# The exact-controls figure and milestones (docs/results.md) from the committed CSVs (pip install '.[plot]').
set -euo pipefail
E=examples/exact
pgcli plot $E/ppo-diff-s{1,2,3}.metrics.csv $E/ppo-atari-s{1,2,3}.metrics.csv \
    -l "diff (the seed's input)" -l "diff (the seed's input)" -l "diff (the seed's input)" \
    -l "--preset atari" -l "--preset atari" -l "--preset atari" \
    --title "PPO, exact controls, 3 seeds each, 8 minutes a run on a quiet machine" \
    -o $E/exact.png > $E/exact-milestones.txt

#!/usr/bin/env bash
# The input figure of docs/sticky.md and its milestones, from the committed CSVs (pip install '.[plot]').
set -euo pipefail
S=docs/runs/sticky
pgcli plot $S/ppo-s11.metrics.csv $S/ppo-s12.metrics.csv \
    "$S/ppo-input-diff+frame+action-s11.metrics.csv" "$S/ppo-input-diff+frame+action-s12.metrics.csv" \
    "$S/ppo-input-diff+action-s11.metrics.csv" \
    -l "diff (the seed's input)" -l "diff (the seed's input)" -l "diff+frame+action" -l "diff+frame+action" -l "diff+action" \
    --title "PPO on sticky Pong, seeds 11 and 12: what the network sees (runs shared the machine: compare agent steps)" \
    -o $S/inputs.png > $S/inputs-milestones.txt

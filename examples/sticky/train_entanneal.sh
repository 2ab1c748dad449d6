#!/usr/bin/env bash
# The entropy bonus annealed with the learning rate (docs/sticky.md, "Exploring early, acting late"):
# PPO's defaults (NOOP, DOWN, UP; 8 epochs) on ALE/Pong-v5 with its sticky actions, the learning rate
# and the entropy bonus both falling linearly to 0 over 5M agent steps, where the run ends.
# Seeds 11 and 12 side by side, seed 13 alone on the machine (its minutes are the ones quoted).
# Metrics: examples/sticky/ppo-entanneal5M-s*.metrics.csv. Usage: train_entanneal.sh [seed]
set -euo pipefail
mkdir -p runs
seed=${1:-13}
pgcli train --algo ppo --noop --epochs 8 --seed "$seed" --lr-anneal-steps 5000000 --ent-anneal --save-every 200 \
    -o "runs/entanneal5M-s$seed.p"
pgcli evaluate "runs/entanneal5M-s$seed.p" -n 20 --json > "runs/entanneal5M-s$seed.evaluate.json"
pgcli evaluate "runs/entanneal5M-s$seed.p" -n 20 --greedy --json > "runs/entanneal5M-s$seed.evaluate-greedy.json"

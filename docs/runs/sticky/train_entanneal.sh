#!/usr/bin/env bash
# Screens on sticky Pong against PPO's defaults with a 5M-step budget (docs/sticky.md, "Tried and
# lost: the entropy bonus and more passes"): each arm is PPO's defaults (NOOP, DOWN, UP; 8 epochs)
# on ALE/Pong-v5 with its sticky actions, the learning rate falling linearly to 0 over 5M agent steps,
# where the run ends. Seeds 11 and 12 of --ent-anneal side by side; then seed 11 of --ent-coef 0.02
# beside seed 11 of --epochs 12 (agent steps compare, minutes do not).
# Metrics: docs/runs/sticky/ppo-{entanneal5M,ent02-5M,e12-5M}-s*.metrics.csv and their evaluations.
# Usage: train_entanneal.sh [seed] [entanneal|ent02|e12]
set -euo pipefail
mkdir -p runs
seed=${1:-11}
arm=${2:-entanneal}
case "$arm" in
  entanneal) flags=(--ent-anneal) ; name=entanneal5M ;;
  ent02)     flags=(--ent-coef 0.02) ; name=ent02-5M ;;
  e12)       flags=(--epochs 12) ; name=e12-5M ;;
  *) echo "arm must be entanneal, ent02 or e12" >&2; exit 2 ;;
esac
out="runs/$name-s$seed"
pgcli train --algo ppo --noop --epochs 8 --seed "$seed" --lr-anneal-steps 5000000 --save-every 200 "${flags[@]}" -o "$out.p"
pgcli evaluate "$out.p" -n 20 --json > "$out.evaluate.json"
pgcli evaluate "$out.p" -n 20 --greedy --json > "$out.evaluate-greedy.json"

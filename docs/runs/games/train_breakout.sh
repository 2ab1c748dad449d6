#!/usr/bin/env bash
# Breakout with PPO on the seed's network (200 ReLU units, a softmax over NOOP, FIRE, RIGHT, LEFT),
# ALE/Breakout-v5 as shipped (sticky actions 0.25, all five lives), three ways (docs/games.md):
#   diff              the seed's difference frame alone (ppo-breakout-s1.metrics.csv.gz)
#   objects           + the current frame without its scenery + the previous action (ppo-breakout-objects-s1)
#   objects + lives   the same, and a lost life ends the return in learning (ppo-breakout-objects-life-s*)
# Each run's metrics CSV is committed in this folder. Usage: train_breakout.sh [seed] [diff|objects|life]
set -euo pipefail
mkdir -p runs
seed=${1:-1}
case "${2:-life}" in
  diff)    pgcli train --game breakout --algo ppo --epochs 4 --input diff --no-episodic-life --seed "$seed" --minutes 120 --save-every 200 -o "runs/breakout-s$seed.p" ;;
  objects) pgcli train --game breakout --algo ppo --epochs 4 --seed "$seed" --input diff+objects+action --no-episodic-life --minutes 120 --save-every 200 -o "runs/breakout-objects-s$seed.p" ;;
  life)    pgcli train --game breakout --algo ppo --epochs 4 --seed "$seed" --input diff+objects+action --episodic-life --minutes 120 --save-every 200 -o "runs/breakout-objects-life-s$seed.p" ;;
esac
# PPO's defaults now (8 epochs), seed 3 alone on the machine (ppo-breakout-e8-s3.metrics.csv.gz):
#   pgcli train --game breakout --algo ppo --seed 3 --minutes 40 --save-every 200 -o runs/breakout-e8-s3.p

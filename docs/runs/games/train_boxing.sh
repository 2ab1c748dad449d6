#!/usr/bin/env bash
# Boxing with PPO on the seed's input (the difference frame alone; PPO's default when seed 1 ran),
# ALE/Boxing-v5 as shipped (sticky actions 0.25), 18 actions behind a softmax. Seed 1 ran beside other
# trainings; seeds 2 and 3 ran 25 minutes each beside one other training. Metrics:
# docs/runs/games/ppo-boxing-s{1,2,3}.metrics.csv. Usage: train_boxing.sh [seed]
set -euo pipefail
mkdir -p runs
seed=${1:-1}
pgcli train --game boxing --algo ppo --epochs 4 --input diff --no-episodic-life --seed "$seed" --minutes 25 --save-every 200 -o "runs/boxing-s$seed.p"
# PPO's defaults (diff+objects+action, episodic life): seed 1 ran 20 minutes beside other trainings;
# seeds 2 and 3 ran 1M agent steps each, side by side and beside a third training (steps only):
#   pgcli train --game boxing --algo ppo --epochs 4 --seed "$seed" --steps 1000000 --save-every 200 -o "runs/boxing-defaults-s$seed.p"

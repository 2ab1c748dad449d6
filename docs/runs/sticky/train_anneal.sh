#!/usr/bin/env bash
# A fixed budget with an annealed learning rate (docs/sticky.md, "A budget of agent steps"): PPO's
# defaults on ALE/Pong-v5 with its sticky actions, the learning rate falling linearly from 5e-4 to 0
# over 6M agent steps, where the run ends. Seeds 11 (beside one other run), 12 (beside one, then
# alone) and 13 (alone); one 400-unit arm and one 8-epoch arm on seed 11. Also, PPO's defaults as they are (constant
# rate), seed 13 alone for 20 minutes. Metrics: docs/runs/sticky/ppo-anneal6M-*.metrics.csv,
# ppo-defaults-s13.metrics.csv. Usage: train_anneal.sh [seed]
set -euo pipefail
mkdir -p runs
seed=${1:-13}
pgcli train --algo ppo --no-noop --epochs 4 --seed "$seed" --lr-anneal-steps 6000000 --save-every 200 -o "runs/anneal6M-s$seed.p"
# the 400-unit arm (seed 11):  pgcli train --algo ppo --no-noop --epochs 4 --seed 11 --hidden 400 --lr-anneal-steps 6000000 --save-every 200 -o runs/anneal6M-h400-s11.p
# the 8-epoch arm (seed 11):  pgcli train --algo ppo --no-noop --epochs 4 --seed 11 --epochs 8 --lr-anneal-steps 6000000 --save-every 200 -o runs/anneal6M-e8-s11.p
# the constant rate (seed 13): pgcli train --algo ppo --no-noop --epochs 4 --seed 13 --minutes 20 --save-every 200 -o runs/defaults-s13.p

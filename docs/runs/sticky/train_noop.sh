#!/usr/bin/env bash
# Pong's third action (docs/sticky.md, "Letting the paddle stand still"): PPO's defaults plus --noop
# (NOOP beside DOWN and UP) on ALE/Pong-v5 with its sticky actions, the learning rate annealed to 0
# over 6M agent steps, where the run ends. Seeds 11 and 12 side by side, then 13 beside the
# --ent-coef 0.005 arm (seed 11), then the --epochs 8 arm on seeds 11 and 12: agent steps compare,
# minutes are upper bounds.
# These runs were made before NOOP and 8 epochs became PPO's defaults: the flags pin what each arm used.
# Metrics: docs/runs/sticky/ppo-noop-anneal6M-*.metrics.csv. Usage: [TAG=-name] train_noop.sh [seed] [more flags]
set -euo pipefail
mkdir -p runs
seed=${1:-11}
shift || true
pgcli train --algo ppo --noop --epochs 4 --seed "$seed" --lr-anneal-steps 6000000 --save-every 200 "$@" -o "runs/noop-anneal6M${TAG:-}-s$seed.p"
# 8 epochs (seeds 11, 12):            TAG=-e8 train_noop.sh 11 --epochs 8
# the lower entropy bonus (seed 11):  TAG=-ent005 train_noop.sh 11 --ent-coef 0.005
# the exact controls (seeds 1, 2):    pgcli train --preset atari --noop --epochs 4 --sticky-actions 0 --seed 1 --steps 2500000 -o runs/exact-noop-s1.p
# a 5M-step budget (seed 11):         TAG=-e8-an5 train_noop.sh 11 --epochs 8 --lr-anneal-steps 5000000   (the later flag wins)
# exact controls, 8 epochs (seeds 1-3, one at a time on a quiet machine; PPO's defaults since):
#   pgcli train --preset atari --noop --epochs 8 --sticky-actions 0 --seed 1 --minutes 8 --save-every 100 -o runs/exact-noop-e8-s1.p

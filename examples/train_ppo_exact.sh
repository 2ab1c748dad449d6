#!/usr/bin/env bash
# PPO with exact controls (--sticky-actions 0): three seeded runs, one after another on the 2-core
# machine (defaults otherwise, as examples/train_ppo.sh with ALE/Pong-v5's sticky actions). Seed 1 ran
# with --minutes 20 and was stopped with Ctrl-C at 9.6 minutes, past +18; seeds 2 and 3 ran 15 minutes.
# Their metrics are docs/runs/pong/ppo-exact-seed{1,2,3}.metrics.csv; full states go to runs/ (not in git).
set -euo pipefail
mkdir -p runs
for seed in 1 2 3; do
    pgcli train --algo ppo --no-noop --epochs 4 --input diff --no-episodic-life --sticky-actions 0 --seed "$seed" --minutes 15 --save-every 50 -o "runs/ppo-exact-seed$seed.p"
done

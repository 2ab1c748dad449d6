#!/usr/bin/env bash
# PPO with exact controls (--sticky-actions 0): three seeded 20-minute runs, one after another on the
# 2-core machine, as examples/train_ppo.sh does with ALE/Pong-v5's sticky actions. Their metrics are
# examples/ppo-exact-seed{1,2,3}.metrics.csv. Full training states go to runs/ (kept out of git).
set -euo pipefail
mkdir -p runs
for seed in 1 2 3; do
    pgcli train --algo ppo --sticky-actions 0 --seed "$seed" --minutes 20 --save-every 50 -o "runs/ppo-exact-seed$seed.p"
done

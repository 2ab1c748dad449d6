#!/usr/bin/env bash
# The three seeded PPO runs behind the README's time-to-skill table (20 minutes of training each,
# one after another on the 2-core machine), then seed 1 continued with --resume.
# Full training states go to runs/ (41 MB each, not in git); metrics CSVs are copied to examples/.
set -euo pipefail
mkdir -p runs
for seed in 1 2 3; do
    pgcli train --algo ppo --seed "$seed" --minutes 20 --save-every 50 -o "runs/ppo-seed$seed.p"
done
pgcli train --resume runs/ppo-seed1.p --save-every 50 -o runs/ppo-seed1.p   # until Ctrl-C

#!/usr/bin/env bash
# Exact controls (--sticky-actions 0), the seed's input against --preset atari, 3 seeds each, equal
# wall-clock budgets (8 minutes a run), one run at a time on the otherwise quiet 2-core machine,
# interleaved (diff s1, atari s1, diff s2, ...) so a slow stretch of the machine hits both alike.
# Metrics: docs/runs/exact/ppo-{diff,atari}-s{1,2,3}.metrics.csv; full states go to runs/ (not in git).
set -euo pipefail
mkdir -p runs
for seed in 1 2 3; do
    pgcli train --algo ppo --no-noop --epochs 4 --input diff --no-episodic-life --sticky-actions 0 --seed "$seed" --minutes 8 --save-every 100 -o "runs/exact-diff-s$seed.p"
    pgcli train --preset atari --no-noop --epochs 4 --sticky-actions 0 --seed "$seed" --minutes 8 --save-every 100 -o "runs/exact-atari-s$seed.p"
done

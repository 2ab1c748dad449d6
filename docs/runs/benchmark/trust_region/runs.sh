#!/bin/sh
# --trust-region start against PPO's default (acted): the runs behind docs/benchmark.md, "Where the
# trust region is centred". Run from a frozen copy of commit b85cbf0, where 'start' was the only
# centre (the same math as `--trust-region start` today), beside the benchmark suite: compare agent
# steps, not minutes. The 'acted' arms are runs made before: the suite's own Phoenix and Battle Zone
# (docs/runs/benchmark/, cut at the same agent step) and exact-controls Pong's timed runs
# (docs/runs/learner/ppo-exact-s{1,2,3}-fused.metrics.csv.gz).
pgcli train --game phoenix --algo ppo --seed 1 --lr-anneal-steps 10000000 --steps 2000000 \
    --trust-region start -o runs/kl/phoenix-start-s1.p
pgcli train --game phoenix --algo ppo --seed 1 --lr-anneal-steps 10000000 --steps 2000000 \
    --trust-region start --target-kl 0.015 -o runs/kl/phoenix-start-kl015-s1.p
for seed in 1 2 3; do
    pgcli train --algo ppo --sticky-actions 0 --seed "$seed" --steps 1650000 --save-every 200 \
        --trust-region start -o "runs/kl/exact-start-s$seed.p"
done
for seed in 1 2 3; do
    pgcli train --algo ppo --sticky-actions 0 --seed "$seed" --steps 1650000 --save-every 200 \
        --trust-region start --target-kl 0.015 -o "runs/kl/exact-start-kl015-s$seed.p"
done
pgcli train --game battle_zone --algo ppo --seed 1 --lr-anneal-steps 10000000 --steps 2000000 \
    --trust-region start -o runs/kl/battle_zone-start-s1.p

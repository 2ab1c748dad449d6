#!/usr/bin/env bash
# The three seeded PPO runs behind the results (docs/results.md) (20 minutes of training each, one after
# another on the 2-core machine), then seed 1 continued as the shipped agent.
# Full training states go to runs/ (41 MB each, kept out of git); metrics CSVs are copied to docs/runs/pong/.
set -euo pipefail
mkdir -p runs
for seed in 1 2 3; do
    pgcli train --algo ppo --no-noop --epochs 4 --input diff --no-episodic-life --seed "$seed" --minutes 20 --save-every 50 -o "runs/ppo-seed$seed.p"
done
# seed 1 continued with 2 Ray rollout workers (pip install '.[ray]'; measured faster than one process
# on 2 cores) and TensorBoard logs; stopped with Ctrl-C:
pgcli train --resume runs/ppo-seed1.p -o runs/ppo-seed1.p --save-every 50 --workers 2 --tensorboard runs/tb
# seeds 2 and 3 continued the same way for 16 minutes each (to see all three pass 0):
for seed in 2 3; do
    pgcli train --resume "runs/ppo-seed$seed.p" -o "runs/ppo-seed$seed.p" --save-every 50 --workers 2 --minutes 16
done
# (stopped at 1.23 h, episode 1,731: that state, exported, was the sticky agent shipped before;
# today's sticky champion, examples/pong-agent, comes from docs/runs/sticky/train_sticky_agent.sh)
# then the champion: the same run continued with exact controls (no sticky actions), PPO's default lr,
# until it won nearly every point (stopped with Ctrl-C after 8 minutes, episode 2,005, 1.36 h in all):
cp runs/ppo-seed1.p runs/champion.p
cp runs/ppo-seed1.metrics.csv runs/champion.metrics.csv
pgcli train --resume runs/champion.p -o runs/champion.p --save-every 50 --workers 2 --lr 5e-4 --sticky-actions 0
# the files in this folder:
# cp runs/ppo-seed*.metrics.csv examples/; cp runs/champion.metrics.csv docs/runs/agents/pong-agent-exact.metrics.csv
# pgcli export runs/champion.p -o docs/runs/agents/pong-agent-exact.p
# pgcli evaluate docs/runs/agents/pong-agent-exact.p -n 20 --json > docs/runs/agents/pong-agent-exact.evaluate.json
# pgcli evaluate docs/runs/agents/pong-agent-exact.p -n 20 --sticky-actions 0.25 --json > docs/runs/agents/pong-agent-exact.evaluate-sticky.json

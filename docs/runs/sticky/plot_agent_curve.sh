#!/usr/bin/env bash
# The figure of docs/sticky.md "The agent, not the running reward", from the committed CSVs
# (pip install '.[plot]'): PPO's defaults with a 5M-step budget, three seeds, their running reward
# and their kept agents over 20 games, sampled and greedy; Rainbow's milestones for scale.
set -euo pipefail
S=docs/runs/sticky
python $S/plot_agent_curve.py \
    $S/ppo-noop-anneal5M-e8-s11.metrics.csv $S/ppo-noop-anneal5M-e8-s11.agent-curve.csv "seed 11" \
    $S/ppo-defaults5M-s12-resumed.metrics.csv $S/ppo-defaults5M-s12-resumed.agent-curve.csv "seed 12" \
    $S/ppo-defaults5M-s13-resumed.metrics.csv $S/ppo-defaults5M-s13-resumed.agent-curve.csv "seed 13" \
    -o $S/agent-curve.png

#!/usr/bin/env bash
# docs/sticky.md "The agent, not the running reward": PPO's defaults with a 5M-step budget on sticky
# Pong, keeping the agent every 0.5M agent steps, then each kept agent over 20 games, sampled and greedy
# (docs/runs/sticky/*.agent-curve.csv; the figure: plot_agent_curve.sh).
# The arms of the same section: --clip 0.1 and --adam-eps 1e-5 (seed 11).
# Usage: train_agent_curve.sh [seed] [defaults|clip01|eps5]
set -euo pipefail
mkdir -p runs
seed=${1:-11}
arm=${2:-defaults}
case "$arm" in
  defaults) flags=() ; name=defaults5M ;;
  clip01)   flags=(--clip 0.1) ; name=clip01-5M ;;
  eps5)     flags=(--adam-eps 1e-5) ; name=eps1e-5-5M ;;
  *) echo "arm must be defaults, clip01 or eps5" >&2; exit 2 ;;
esac
out="runs/$name-s$seed"
pgcli train --algo ppo --seed "$seed" --lr-anneal-steps 5000000 --save-every 200 --snapshot-every 500000 "${flags[@]}" -o "$out.p"
python docs/runs/sticky/agent_curve.py "$out".*.p "$out.p" -o "$out.agent-curve.csv"

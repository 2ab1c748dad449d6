#!/usr/bin/env bash
# Breakout with PPO on the seed's network (80x80 difference frames, 200 ReLU units, a softmax over
# NOOP, FIRE, RIGHT, LEFT), ALE/Breakout-v5 as shipped (sticky actions 0.25, all five lives, no
# life-loss signal). Each seed's metrics CSV is committed in this folder; see docs/games.md.
set -euo pipefail
mkdir -p runs
seed=${1:-1}
pgcli train --game breakout --algo ppo --seed "$seed" --minutes 120 --save-every 200 -o "runs/breakout-s$seed.p"
pgcli evaluate "runs/breakout-s$seed.p" -n 20

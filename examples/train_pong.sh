#!/usr/bin/env bash
# How the REINFORCE agent of version 0.1.0 was trained (2-core machine, no GPU); its full training
# state (examples/pong-agent-train.p, 41 MB) left the repository: this recreates an equivalent one. Ctrl-C at any time saves;
# run the second command to continue where it stopped.
set -euo pipefail
mkdir -p runs/fast
pgcli train --num-envs 16 --seed 1 --save-every 100 -o runs/fast/save.p
# the 32-game runs (docs/runs/pong/fast32* with 4 groups of 8 games; docs/runs/pong/fast2g* with today's
# default of 2 groups of 16, which is what this command does now):
# pgcli train --num-envs 32 --seed 1 --save-every 100 -o runs/fast2g/save.p
# continue after Ctrl-C (or a crash) from the last checkpoint:
# pgcli train --resume runs/fast/save.p -o runs/fast/save.p --save-every 100

# then, the files in this folder:
# pgcli export runs/fast/save.p -o docs/runs/agents/pong-agent-exact.p
# cp runs/fast/save.metrics.csv docs/runs/pong/reinforce16.metrics.csv
# pgcli plot docs/runs/pong/fast2g.metrics.csv docs/runs/pong/fast32.metrics.csv docs/runs/pong/reinforce16.metrics.csv docs/runs/pong/seed-defaults.metrics.csv -l "--fast, 32 games in 2 groups (new default)" -l "--fast, 32 games in 4 groups" -l "--fast, 16 games (shipped agent)" -l "seed defaults (RMSProp, lr 1e-4)" -o examples/curve.png > docs/runs/pong/milestones.txt
# pgcli record docs/runs/agents/pong-agent-exact.p -o examples/pong.gif --show-input --max-frames 600 --seed 3
# pgcli weights docs/runs/agents/pong-agent-exact.p -o examples/w1.png

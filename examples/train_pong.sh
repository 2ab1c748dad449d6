#!/usr/bin/env bash
# How examples/pong-agent.p was trained (2-core machine, no GPU). Ctrl-C at any time saves;
# run the second command to continue where it stopped.
set -euo pipefail
mkdir -p runs/fast
pgcli train --fast --num-envs 16 --seed 1 --save-every 100 -o runs/fast/save.p
# continue after Ctrl-C (or a crash) from the last checkpoint:
# pgcli train --resume runs/fast/save.p -o runs/fast/save.p --save-every 100

# then, the files in this folder:
# pgcli export runs/fast/save.p -o examples/pong-agent.p
# cp runs/fast/save.metrics.csv examples/pong-agent.metrics.csv
# pgcli plot examples/pong-agent.metrics.csv runs/seed/save.metrics.csv -l "--fast (Adam, lr 1e-3)" -l "seed defaults (RMSProp, lr 1e-4)" -o examples/curve.png
# pgcli record examples/pong-agent.p -o examples/pong.gif --show-input --max-frames 600 --seed 3
# pgcli weights examples/pong-agent.p -o examples/w1.png

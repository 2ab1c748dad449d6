#!/usr/bin/env bash
# The input screen (docs/sticky.md, "What the network sees"): PPO on ALE/Pong-v5 with its sticky
# actions, seed 11 (the slowest of the three baseline seeds: 0 at 3.52M agent steps), pgcli's
# defaults but for --input. Ran side by side with other runs: compare agent steps, not minutes.
set -euo pipefail
mkdir -p runs
pgcli train --algo ppo --no-noop --epochs 4 --seed 11 --input diff+action --minutes 150 --save-every 200 -o runs/in-da-s11.p
pgcli train --algo ppo --no-noop --epochs 4 --seed 11 --input diff+frame+action --minutes 150 --save-every 200 -o runs/in-dfa-s11.p

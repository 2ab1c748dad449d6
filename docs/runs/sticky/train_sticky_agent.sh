#!/usr/bin/env bash
# The sticky-actions champion shipped as examples/pong-agent (docs/results.md): PPO on ALE/Pong-v5
# with its sticky actions, the network seeing the difference frame, the current frame and the previous
# action, seed 11; pgcli's PPO defaults, then half the learning rate. Every step ran beside one to three
# other trainings on the 2 cores, so its 2.92 h of wall clock is an upper bound; agent steps compare.
# The first two lines ran with commit e3b060b, the third with cf8a466 (the same update either way).
# Full training states go to runs/ (kept out of git).
set -euo pipefail
mkdir -p runs
pgcli train --algo ppo --no-noop --epochs 4 --seed 11 --input diff+frame+action --minutes 150 --save-every 200 -o runs/sticky.p  # stopped (Ctrl-C) at 11.26M steps, +16.1
pgcli train --resume runs/sticky.p --save-every 200             # stopped at 15.44M steps, +16.7 (alone: 4,980 steps/s)
pgcli train --resume runs/sticky.p --lr 2.5e-4 --save-every 200  # stopped (Ctrl-C) at 22.16M steps, +17.9, 10,503 s in all
pgcli export runs/sticky.p -o examples/pong-agent/ --eval-games 20  # the model folder (float16)
pgcli evaluate examples/pong-agent -n 20 --json > docs/runs/agents/pong-agent.evaluate.json                 # +18.20 ± 1.40, 20 of 20
pgcli evaluate examples/pong-agent -n 20 --greedy --json > docs/runs/agents/pong-agent.evaluate-greedy.json  # +18.35 ± 1.59
pgcli weights examples/pong-agent -o examples/w1.png
pgcli record examples/pong-agent -o examples/pong.gif --show-input --max-frames 700 --seed 3

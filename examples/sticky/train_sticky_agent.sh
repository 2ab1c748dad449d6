#!/usr/bin/env bash
# The sticky-actions agent shipped as examples/pong-agent-sticky.p (docs/sticky.md): PPO seed 12 on
# ALE/Pong-v5 with its sticky actions, pgcli's defaults, then continued at half the learning rate.
# The first two steps ran with commit 4cea049 (before the one-loop change, which keeps every update
# the same), the third with this version; all beside other runs, so their minutes are not comparable;
# agent steps are. Full training states go to runs/ (41 MB each, kept out of git).
set -euo pipefail
mkdir -p runs
pgcli train --algo ppo --seed 12 --minutes 25 --save-every 500 -o runs/s12.p   # 0 at 1.45M steps, +10 at 3.74M
pgcli train --resume runs/s12.p --minutes 40 --save-every 200                   # stopped (Ctrl-C) at +12.3, 8.31M steps
pgcli train --resume runs/s12.p --lr 2.5e-4 --minutes 25 --save-every 200      # +13.97 at 12.47M steps
pgcli train --resume runs/s12.p --minutes 170 --save-every 200                  # (lr 2.5e-4 kept) stopped (Ctrl-C) at +15.46, 29.17M steps, 2.07 h in all
pgcli export runs/s12.p -o examples/pong-agent-sticky.p
pgcli evaluate examples/pong-agent-sticky.p -n 20 --json > examples/pong-agent-sticky.evaluate.json  # +15.20 ± 3.49
pgcli weights examples/pong-agent-sticky.p -o examples/w1.png

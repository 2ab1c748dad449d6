#!/usr/bin/env bash
# Boxing's figure and milestones (docs/games.md) from the committed CSVs (pip install '.[plot]').
# The running mean starts at the first game's score (seed 2's was 9): the fair milestones are the
# mean of the last 100 games, boxing-last100.txt (docs/runs/games/last100.py).
set -euo pipefail
G=docs/runs/games
pgcli plot $G/ppo-boxing-s{1,2,3}.metrics.csv $G/ppo-boxing-defaults-s{1,2,3}.metrics.csv \
    -l "diff (the seed's input)" -l "diff (the seed's input)" -l "diff (the seed's input)" \
    -l "PPO's defaults (diff+objects+action)" -l "PPO's defaults (diff+objects+action)" -l "PPO's defaults (diff+objects+action)" \
    --game boxing --title "PPO on Boxing (sticky actions), runs beside other trainings: compare agent steps" \
    -o $G/boxing-curve.png > $G/boxing-milestones.txt
python docs/runs/games/last100.py 4.3 $G/ppo-boxing-s{1,2,3}.metrics.csv > $G/boxing-last100.txt
python docs/runs/games/last100.py 4.3 $G/ppo-boxing-defaults-s{1,2,3}.metrics.csv >> $G/boxing-last100.txt

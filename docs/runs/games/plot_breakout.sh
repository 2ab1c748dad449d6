#!/usr/bin/env bash
# Breakout's figure and milestones (docs/games.md) from the committed CSVs (pip install '.[plot]').
set -euo pipefail
G=docs/runs/games
L="objects, a lost life ends the return, 4 epochs"
pgcli plot $G/ppo-breakout-s1.metrics.csv.gz $G/ppo-breakout-objects-s1.metrics.csv.gz \
    $G/ppo-breakout-objects-life-s{1,2,3}.metrics.csv.gz $G/ppo-breakout-e8-s3.metrics.csv.gz \
    -l "diff (the seed's input)" -l "diff+objects+action" -l "$L" -l "$L" -l "$L" \
    -l "PPO's defaults now (8 epochs), seed 3 alone" --game breakout \
    --title "PPO on Breakout (sticky actions): what the network sees, lives, epochs (seeds 1-2 shared the machine, seed 3 ran alone)" \
    -o $G/breakout-curve.png > $G/breakout-milestones.txt

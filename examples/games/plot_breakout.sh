#!/usr/bin/env bash
# Breakout's figure and milestones (docs/games.md) from the committed CSVs (pip install '.[plot]').
set -euo pipefail
G=examples/games
pgcli plot $G/ppo-breakout-s1.metrics.csv $G/ppo-breakout-objects-s1.metrics.csv \
    $G/ppo-breakout-objects-life-s{1,2,3}.metrics.csv \
    -l "diff (the seed's input)" -l "diff+objects+action" -l "--preset atari (+ a lost life ends the return)" \
    -l "--preset atari (+ a lost life ends the return)" -l "--preset atari (+ a lost life ends the return)" --game breakout \
    --title "PPO on Breakout (sticky actions): what the network sees, and lives (seeds 1-2 shared the machine, seed 3 ran alone)" \
    -o $G/breakout-curve.png > $G/breakout-milestones.txt

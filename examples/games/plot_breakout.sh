#!/usr/bin/env bash
# Breakout's figure and milestones (docs/games.md) from the committed CSVs (pip install '.[plot]').
set -euo pipefail
G=examples/games
pgcli plot $G/ppo-breakout-s1.metrics.csv $G/ppo-breakout-objects-s1.metrics.csv \
    $G/ppo-breakout-objects-life-s1.metrics.csv $G/ppo-breakout-objects-life-s2.metrics.csv \
    -l "diff (the seed's input)" -l "diff+objects+action" -l "--preset atari (+ a lost life ends the return)" \
    -l "--preset atari (+ a lost life ends the return)" --game breakout \
    --title "PPO on Breakout (sticky actions): what the network sees, and lives (runs shared the machine: compare agent steps)" \
    -o $G/breakout-curve.png > $G/breakout-milestones.txt

#!/usr/bin/env bash
# Keep what a `pgcli tune` study measured, without its agents: the study (study.db, tune.json), its
# report, and each trial's suite.json, evaluations and gzipped metrics.
#   bash docs/runs/tune/keep.sh runs/pong18 docs/runs/tune/pong18
# Continue the study from the kept copy: copy study.db and tune.json to a folder and run
# `pgcli tune -o FOLDER` there (finished trials are not run again).
set -euo pipefail
src=$1 dst=$2
mkdir -p "$dst"
pgcli tune -o "$src" --report > /dev/null
cp "$src"/study.db "$src"/tune.json "$src"/report.md "$src"/report.json "$dst"/
[ -f "$src"/report.png ] && cp "$src"/report.png "$dst"/
for t in "$src"/trial-*; do
  [ -d "$t" ] || continue
  name=$(basename "$t")
  mkdir -p "$dst/$name"
  cp "$t"/suite.json "$dst/$name"/ 2>/dev/null || true
  for f in "$t"/*.evaluate.json; do [ -f "$f" ] && cp "$f" "$dst/$name"/; done
  for f in "$t"/*.metrics.csv; do [ -f "$f" ] && gzip -9 -n -c "$f" > "$dst/$name/$(basename "$f").gz"; done
done
echo "kept $(du -sh "$dst" | cut -f1) in $dst"

#!/usr/bin/env bash
# quiet-machine micro measurements, then the version before the kernels (0c4590c) on the same
# machine: exact controls seeds 1 and 2, 5 minutes each
set -euo pipefail
cd /work
OPENBLAS_NUM_THREADS=1 /work/venv/bin/python /work/scratch/micro.py > /work/runs/micro.txt 2>&1
OPENBLAS_NUM_THREADS=1 /work/venv/bin/python /work/scratch/micro.py --old >> /work/runs/micro.txt 2>&1
OPENBLAS_NUM_THREADS=1 /work/venv/bin/python /work/scratch/bench_learn.py /work/scratch/batch.npz 5 >> /work/runs/micro.txt 2>&1
OLD="import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in type(f).__module__]; sys.path.insert(0, '/work/old'); sys.argv[0] = 'pgcli'; from pgcli.cli import main; main()"
for seed in 1 2; do
/work/venv/bin/python -c "$OLD" train --algo ppo --sticky-actions 0 --seed $seed --minutes 5 --save-every 200 -o runs/old-exact-s$seed.p
done

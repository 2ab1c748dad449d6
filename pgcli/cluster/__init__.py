"""Rollout workers on Ray (`pip install 'pgcli[ray]'`, `pgcli train --workers N`).

`worker.py` is the remote side: a Ray actor that owns a group of games and a `Collector` acting
with float32 weights from the object store. `learner.py` is the `pgcli train` side: it hands out
weights, gathers experience, updates, and replaces workers that die. Ray is imported only here.
"""

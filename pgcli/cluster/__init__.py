"""Rollout workers on Ray (`pip install 'pgcli[ray]'`, `pgcli train --workers N`).

`worker.py` is the remote side: a Ray actor that owns a group of games and runs the local
`Collector` with float32 weights from the object store. `remote.py` is the `pgcli train` side: a
`RemoteCollector`, the same experience source as the local one, that hands out the settled weights,
gathers experience and replaces workers that die or hang. Ray is imported only here.
"""

"""pgcli: Karpathy's "Pong from Pixels" policy gradients as a command-line tool, and from Python:
`pgcli.load(path)` gives a player that acts on frames, `pgcli.train(pgcli.Config(...), path, ...)`
trains with a callback per episode (see `pgcli.api`)."""

import os

# Before numpy loads OpenBLAS: its threads only slow pgcli's small products (a 3-column h @ W2 took
# 10-100x longer with 2 threads on cores busy emulating). For the CLI and `import pgcli` alike; a
# notebook that imported numpy first keeps its setting (set OPENBLAS_NUM_THREADS=1 before that).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.3.0"

__all__ = ["Config", "load", "train", "__version__"]


def __getattr__(name):  # lazy: `pgcli --version` does not import numpy
    if name in ("load", "train"):
        from pgcli import api

        return getattr(api, name)
    if name == "Config":
        from pgcli.base.config import Config

        return Config
    raise AttributeError(f"module 'pgcli' has no attribute {name!r}")

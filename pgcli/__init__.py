"""pgcli: Karpathy's "Pong from Pixels" policy gradients as a command-line tool, and from Python:
`pgcli.load(path)` gives a player that acts on frames, `pgcli.train(pgcli.Config(...), path, ...)`
trains with a callback per episode (see `pgcli.api`)."""

__version__ = "0.2.0"

__all__ = ["Config", "load", "train", "__version__"]


def __getattr__(name):  # lazy: `pgcli --version` does not import numpy
    if name in ("load", "train"):
        from pgcli import api

        return getattr(api, name)
    if name == "Config":
        from pgcli.config import Config

        return Config
    raise AttributeError(f"module 'pgcli' has no attribute {name!r}")

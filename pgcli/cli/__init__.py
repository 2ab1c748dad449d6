"""The `pgcli` command line: each command parses flags, calls `pgcli.commands`, formats the result.

    root.py       the one Typer app, its error handling and shared arguments
    train.py      pgcli train (flags.py makes one flag per Config field)
    agents.py     play, evaluate, record, games
    results.py    weights, visualize-weights, export, plot, bench
    benchmark.py  pgcli benchmark
    tune.py       pgcli tune
    progress.py   the live progress display of a run; bench_report.py: pgcli bench's table
    stdout.py     standard output that cannot be written (a closed pipe, a full disk)
"""

# each registers its commands on `app`, in the order `pgcli --help` lists them
from pgcli.cli import train  # noqa: F401,I001
from pgcli.cli import agents  # noqa: F401
from pgcli.cli import benchmark  # noqa: F401
from pgcli.cli import tune  # noqa: F401
from pgcli.cli import results  # noqa: F401
from pgcli.cli.root import app


def main() -> None:
    app()


__all__ = ["app", "main"]

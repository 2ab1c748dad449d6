"""Standard output that cannot take the text (a full disk, a closed pipe): one line, never a traceback."""

from __future__ import annotations

import os
import sys

import typer


def stdout_failure(e: OSError | None = None) -> OSError | None:
    """`e` if it came from writing to standard output (a full disk, a closed pipe), else None; with
    no `e`, the error stdout gives when flushed now, or None when it takes what it holds."""
    if e is None:
        try:
            sys.stdout.flush()
        except OSError as failed:
            return failed
        return None
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next  # the frame that made the failing call (click's echo, rich's console)
    values = list(tb.tb_frame.f_locals.values()) if tb is not None else []
    for value in values + [getattr(v, "file", None) for v in values]:  # a stream, or rich's Console.file
        try:
            if hasattr(value, "write") and value.fileno() == sys.stdout.fileno():
                return e
        except (OSError, ValueError, AttributeError):
            continue
    return None


def give_up_stdout(e: OSError) -> None:
    """One line on stderr (none for a closed pipe, as `pgcli games | head` expects) and exit 1;
    stdout goes to /dev/null so the interpreter's own last flush cannot print a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    if not isinstance(e, BrokenPipeError):
        typer.echo(f"pgcli: error: cannot write to standard output ({e.strerror or e})", err=True)
    sys.exit(1)

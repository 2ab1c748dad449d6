"""The one Typer `app` of the `pgcli` command line: one line on stderr for every user mistake, the
version flag, and the arguments the commands share. The commands live beside it (train.py,
agents.py, results.py, benchmark.py) and register on `app` when `pgcli.cli` is imported."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from pgcli import __version__
from pgcli.cli.stdout import give_up_stdout, stdout_failure
from pgcli.base.errors import PgcliError, Stopped



class _Group(TyperGroup):
    """Turns every user mistake into one line on stderr: usage errors exit 2, PgcliError 1, an
    output that cannot be written 1."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as e:  # click-style usage errors (exit code 2)
            if type(e).__name__ == "NoArgsIsHelpError":
                typer.echo(e.format_message())
                sys.exit(0)
            typer.echo(f"pgcli: error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except Stopped as e:  # the user asked for it: say what happened, not "error"
            typer.echo(f"pgcli: {e}", err=True)
            sys.exit(e.exit_code)
        except PgcliError as e:
            typer.echo(f"pgcli: error: {e}", err=True)
            sys.exit(getattr(e, "exit_code", 1))
        except (typer.Abort, KeyboardInterrupt):
            typer.echo("pgcli: interrupted", err=True)
            sys.exit(130)
        except OSError as e:
            if (failed := stdout_failure(e)) is None:
                raise e  # not standard output: a bug, keep its traceback
            give_up_stdout(failed)
        if (failed := stdout_failure()) is not None:
            give_up_stdout(failed)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_Group,
    help="Policy gradients on ATARI games from raw pixels (Karpathy's pg-pong, as a tool).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool):
    if value:
        typer.echo(f"pgcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
):
    """Policy gradients on ATARI games from raw pixels."""




CHECKPOINT = typer.Argument(..., help="A pgcli checkpoint, a model folder (pgcli export -o DIR/) or a Karpathy save.p.", show_default=False)
STICKY = typer.Option(None, "--sticky-actions", min=0.0, max=1.0,
                      help="Chance the emulator repeats the last action (default: what the agent trained with).")

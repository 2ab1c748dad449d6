"""pgcli: Karpathy's "Pong from Pixels" policy gradients as a command-line tool."""

__version__ = "0.2.0"

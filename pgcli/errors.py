"""The one exception type the core raises for anything a user can fix."""


class PgcliError(Exception):
    """A user-facing failure: the CLI prints it as one line on stderr and exits non-zero."""

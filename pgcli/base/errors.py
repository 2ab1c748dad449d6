"""The exception types the core raises for anything a user can fix, or asked for."""


class PgcliError(Exception):
    """A user-facing failure: the CLI prints it as one line on stderr and exits non-zero."""


class Stopped(PgcliError):
    """A stop the user asked for (Ctrl-C, SIGTERM) after the state was saved: not an error.
    The CLI prints it as one line without "error:" and exits 128 + the signal's number."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_code = 128 + signum


class ClusterLost(PgcliError):
    """The Ray cluster went away; the learner's state is still good and gets saved."""

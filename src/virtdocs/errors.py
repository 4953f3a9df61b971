"""Errors meant for people: one line that says what is wrong and where.

Expected outcomes of a simulation (a trap, an unschedulable pod, a cold start)
are values, not exceptions. Exceptions are for bad input and broken invariants;
the command line turns a :class:`UserError` into one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input from a person: a file, a flag, a program, a manifest.

    ``str(error)`` is one line that names the place (``file:line``, an address,
    a flag) and what was expected. ``exit_code`` is what the CLI exits with.
    """

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        if "\n" in message:
            raise ValueError(f"a UserError message must be one line, got {message!r}")
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

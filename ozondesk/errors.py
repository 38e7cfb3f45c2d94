"""Errors a user can fix, as opposed to bugs.

A ``UserError`` carries a one-line sentence saying what is wrong and what to do;
the CLI prints it on stderr and exits 2, the GUI shows it in a message box.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or environment: a malformed file, an unknown option, a newer database."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

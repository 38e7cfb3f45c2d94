"""Database errors a user can act on (as qutebrowser's KnownError), versus bugs."""

from __future__ import annotations

from ozondesk.errors import UserError


class DatabaseKnownError(UserError):
    """The environment is at fault: not a database, corrupt, newer schema, locked, disk full."""

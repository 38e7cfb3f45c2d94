"""Database failures sorted as qutebrowser's ``sql.py`` does: the environment's fault (a full
disk, a damaged or read-only file, a lost server) is a ``DatabaseKnownError`` with one line
saying what to do; anything else is a bug and stays as it was.

Only the driver's code is read, never its message text, which carries SQL and the values of
its parameters (customers' words) and must not reach the screen.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError

from ozondesk.i18n import _
from ozondesk.store.errors import DatabaseKnownError

# SQLite primary result codes (the extended ones share their low byte).
_SQLITE = {
    5: "busy",  # SQLITE_BUSY
    6: "busy",  # SQLITE_LOCKED
    8: "readonly",  # SQLITE_READONLY
    10: "ioerr",  # SQLITE_IOERR
    11: "corrupt",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "cantopen",  # SQLITE_CANTOPEN
    26: "notadb",  # SQLITE_NOTADB
}


def _messages() -> dict[str, str]:
    return {
        "busy": _("the database stayed busy with another program: try again, and close other "
                  "OzonDesk windows or scripts on the same file if it keeps happening"),
        "readonly": _("the database file is read-only: check its permissions and the disk"),
        "ioerr": _("the disk failed to read or write the database: check the disk, then restart OzonDesk"),
        "corrupt": _("the database file is damaged: restore the backup copy next to it "
                     "(…backup-…) or your last copy, then restart OzonDesk"),
        "full": _("the disk holding the database is full: free some space and try again"),
        "cantopen": _("the database file cannot be opened: check that its folder exists and is writable"),
        "notadb": _("this file is not an OzonDesk database: choose another file"),
        "schema": _("the database is missing part of its structure: it was damaged or changed by "
                    "another program; restore the backup copy next to it"),
        "pg-connection": _("the connection to the PostgreSQL server was lost: check the network; "
                           "OzonDesk reconnects on the next action"),
        "pg-restart": _("the PostgreSQL server is restarting or shutting down: try again in a minute"),
        "pg-resources": _("the PostgreSQL server is out of disk space or memory: tell your database administrator"),
        "pg-privilege": _("your database login may not do this: ask a team lead or the database "
                          "administrator"),
        "pg-readonly": _("the PostgreSQL server is read-only now (a standby or in recovery): "
                         "connect to the primary server"),
    }


def _sqlite_kind(orig: sqlite3.Error) -> str | None:
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        kind = _SQLITE.get(code & 0xFF)
        if kind:
            return kind
    text = str(orig).lower()
    # Python's own sqlite3 module raises these without a result code.
    if "no such table" in text or "no such column" in text:
        return "schema"
    if "database is locked" in text:
        return "busy"
    if "disk is full" in text or "database or disk is full" in text:
        return "full"
    if "malformed" in text or "could not decode to utf-8" in text:
        # A page overwritten inside a row's text reads back as bytes that are not UTF-8.
        return "corrupt"
    if "not a database" in text:
        return "notadb"
    if "readonly" in text or "read-only" in text:
        return "readonly"
    return None


def _pg_kind(sqlstate: str) -> str | None:
    if sqlstate.startswith("08"):
        return "pg-connection"
    if sqlstate.startswith("57P"):
        return "pg-restart"
    if sqlstate.startswith("53"):
        return "pg-resources"
    if sqlstate == "42501":
        return "pg-privilege"
    if sqlstate == "25006":
        return "pg-readonly"
    if sqlstate in ("42P01", "42703"):
        return "schema"
    return None


def _pg_unreachable(orig: BaseException | None) -> str | None:
    """A new connection the server did not let in: psycopg raises OperationalError without an
    SQLSTATE (the server's FATAL comes before a session exists), e.g. while the server restarts
    (bench_faults found these crashing a desk's next Send). A refused password stays a bug
    here: opening the database sorts that one with the keyring command to fix it."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a desk without PostgreSQL support
        return None
    if not isinstance(orig, psycopg.OperationalError):
        return None
    # The server's words, not ours: no statement or parameters in a failed connection's text.
    said = str(orig).lower()
    if "password" in said:
        return None
    if any(w in said for w in ("starting up", "shutting down", "in recovery mode")):
        return "pg-restart"
    return "pg-connection"


def known_database_error(exc: BaseException) -> DatabaseKnownError | None:
    """The one-line error for a database failure the user can act on; None for a bug."""
    if isinstance(exc, DatabaseKnownError):
        return exc
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    kind: str | None = None
    if isinstance(orig, sqlite3.Error):
        kind = _sqlite_kind(orig)
    else:
        sqlstate = getattr(orig, "sqlstate", None)
        if isinstance(sqlstate, str):
            kind = _pg_kind(sqlstate)
        elif isinstance(exc, DBAPIError) and exc.connection_invalidated:
            kind = "pg-connection"
        else:
            kind = _pg_unreachable(orig)
    if kind is None:
        return None
    return DatabaseKnownError(_messages()[kind])

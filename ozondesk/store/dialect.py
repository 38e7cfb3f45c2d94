"""Everything SQLite-specific lives here, so PostgreSQL can serve a team unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def looks_like_sqlite(path: Path) -> bool:
    """An empty or missing file is fine (it becomes a new database); anything else needs the magic."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with path.open("rb") as handle:
        return handle.read(16) == SQLITE_MAGIC


def configure(engine: Engine) -> None:
    if not is_sqlite(engine.url):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is disabled so SQLAlchemy's BEGIN is the real one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if sqlite_path(engine.url) is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def backup_sqlite(path: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API (safe with WAL)."""
    source = sqlite3.connect(str(path))
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()


def foreign_key_problems(connection: Any) -> list[Any]:
    if connection.dialect.name != "sqlite":
        return []
    return list(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def set_foreign_keys(connection: Any, on: bool) -> None:
    """Toggle enforcement on the raw connection: SQLite ignores the pragma inside a transaction."""
    if connection.dialect.name == "sqlite":
        connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")

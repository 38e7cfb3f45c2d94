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


# -- full-text search over message text ------------------------------------------------------
# SQLite: an external-content FTS5 table kept by triggers. The trigram tokenizer finds any
# substring of 3+ characters in Cyrillic, Latin or Chinese text, case-insensitively; shorter
# queries (a two-character Chinese word) fall back to LIKE. Other backends use ILIKE.
FTS_TABLE = "messages_fts"
FTS_MIN_QUERY = 3
FTS_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, content='messages', content_rowid='id',"
    " tokenize='trigram case_sensitive 0')",
    f"INSERT INTO {FTS_TABLE}(rowid, text) SELECT id, text FROM messages",
    f"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    f" INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.id, old.text);"
    f" INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.id, new.text); END",
)
FTS_DROP = (
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: the FTS table and its shadow tables are not part of the ORM models."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


def matching_message_ids(connection: Any, query: str, limit: int) -> list[tuple[int, str]]:
    """(message id, snippet with the match in 【】) for messages containing ``query``."""
    if connection.dialect.name == "sqlite" and len(query) >= FTS_MIN_QUERY:
        phrase = '"' + query.replace('"', '""') + '"'
        rows = connection.exec_driver_sql(
            f"SELECT rowid, text FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?",
            (phrase, limit),
        ).fetchall()
        return [(int(r[0]), _mark(str(r[1]), query)) for r in rows]
    like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    op = "LIKE" if connection.dialect.name == "sqlite" else "ILIKE"
    rows = connection.exec_driver_sql(
        f"SELECT id, text FROM messages WHERE text {op} ? ESCAPE '\\' ORDER BY id DESC LIMIT ?"
        if connection.dialect.name == "sqlite"
        else f"SELECT id, text FROM messages WHERE text {op} %s ESCAPE '\\' ORDER BY id DESC LIMIT %s",
        (like, limit),
    ).fetchall()
    return [(int(r[0]), _mark(str(r[1]), query)) for r in rows]


def _mark(text: str, query: str) -> str:
    at = text.lower().find(query.lower())
    if at < 0:
        return text[:80]
    start = max(0, at - 30)
    prefix = "…" if start else ""
    return f"{prefix}{text[start:at]}【{text[at:at + len(query)]}】{text[at + len(query):at + len(query) + 40]}"

"""Everything SQLite-specific lives here, so PostgreSQL can serve a team unchanged."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Engine,
    any_,
    column,
    event,
    false,
    func,
    literal,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError

from ozondesk.store import transactions

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


# Connections this process has open, per database file. While there are any, the file itself
# is never opened by other means: closing any descriptor of a file drops every POSIX lock the
# process holds on it, so another process could take this one's connections for gone and
# delete the WAL under them ("disk I/O error", or worse).
_connections: Counter[str] = Counter()
_connections_guard = threading.Lock()


def looks_like_sqlite(path: Path) -> bool:
    """An empty or missing file is fine (it becomes a new database); anything else needs the magic."""
    with _connections_guard:
        if _connections[str(path)] > 0:
            return True  # this process has it open as a database already
        if not path.exists() or path.stat().st_size == 0:
            return True
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_MAGIC


class WriteInReadTransaction(RuntimeError):
    """A statement tried to write inside ``db.read()``: a bug in the caller, never a read-only
    file or server (which the same driver error would otherwise be taken for)."""


def configure(engine: Engine) -> None:
    """Connection set-up and the start of every transaction (see ``store/transactions.py``)."""
    if is_sqlite(engine.url):
        _configure_sqlite(engine)
    else:
        _configure_server(engine)

    @event.listens_for(engine, "handle_error")
    def _write_in_read(context: Any) -> BaseException | None:
        connection = context.connection
        if connection is None or not connection.get_execution_options().get(transactions.READ_ONLY):
            return None
        orig = context.original_exception
        code = getattr(orig, "sqlite_errorcode", None)
        # SQLITE_READONLY from PRAGMA query_only; PostgreSQL's read_only_sql_transaction.
        if (isinstance(code, int) and code & 0xFF == 8) or getattr(orig, "sqlstate", None) == "25006":
            return WriteInReadTransaction("a write was attempted inside a read-only transaction (db.read())")
        return None


def _configure_sqlite(engine: Engine) -> None:
    where = str(sqlite_path(engine.url) or engine.url.database or ":memory:")

    file = sqlite_path(engine.url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if file is not None:
            with _connections_guard:
                _connections[str(file)] += 1
        # pysqlite's own transaction handling is disabled so SQLAlchemy's BEGIN is the real one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_busy_ms()}")
        if sqlite_path(engine.url) is not None:
            # WAL is not switched on here: that rewrites the file's header (bytes 18-19), and
            # a file must be known to be ours first (``use_wal``, after the schema check).
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "close")
    def _closed(_dbapi_connection: Any, _record: Any) -> None:
        if file is not None:
            with _connections_guard:
                _connections[str(file)] -= 1

    # The connection this thread holds the write lock on, if any.
    holding = threading.local()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        raw = conn.connection.driver_connection
        # Set on every begin: a pooled connection serves reads and writes in turn.
        if conn.get_execution_options().get(transactions.READ_ONLY):
            raw.execute("PRAGMA query_only=ON")
            raw.execute("BEGIN")
            return
        held = getattr(holding, "raw", None)
        if held is not None and held is not raw and held.in_transaction:
            # It would wait for itself until the bound: a bug, said at once.
            raise RuntimeError("a write transaction began inside another on the same thread")
        raw.execute("PRAGMA query_only=OFF")
        transactions.sqlite_begin_immediate(raw, where, transactions.WRITE_WAIT, _busy_ms())
        holding.raw = raw

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(conn: Any) -> None:
        try:
            raw = conn.connection.driver_connection
        except Exception:  # noqa: BLE001 - an invalidated connection holds no lock any more
            raw = None
        if raw is None or getattr(holding, "raw", None) is raw:
            holding.raw = None


# A pooled connection back in use within this many seconds is not pinged first (see below).
PING_AFTER_IDLE = 1.0


def _configure_server(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        read_only = bool(conn.get_execution_options().get(transactions.READ_ONLY))
        raw = conn.connection.driver_connection
        if hasattr(raw, "read_only"):
            # psycopg then opens the transaction with BEGIN READ ONLY: one round trip where
            # BEGIN and SET TRANSACTION READ ONLY took two, on every read (a listing is two).
            # Set on every begin, both ways: a pooled connection serves reads and writes in turn.
            if raw.read_only != read_only:
                raw.read_only = read_only
        elif read_only:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    # Pessimistic disconnect handling, as pool_pre_ping, but only for a connection that sat in
    # the pool: a server restart or idle timeout drops those. pre_ping's ping on every
    # checkout was a round trip before each of a listing's back-to-back reads, proving no
    # more than the read that ended a moment before (the server may drop it after any ping).
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                # The pool replaces the connection and checks out again.
                raise DisconnectionError() from exc
            raise


def _busy_ms() -> int:
    return int(transactions.WRITE_WAIT * 1000)


def use_wal(connection: Any) -> None:
    """Switch an OzonDesk file to WAL (persistent in the file; a no-op once it is WAL)."""
    if connection.dialect.name == "sqlite":
        # On the raw connection: inside a transaction SQLite ignores the change.
        mode = connection.connection.dbapi_connection.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch the database to WAL (still {mode})")


def quick_check(connection: Any) -> list[str]:
    """SQLite's ``PRAGMA quick_check``: [] for a sound file, else its first problems.

    It reads every page of every table and index (without comparing indexes to their
    tables), so a page scribbled over in the middle of the file is found before anything
    writes next to it.
    """
    if connection.dialect.name != "sqlite":
        return []
    rows = [str(r[0]) for r in connection.exec_driver_sql("PRAGMA quick_check(5)").fetchall()]
    if rows == ["ok"]:
        return []
    # A row may hold several lines, headed "*** in database main ***": one line per problem.
    lines = (line.strip() for row in rows for line in row.splitlines())
    return [line for line in lines if line and not line.startswith("***")] or rows


def backup_sqlite(path: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API (safe with WAL), made under a
    temporary name, flushed to disk, checked and only then renamed to ``target``: a full disk
    or a crash never leaves a file at ``target`` that looks like a good copy. On failure the
    partial file is removed and the ``OSError`` / ``sqlite3.Error`` goes to the caller."""
    partial = target.with_name(target.name + ".partial")
    try:
        _copy_database(path, partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    except BaseException:
        for leftover in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{leftover}").unlink(missing_ok=True)
        raise


def _copy_database(path: Path, target: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
            # One self-contained file (the copy of a WAL database would need its -wal/-shm).
            dest.execute("PRAGMA journal_mode=DELETE")
            pages = dest.execute("PRAGMA page_count").fetchone()[0]
            verdict = dest.execute("PRAGMA quick_check(1)").fetchone()[0]
            if pages <= 0 or verdict != "ok":
                raise sqlite3.DatabaseError(f"the backup copy failed its check: {verdict}")
        finally:
            dest.close()
    finally:
        source.close()


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entry list) to disk; folders cannot be opened on Windows."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except (IsADirectoryError, PermissionError):
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


# PostgreSQL: ILIKE '%…%' on message text is answered from a pg_trgm GIN index for 3+
# characters (pg_trgm is a trusted extension: the database owner may create it). Shorter
# patterns have no trigram to look up; the inbox's first screen bounds their scan instead.
TRGM_INDEX = "ix_messages_text_trgm"
TRGM_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON messages USING gin (text gin_trgm_ops)",
)
# The extension stays: another database object may use it, and it costs nothing unused.
TRGM_DROP = (f"DROP INDEX IF EXISTS {TRGM_INDEX}",)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: the FTS table and its shadow tables, and the trigram index, are not
    part of the ORM models (SQLAlchemy can't spell an operator class portably)."""
    if type_ == "index" and name == TRGM_INDEX:
        return False
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


def id_in(dialect_name: str, column_: Any, ids: list[int]) -> Any:
    """``column_ IN ids``. On PostgreSQL ``= ANY(array)``: one parameter, so a page's statement
    is the same text for any 200 ids, which psycopg then parses once and prepares, instead of
    a statement of 200 placeholders (over psycopg's 4 KB cache limit) parsed on every page."""
    if dialect_name == "postgresql":
        return column_ == any_(literal(ids, ARRAY(BigInteger)))
    return column_.in_(ids)


def like_pattern(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def message_match(dialect_name: str, query: str, message_id: Any, message_text: Any) -> Any:
    """A condition on message rows: the text contains ``query`` (case-insensitive where the index is).

    SQLite answers 3+ characters from the trigram index; the FTS subquery is uncorrelated, so
    SQLite evaluates it once and the caller can join its matches to conversations in SQL.
    """
    if "\x00" in query:
        # No message holds a NUL, and FTS5 and libpq both refuse one inside a query.
        return false()
    if dialect_name == "sqlite" and len(query) >= FTS_MIN_QUERY:
        fts, match = fts_match(query)
        return message_id.in_(select(fts.c.rowid).where(match))
    if dialect_name == "sqlite":
        # SQLite's LIKE folds ASCII only: «ДО» would miss «до». One or two characters have at
        # most four case spellings; look for each, still in C (instr), not row by row in Python.
        return or_(*(func.instr(message_text, v) > 0 for v in case_spellings(query)))
    return message_text.ilike(like_pattern(query), escape="\\")


def fts_match(query: str) -> tuple[Any, Any]:
    """SQLite, 3+ characters: the FTS table (its ``rowid`` is the message id) and the MATCH
    condition, to drive a query from the index, e.g. newest match first by ``rowid`` DESC,
    which FTS5 walks in order without collecting every match first."""
    fts = table(FTS_TABLE, column("rowid"))
    phrase = '"' + query.replace('"', '""') + '"'
    return fts, text(f"{FTS_TABLE} MATCH :fts_phrase").bindparams(fts_phrase=phrase)


def case_spellings(query: str) -> list[str]:
    """Every upper/lower spelling of a short query («ёж» → ёж, Ёж, ёЖ, ЁЖ)."""
    spellings = [""]
    for char in query:
        forms = dict.fromkeys(f for f in (char.lower(), char.upper()) if len(f) == 1) or {char: None}
        spellings = [s + f for s in spellings for f in forms]
    return spellings


def newest_match_snippets(texts: Iterable[tuple[int, str]], query: str) -> dict[int, str]:
    """Owner id → snippet of the first text (give them newest first) containing ``query``."""
    needle = query.lower()
    found: dict[int, str] = {}
    for owner, body in texts:
        if owner not in found and needle in body.lower():
            found[owner] = _mark(body, query)
    return found


def _mark(text: str, query: str) -> str:
    at = text.lower().find(query.lower())
    if at < 0:
        return text[:80]
    start = max(0, at - 30)
    prefix = "…" if start else ""
    return f"{prefix}{text[start:at]}【{text[at:at + len(query)]}】{text[at + len(query):at + len(query) + 40]}"

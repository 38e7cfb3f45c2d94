"""Opening a database: resolve the URL, refuse what isn't ours, migrate after a backup."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ozondesk import __version__
from ozondesk.i18n import _
from ozondesk.resources import migrations_dir
from ozondesk.store import dialect
from ozondesk.store.errors import DatabaseKnownError

log = logging.getLogger("ozondesk.store")

MIGRATIONS = migrations_dir()
APP_NAME = "OzonDesk"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "ozondesk.sqlite"


def resolve_url(value: str | None = None) -> URL:
    """``--db`` wins, then ``OZONDESK_DB``, then the user data folder. A plain path is a SQLite file."""
    raw = value or os.environ.get("OZONDESK_DB") or str(default_database_path())
    if "://" not in raw:
        return URL.create("sqlite+pysqlite", database=str(Path(raw).expanduser().resolve()))
    try:
        return make_url(raw)
    except ArgumentError:
        raise DatabaseKnownError(
            _("cannot read database URL {url!r}: use a file path or e.g. postgresql+psycopg://host/db").format(
                url=raw
            )
        ) from None


def alembic_config(connection: object | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


@dataclass
class Database:
    url: URL
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: Path | None = None

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def display_name(self) -> str:
        return self.url.render_as_string(hide_password=True)


def _describe(url: URL) -> str:
    path = dialect.sqlite_path(url)
    return str(path) if path else url.render_as_string(hide_password=True)


def open_database(value: str | URL | None = None, *, create: bool = True) -> Database:
    """Open (and if needed create or upgrade) the database at ``value``.

    An older schema is upgraded after a backup copy is written next to the file; a
    newer schema, a file that is not SQLite and a database of another program are
    refused with a ``DatabaseKnownError`` and left untouched.
    """
    url = value if isinstance(value, URL) else resolve_url(value)
    path = dialect.sqlite_path(url)
    where = _describe(url)
    if path is not None:
        if path.is_dir():
            raise DatabaseKnownError(_("{path} is a folder, not a database file").format(path=path))
        if not path.exists() and not create:
            raise DatabaseKnownError(_("database {path} does not exist").format(path=path))
        if not dialect.looks_like_sqlite(path):
            raise DatabaseKnownError(
                _("{path} is not a SQLite database: choose another file or remove it").format(
                    path=path
                )
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseKnownError(
            _("cannot use database {url}: {reason}").format(url=where, reason=exc)
        ) from None
    dialect.configure(engine)
    try:
        backup = _migrate(engine, url, path)
    except DatabaseKnownError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseKnownError(
            _("cannot open database {url}: {reason}").format(url=where, reason=exc.orig)
        ) from None
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseKnownError(
            _("{url} is damaged or not a database ({reason}): restore a backup copy").format(
                url=where, reason=exc.orig
            )
        ) from None
    db = Database(url, engine, sessionmaker(engine, expire_on_commit=False), backup)
    from ozondesk.store.seed import ensure_defaults

    ensure_defaults(db)
    return db


def _migrate(engine: Engine, url: URL, path: Path | None) -> Path | None:
    head = head_revision()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        tables = set(inspect(connection).get_table_names())
    if current is None and tables - {"alembic_version"}:
        raise DatabaseKnownError(
            _("{url} holds another program's data, not an OzonDesk database").format(
                url=_describe(url)
            )
        )
    if current is not None and current not in _known_revisions():
        raise DatabaseKnownError(
            _(
                "database {url} was written by a newer OzonDesk (schema {rev}); "
                "this is version {version}: update OzonDesk"
            ).format(url=_describe(url), rev=current, version=__version__)
        )
    if current == head:
        return None
    backup: Path | None = None
    if current is not None and path is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.backup-{current}-{stamp}")
        dialect.backup_sqlite(path, backup)
        log.warning("database upgraded from %s; backup copy at %s", current, backup)
    with engine.connect() as connection:
        dialect.set_foreign_keys(connection, False)
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection), "head")
                problems = dialect.foreign_key_problems(connection)
                if problems:
                    raise DatabaseKnownError(
                        _("migration left {n} broken references; the backup copy is at {path}").format(
                            n=len(problems), path=backup
                        )
                    )
        finally:
            dialect.set_foreign_keys(connection, True)
    return backup

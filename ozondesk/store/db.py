"""Opening a database: resolve the URL, refuse what isn't ours, migrate after a backup.

A team points every desk at one PostgreSQL server instead of the embedded SQLite file. Its
password never sits in the URL, the config or a log: it is read from the OS keyring under
``user@host:port/database`` (``ozondesk db-password set`` stores it).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.errors
import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.orm import Session, sessionmaker

from ozondesk import __version__
from ozondesk.i18n import _
from ozondesk.keyring_check import KeyringUnavailable, failure, secure_backend
from ozondesk.resources import migrations_dir
from ozondesk.store import dialect, sla_outcomes, transactions
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.pg_roles import admit, current_login, is_permission_error, may_migrate

log = logging.getLogger("ozondesk.store")

MIGRATIONS = migrations_dir()
APP_NAME = "OzonDesk"
PASSWORD_SERVICE = "ozondesk.database"
# Any fixed 64-bit number: held while one desk migrates and seeds a shared PostgreSQL database.
_MIGRATION_LOCK = 0x6F7A6F6E6465736B
# A unit of work lost with its connection more often than this is not a passing hiccup.
_DISCONNECT_RETRIES = 3
# How a new installation gets its database from the command line (the app's first start is the other way).
FIRST_STEP = "ozondesk team add LOGIN --name NAME --role lead"
T = TypeVar("T")


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "ozondesk.sqlite"


def resolve_url(value: str | None = None) -> URL:
    """``--db`` wins, then ``OZONDESK_DB``, then the user data folder. A plain path is a SQLite file."""
    raw = value or os.environ.get("OZONDESK_DB") or str(default_database_path())
    if "://" not in raw:
        return URL.create("sqlite+pysqlite", database=str(Path(raw).expanduser().resolve()))
    try:
        url = make_url(raw)
        url.port  # noqa: B018 - a malformed host or port ("[::1") only fails when read
    except (ArgumentError, ValueError):
        raise DatabaseKnownError(
            _("cannot read database URL {url!r}: use a file path or e.g. postgresql+psycopg://host/db").format(
                url=raw
            )
        ) from None
    if url.drivername in ("postgres", "postgresql"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare default would be psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    return url


def is_postgresql(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def password_key(url: URL) -> str:
    """The keyring entry of a PostgreSQL URL's password: ``user@host:port/database``."""
    return "{user}@{host}:{port}/{db}".format(
        user=url.username or os.environ.get("PGUSER") or "postgres",
        host=url.host or "localhost",
        port=url.port or 5432,
        db=url.database or "",
    )


def password_command(url: URL) -> str:
    """What to type to store this URL's password, shown in errors."""
    plain = url.set(password=None).render_as_string(hide_password=True)
    return f"ozondesk --db {plain} db-password set"


def stored_password(url: URL) -> str | None:
    """The keyring's password for ``url``; None without one or without a usable keyring, and
    libpq then tries its own ways (PGPASSWORD, ~/.pgpass, a server that trusts the host)."""
    try:
        value = _keyring_call("get_password", password_key(url))
    except KeyringUnavailable as exc:
        # Also an insecure backend (a plaintext file): its entries are not read either.
        log.info("no keyring to read the database password from: %s", exc.message)
        return None
    return value if isinstance(value, str) else None


def _keyring_call(action: str, *args: str) -> object:
    """Only the system keyring (``keyring_check``); ``KeyringUnavailable`` says what to do."""
    backend = secure_backend(purpose="database")
    try:
        return getattr(backend, action)(PASSWORD_SERVICE, *args)
    except keyring.errors.PasswordDeleteError:
        return None
    except keyring.errors.KeyringError as exc:
        raise failure(exc, "database") from None


def store_password(url: URL, password: str) -> str:
    """Keep the password of a PostgreSQL URL in the keyring; returns the entry's name."""
    key = password_key(url)
    _keyring_call("set_password", key, password)
    return key


def clear_password(url: URL) -> bool:
    """Forget the stored password; False when there was none."""
    key = password_key(url)
    if _keyring_call("get_password", key) is None:
        return False
    _keyring_call("delete_password", key)
    return True


def with_password(url: URL) -> URL:
    """``url`` with its password from the keyring, if it has none and the keyring has one."""
    if not is_postgresql(url) or url.password:
        return url
    password = stored_password(url)
    return url.set(password=password) if password else url


def alembic_config(connection: object | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _check_pages(engine: Engine, url: URL) -> None:
    """Refuse a SQLite file with a damaged page before anything writes into it."""
    started = time.monotonic()
    with engine.connect().execution_options(**{transactions.READ_ONLY: True}) as connection:
        try:
            problems = dialect.quick_check(connection)
        except DatabaseError as exc:
            # Some damage stops the check itself ("database disk image is malformed").
            problems = [str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__]
    log.info("quick_check of %s took %.2f s", _describe(url), time.monotonic() - started)
    if problems:
        log.error("quick_check of %s: %s", _describe(url), "; ".join(problems))
        raise DatabaseKnownError(
            _("{url} is damaged ({problem}): restore the backup copy next to it (…backup-…) "
              "or your last copy").format(url=_describe(url), problem=problems[0])
        )


def _use_wal(engine: Engine, path: Path | None) -> None:
    if path is not None:
        with engine.connect() as connection:
            dialect.use_wal(connection)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


@dataclass
class Database:
    """An open database and the three ways to run a transaction on it.

    ``write(work)`` for a unit of work that must not fail on a transient lock (re-run from the
    start when the server picks it as a victim), ``begin()`` for a write block only this desk
    does, ``read()`` for anything that only reads. The discipline behind them, and which
    threads write, is in ``store/transactions.py``.
    """

    url: URL
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: Path | None = None
    read_sessions: sessionmaker[Session] | None = None

    def __post_init__(self) -> None:
        # Every write transaction stores the SLA outcomes it touched (store/sla_outcomes.py).
        sla_outcomes.track(self.sessions)
        if self.read_sessions is None:
            reader = self.engine.execution_options(**{transactions.READ_ONLY: True})
            self.read_sessions = sessionmaker(reader, expire_on_commit=False)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """One write unit of work: committed on success, rolled back on any error.

        On SQLite it starts once this connection holds the write lock (waiting for it at most
        ``transactions.WRITE_WAIT`` seconds, then a one-line ``DatabaseBusyError``), so the
        block never meets a transient lock. On PostgreSQL a deadlock victim is not re-run:
        use :meth:`write` for work other desks may do at the same time.
        """
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: no write lock taken, and any write inside it is an error."""
        assert self.read_sessions is not None
        with self.read_sessions.begin() as session:
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, again from the start after a transient
        failure: a lock that stayed busy (SQLite), a deadlock or serialization victim
        (PostgreSQL), a dropped connection. Pauses are jittered; after
        ``transactions.WRITE_WAIT`` seconds a one-line ``DatabaseBusyError`` is raised.

        ``work`` must only touch the database: a second run sees none of the first one's
        writes, which were rolled back. A connection lost during COMMIT may have committed,
        so ``work`` must also be idempotent (check before insert).
        """
        waits = transactions.pauses()
        disconnects = 0
        while True:
            try:
                with self.sessions.begin() as session:
                    return work(session)
            except DBAPIError as exc:
                kind = _transient(exc)
                if kind is None:
                    raise
                if kind == "disconnect":
                    disconnects += 1
                    if disconnects > _DISCONNECT_RETRIES:
                        raise
                pause = next(waits, None)
                if pause is None:
                    if kind == "busy":
                        raise transactions.busy_error(_describe(self.url)) from None
                    raise
                # After a disconnect SQLAlchemy has invalidated the pool: the next checkout
                # pings and reconnects, so nothing else to reset here.
                log.warning("transaction run again after %s", type(exc.orig).__name__)
                time.sleep(pause)

    def transact(self, work: Callable[[Session], T]) -> T:
        """The former name of :meth:`write`."""
        return self.write(work)

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def is_postgresql(self) -> bool:
        return is_postgresql(self.url)

    @property
    def display_name(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def short_name(self) -> str:
        return short_name(self.url)


def short_name(url: URL) -> str:
    """What a person calls a database: the file's name, or the team database and its host."""
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "").name or url.render_as_string(hide_password=True)
    return f"{url.database} @ {url.host or 'localhost'}"


def _transient(exc: DBAPIError) -> str | None:
    """"busy" or "disconnect" when running the unit of work again can help, else None."""
    if exc.connection_invalidated or _is_disconnect(exc):
        return "disconnect"
    if getattr(exc.orig, "sqlstate", None) in transactions.RETRY_STATES:
        return "busy"
    if transactions.sqlite_is_busy(exc.orig):
        return "busy"
    return None


def _is_disconnect(exc: DBAPIError) -> bool:
    # SQLAlchemy flags most dropped connections itself (connection_invalidated); these are
    # PostgreSQL's own classes for them: 08 connection exception, 57P operator intervention
    # (a backend terminated by an administrator or a server shutdown).
    state = getattr(exc.orig, "sqlstate", None) or ""
    return state.startswith(("08", "57P"))


def _describe(url: URL) -> str:
    path = dialect.sqlite_path(url)
    return str(path) if path else url.render_as_string(hide_password=True)


def missing_database(path: Path | str, first_step: str | None = None) -> DatabaseKnownError:
    """The one line for a database file that is not there (or empty) where one must be."""
    return DatabaseKnownError(
        _("no database at {path}; create one with `{command}` or by starting OzonDesk on it").format(
            path=path, command=first_step or FIRST_STEP
        )
    )


def open_database(
    value: str | URL | None = None,
    *,
    create: bool = True,
    read_only: bool = False,
    first_step: str | None = None,
) -> Database:
    """Open (and if needed create or upgrade) the database at ``value``.

    ``read_only`` is for commands that only read: the database must exist at the current
    schema (else one line says how to create or upgrade it), nothing is created, migrated,
    seeded or switched, and every transaction of the returned ``Database`` is read-only.
    ``first_step`` is the command named in the line about a missing database.

    An older schema is upgraded after a backup copy is written next to the file; a
    newer schema, a file that is not SQLite and a database of another program are
    refused with a ``DatabaseKnownError`` and left untouched.

    A PostgreSQL URL gets its password from the keyring; the first desk to start upgrades
    the shared schema while the others wait for it (no backup copy: a server is backed up
    by its administrator). An unreachable server, a missing or wrong password and a refused
    database are each a one-line ``DatabaseKnownError`` saying what to do.
    """
    url = value if isinstance(value, URL) else resolve_url(value)
    path = dialect.sqlite_path(url)
    where = _describe(url)
    if path is not None:
        if path.is_dir():
            raise DatabaseKnownError(_("{path} is a folder, not a database file").format(path=path))
        if not path.exists() and (read_only or not create):
            raise missing_database(path, first_step)
        if read_only and path.stat().st_size == 0:
            raise missing_database(path, first_step)
        if not dialect.looks_like_sqlite(path):
            raise DatabaseKnownError(
                _("{path} is not a SQLite database: choose another file or remove it").format(
                    path=path
                )
            )
        blocker = None if read_only else next((a for a in path.parents if a.exists() and not a.is_dir()), None)
        if blocker is not None:
            raise DatabaseKnownError(
                _("{path} is a file, not a folder: choose another place for the database").format(
                    path=blocker
                )
            )
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseKnownError(
                _("cannot create the folder for {path}: {reason}").format(
                    path=path, reason=exc.strerror or type(exc).__name__
                )
            ) from None
    # Error texts never carry the statement's values: they hold customers' words.
    options: dict[str, Any] = {"hide_parameters": True}
    if is_postgresql(url):
        url = with_password(url)
        # A desk whose connection the server dropped (restart, idle timeout) gets a fresh one
        # instead of an error on its next action: dialect.configure pings pooled connections
        # that sat idle (pool_pre_ping would ping before every read).
        options |= {
            "connect_args": {"connect_timeout": 5, "application_name": "ozondesk"},
        }
    try:
        engine = create_engine(url, **options)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseKnownError(
            _("cannot use database {url}: {reason}").format(url=where, reason=exc)
        ) from None
    dialect.configure(engine)
    try:
        if read_only:
            backup = _migrate(engine, url, path, upgrade=False, first_step=first_step)
        elif is_postgresql(url):
            _migrate_shared(engine, url)
            backup = None  # a team's server keeps its own backups
        else:
            backup = _migrate(engine, url, path)
    except DatabaseKnownError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        if is_postgresql(url):
            raise _server_error(url, exc) from None
        raise DatabaseKnownError(
            _("cannot open database {url}: {reason}").format(url=where, reason=exc.orig)
        ) from None
    except DatabaseError as exc:
        engine.dispose()
        if is_postgresql(url) and is_permission_error(exc):
            raise DatabaseKnownError(
                _("PostgreSQL refused {login} on {url} ({reason}): ask the team's administrator").format(
                    login=url.username, url=where, reason=str(exc.orig).strip().splitlines()[0]
                )
            ) from None
        raise DatabaseKnownError(
            _("{url} is damaged or not a database ({reason}): restore a backup copy").format(
                url=where, reason=exc.orig
            )
        ) from None
    if read_only:
        reader = engine.execution_options(**{transactions.READ_ONLY: True})
        return Database(url, engine, sessionmaker(reader, expire_on_commit=False))
    db = Database(url, engine, sessionmaker(engine, expire_on_commit=False), backup)
    if not is_postgresql(url):
        from ozondesk.store.seed import ensure_defaults

        ensure_defaults(db)
    return db


def _server_error(url: URL, exc: OperationalError) -> DatabaseKnownError:
    """One line a user can act on for a PostgreSQL server that would not let us in."""
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    where = "{host}:{port}".format(host=url.host or "localhost", port=url.port or 5432)
    state = getattr(exc.orig, "sqlstate", None)
    if "password" in reason.lower() or state == "28P01":
        if url.password:
            return DatabaseKnownError(
                _("PostgreSQL at {where} refused the password of {key}: store the right one with {command}").format(
                    where=where, key=password_key(url), command=password_command(url)
                )
            )
        try:
            secure_backend(purpose="database")
        except KeyringUnavailable as exc:
            return DatabaseKnownError(
                _("no password for {key}: {problem}").format(key=password_key(url), problem=exc.message)
            )
        return DatabaseKnownError(
            _("no password for {key} in the keyring: store it with {command}").format(
                key=password_key(url), command=password_command(url)
            )
        )
    if state is None:
        return DatabaseKnownError(
            _("cannot reach the PostgreSQL server at {where} ({reason}): start it or check the --db URL").format(
                where=where, reason=reason
            )
        )
    return DatabaseKnownError(
        _("PostgreSQL at {where} refused database {name} ({reason}): ask the team's administrator").format(
            where=where, name=url.database, reason=reason
        )
    )


def _team_place(url: URL) -> str:
    """``host:port/database``: where a team database is, without anyone's login in it."""
    return "{host}:{port}/{db}".format(host=url.host or "localhost", port=url.port or 5432,
                                       db=url.database or "")


def _not_yours(connection: Any, url: URL) -> DatabaseKnownError:
    """A login the team database gives no rights at all (not added, or before 0010)."""
    return DatabaseKnownError(
        _("database login {login} may not read the team database {url}: "
          "ask a team lead or the administrator to add you with this login").format(
            login=current_login(connection), url=_team_place(url)
        )
    )


def _ask_for_upgrade(url: URL, current: str | None, head: str) -> DatabaseKnownError:
    if current is None:
        return DatabaseKnownError(
            _("the team database {url} is empty: the administrator starts OzonDesk once with "
              "the database owner's login to create it").format(url=_team_place(url))
        )
    return DatabaseKnownError(
        _("the team database {url} has schema {rev}, this OzonDesk needs {head}: ask the "
          "administrator to start this version once with the database owner's login to "
          "upgrade it").format(url=_team_place(url), rev=current, head=head)
    )


def _migrate_shared(engine: Engine, url: URL) -> None:
    """Migrate and seed a shared PostgreSQL database, one desk at a time.

    Every desk of a team may start at once; an advisory lock makes the others wait while the
    first upgrades, then they find the schema at head. No backup copy: a server's backups are
    its administrator's (pg_dump), not a desk's.
    """
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        holder.commit()
        try:
            _migrate(engine, url, None)
            # Each person signs in with a login of their own (docs/team-mode.md).
            with engine.begin() as connection:
                admit(connection, _team_place(url))
            from ozondesk.store.seed import ensure_defaults

            db = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
            ensure_defaults(db)
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
            holder.commit()
    return None


def _migrate(
    engine: Engine, url: URL, path: Path | None, *, upgrade: bool = True, first_step: str | None = None
) -> Path | None:
    """Check the schema, then (``upgrade``) bring it to head after a backup copy.

    Everything up to the decision only reads: a file that is another program's, newer or
    damaged is refused exactly as it was found (not even switched to WAL).
    """
    head = head_revision()
    # A look without the write lock: at head (the usual start) nothing else is done.
    with engine.connect().execution_options(**{transactions.READ_ONLY: True}) as connection:
        try:
            current = MigrationContext.configure(connection).get_current_revision()
        except ProgrammingError as exc:
            if engine.dialect.name == "postgresql" and is_permission_error(exc):
                connection.rollback()
                raise _not_yours(connection, url) from None
            raise
        tables = set(inspect(connection).get_table_names())
        # Migrations change tables only their owner may change: the administrator's job.
        allowed = engine.dialect.name != "postgresql" or current == head or may_migrate(connection)
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
    if not upgrade:
        if current is None and path is not None:
            raise missing_database(path, first_step)
        if current != head:
            raise DatabaseKnownError(
                _("database {url} has schema {rev}, this OzonDesk needs {head}: open it once in the "
                  "OzonDesk app (`ozondesk --db {url}`) to upgrade it, then run this again").format(
                    url=_describe(url), rev=current or "-", head=head
                )
            )
        return None
    if path is not None:
        _check_pages(engine, url)
    if current == head:
        _use_wal(engine, path)
        return None
    if not allowed:
        raise _ask_for_upgrade(url, current, head)
    backup: Path | None = None
    if current is not None and path is not None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.backup-{current}-{stamp}")
        try:
            dialect.backup_sqlite(path, backup)
        except (OSError, sqlite3.Error) as exc:
            # No upgrade without a copy to go back to; nothing was changed yet.
            raise DatabaseKnownError(
                _("cannot write the backup copy {path} before upgrading the database ({reason}): "
                  "free some disk space and start again").format(path=backup, reason=_reason(exc))
            ) from None
        log.warning("database upgraded from %s; backup copy at %s", current, backup)
    # After the backup: an upgrade refused for want of a copy leaves the file as it was.
    _use_wal(engine, path)
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

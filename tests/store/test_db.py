from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store import dialect
from ozondesk.store.db import alembic_config, head_revision, open_database, resolve_url
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.models import Base, SlaPolicyRevision
from ozondesk.store.repos.policies import current_policies


def test_new_database_uses_wal_foreign_keys_and_head_schema(db_path: Path) -> None:
    db = open_database(str(db_path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        with db.begin() as session:
            policies = current_policies(session)
        assert {"chat-first-response", "verified-support", "ozon-ticket", "ozon-ticket-urgent",
                "am-first-response", "ozon-ticket-consult", "resolution-48h"} <= set(policies)
        assert policies["chat-first-response"].budget.total_seconds() == 15 * 60
    finally:
        db.dispose()


def test_reopening_does_not_seed_twice(db_path: Path) -> None:
    for _ in range(2):
        open_database(str(db_path)).dispose()
    db = open_database(str(db_path))
    with db.begin() as session:
        count = len(session.scalars(select(SlaPolicyRevision)).all())
    db.dispose()
    assert count == len(DEFAULT_POLICIES)


def test_models_and_migrations_agree(db_path: Path) -> None:
    db = open_database(str(db_path))
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": dialect.include_object})
        diff = compare_metadata(context, Base.metadata)
    db.dispose()
    assert diff == []


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(DatabaseKnownError, match="not a SQLite database"):
        open_database(str(path))
    assert path.read_bytes() == before


def test_a_corrupt_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite"
    path.write_bytes(dialect.SQLITE_MAGIC + b"\x00" * 50 + b"garbage" * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseKnownError, match="damaged|cannot open"):
        open_database(str(path))
    assert path.read_bytes() == before


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseKnownError, match="another program"):
        open_database(str(path))
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["recipes"]
    conn.close()


def test_a_newer_database_is_refused_unchanged(db_path: Path) -> None:
    open_database(str(db_path)).dispose()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseKnownError, match="newer OzonDesk"):
        open_database(str(db_path))
    assert db_path.read_bytes() == before


def test_an_older_database_is_upgraded_after_a_backup(db_path: Path) -> None:
    first = "0001"
    assert head_revision() != first, "a second migration must exist to exercise upgrades"
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), first)
        conn.execute(text("INSERT INTO shops (ozon_seller_id, name, created_at) "
                          "VALUES ('42', 'Old shop', '2025-01-01 00:00:00')"))
    engine.dispose()
    db = open_database(str(db_path))
    try:
        assert db.backup_path is not None and db.backup_path.exists()
        backup = sqlite3.connect(db.backup_path)
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == first
        assert backup.execute("SELECT name FROM shops").fetchall() == [("Old shop",)]
        backup.close()
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            assert conn.execute(text("SELECT name FROM shops")).scalar() == "Old shop"
    finally:
        db.dispose()


def test_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(str(tmp_path / "x.sqlite")).get_backend_name() == "sqlite"
    monkeypatch.setenv("OZONDESK_DB", str(tmp_path / "env.sqlite"))
    assert resolve_url(None).database == str(tmp_path / "env.sqlite")
    url = resolve_url("postgresql+psycopg://desk@db.example/ozondesk")
    assert url.get_backend_name() == "postgresql"
    with pytest.raises(DatabaseKnownError):
        open_database("nonsense://host/db")


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseKnownError, match="folder"):
        open_database(str(tmp_path))


def test_missing_database_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(DatabaseKnownError, match="^no database at .*absent.sqlite; create one with"):
        open_database(str(path), create=False)
    assert not path.exists()

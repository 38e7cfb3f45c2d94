"""Opening refuses what is not a sound OzonDesk database exactly as it found it (issue 19):
another program's SQLite file is not even switched to WAL, a damaged page is found before
anything writes, and an upgrade whose backup copy cannot be written changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from ozondesk.store import dialect
from ozondesk.store.db import Database, alembic_config, head_revision, open_database
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.models import Conversation


def files_of(path: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in path.parent.glob(path.name + "*")}


def test_another_programs_file_keeps_every_byte_and_its_journal_mode(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"  # a browser's history, say
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.executemany("INSERT INTO moz_places (url) VALUES (?)", [(f"https://e.com/{i}",) for i in range(500)])
    conn.commit()
    conn.close()
    before = files_of(path)
    assert before[path.name][0][18:20] == b"\x01\x01"  # rollback journal

    with pytest.raises(DatabaseKnownError) as caught:
        open_database(str(path))

    assert caught.value.message == f"{path} holds another program's data, not an OzonDesk database"
    assert files_of(path) == before  # the same files, bytes and mtimes: no -wal, no -shm


def _damage_a_middle_page(path: Path) -> None:
    """Overwrite one leaf page from the middle of the messages table with noise, as a bad
    sector would: the schema and every other table still read fine."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'messages'").fetchone()[0]
    conn.close()
    data = path.read_bytes()
    page = data[(root - 1) * size:root * size]
    assert page[0] == 0x05, "the table must span several pages (an interior root page)"
    cells = int.from_bytes(page[3:5], "big")
    pointer = int.from_bytes(page[12 + 2 * (cells // 2):14 + 2 * (cells // 2)], "big")
    leaf = int.from_bytes(page[pointer:pointer + 4], "big")
    with path.open("r+b") as handle:
        handle.seek((leaf - 1) * size)
        handle.write(bytes((i * 151 + 7) % 256 for i in range(size)))
    checker = sqlite3.connect(path)  # closed as the last connection: leaves no -wal, -shm
    try:
        assert checker.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        try:
            verdict = checker.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # some damage stops the check itself
            verdict = str(exc)
    finally:
        checker.close()
    assert verdict != "ok", "the damage must be one quick_check can see"


def test_a_damaged_page_in_the_middle_is_refused_before_anything_writes(tmp_path: Path) -> None:
    from ozondesk.services.demo import generate

    path = tmp_path / "desk.sqlite"
    db = open_database(str(path))
    generate(db, size=300)
    db.dispose()
    _damage_a_middle_page(path)
    before = files_of(path)

    with pytest.raises(DatabaseKnownError) as caught:
        open_database(str(path))

    assert caught.value.message.startswith(f"{path} is damaged (")
    assert caught.value.message.endswith("restore the backup copy next to it (…backup-…) or your last copy")
    assert "\n" not in caught.value.message
    assert files_of(path) == before


def test_a_sound_database_passes_the_check_and_opens(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    open_database(str(path)).dispose()
    db = open_database(str(path))
    try:
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Conversation)) == 0
    finally:
        db.dispose()


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO shops (ozon_seller_id, name, created_at) "
                          "VALUES ('42', 'Old shop', '2025-01-01 00:00:00')"))
    engine.dispose()
    return path


def test_an_upgrade_whose_backup_hits_a_full_disk_leaves_no_copy_and_no_change(
    old_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_copy = dialect._copy_database

    def disk_fills_up(source: Path, target: Path) -> None:
        real_copy(source, target)
        # What a full disk leaves: part of the copy written, then SQLITE_FULL.
        with target.open("r+b") as handle:
            handle.truncate(target.stat().st_size // 3)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(dialect, "_copy_database", disk_fills_up)
    before = files_of(old_database)

    with pytest.raises(DatabaseKnownError) as caught:
        open_database(str(old_database))

    assert caught.value.message.startswith(f"cannot write the backup copy {old_database}.backup-0001-")
    assert caught.value.message.endswith(
        " before upgrading the database (database or disk is full): free some disk space and start again"
    )
    assert sorted(p.name for p in old_database.parent.iterdir()) == sorted(before)
    assert files_of(old_database) == before
    with sqlite3.connect(old_database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    conn.close()


def test_a_backup_copy_is_complete_checked_and_self_contained(old_database: Path) -> None:
    db = open_database(str(old_database))
    db.dispose()
    assert db.backup_path is not None
    assert sorted(p.name for p in old_database.parent.iterdir() if "backup" in p.name) == [db.backup_path.name]
    header = db.backup_path.read_bytes()[:20]
    assert header[:16] == dialect.SQLITE_MAGIC and header[18:20] == b"\x01\x01"  # no -wal needed
    with sqlite3.connect(f"file:{db.backup_path}?mode=ro", uri=True) as copy:
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT name FROM shops").fetchall() == [("Old shop",)]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    copy.close()
    assert head_revision() != "0001"


def test_a_read_only_open_reads_and_takes_a_write_for_a_bug(db: Database) -> None:
    from sqlalchemy import insert

    from ozondesk.store.dialect import WriteInReadTransaction
    from ozondesk.store.models import Setting

    reader = open_database(db.url, read_only=True)
    try:
        with reader.begin() as session:
            assert session.scalar(select(func.count()).select_from(Conversation)) == 0
        with pytest.raises(WriteInReadTransaction), reader.begin() as session:
            session.execute(insert(Setting).values(key="read-only", value={"v": 1}))
    finally:
        reader.dispose()

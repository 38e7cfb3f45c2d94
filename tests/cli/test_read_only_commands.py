"""Commands that only read never create, migrate, seed or switch a database (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from ozondesk.cli import main
from ozondesk.store.db import alembic_config, head_revision

READERS = [
    ("templates", "list"),
    ("templates", "ready"),
    ("drill", "list"),
    ("shop", "list"),
    ("team", "list"),
    ("sla", "--policy", "chat-first-response", "--received", "2026-01-05T10:00:00+03:00"),
    ("report", "--from", "2026-01-05", "--to", "2026-01-06"),
]


def files_of(path: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the database (itself, -wal, -shm, -journal) with its bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in path.parent.glob(path.name + "*")}


def refusal(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_database_is_named_and_not_created(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere" / "desk.sqlite"
    line = refusal(capsys, ["--db", str(path), *argv])
    assert line.startswith(f"no database at {path}; create one with `ozondesk ")
    assert line.endswith(" or by starting OzonDesk on it")
    assert not path.parent.exists()


@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_an_empty_file_is_not_turned_into_a_database(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "desk.sqlite"
    path.touch()
    before = files_of(path)
    assert refusal(capsys, ["--db", str(path), *argv]).startswith(f"no database at {path}; ")
    assert files_of(path) == before


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    return path


@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_an_old_schema_is_left_as_it_is(
    argv: tuple[str, ...], old_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_of(old_database)
    line = refusal(capsys, ["--db", str(old_database), *argv])
    assert line == (
        f"database {old_database} has schema 0001, this OzonDesk needs {head_revision()}: open it "
        f"once in the OzonDesk app (`ozondesk --db {old_database}`) to upgrade it, then run this again"
    )
    assert files_of(old_database) == before
    assert not list(old_database.parent.glob("*.backup-*"))


def test_reading_a_current_database_changes_no_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--size", "3"]) == 0
    capsys.readouterr()
    before = files_of(path)
    for argv in READERS:
        assert main(["--db", str(path), *argv, *(["--format", "json"] if argv[0] != "report" else [])]) == 0
    out = capsys.readouterr().out
    assert '"starter-ru"' in out  # drill list shows the shipped set without storing it
    after = files_of(path)
    # A reader may leave the WAL's index file (-shm) it shares with writers; the data is unchanged.
    assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
        k: v for k, v in before.items() if not k.endswith("-shm")
    }


def test_templates_export_only_reads_the_database(
    old_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "pack.json"
    missing = tmp_path / "absent.sqlite"
    assert refusal(capsys, ["--db", str(missing), "templates", "export", str(target)]).startswith(
        f"no database at {missing}; create one with "
    )
    before = files_of(old_database)
    assert "has schema 0001" in refusal(capsys, ["--db", str(old_database), "templates", "export", str(target)])
    assert files_of(old_database) == before
    assert not missing.exists() and not target.exists()

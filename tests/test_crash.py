"""Failures sorted into known errors (one line, what to do) and bugs (log + crash report)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from ozondesk import crash
from ozondesk.errors import UserError
from ozondesk.ozon.errors import AuthError
from ozondesk.store.classify import known_database_error


@pytest.fixture(autouse=True)
def _own_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    crash.remove_file_log()
    monkeypatch.setenv(crash.LOG_DIR_ENV, str(tmp_path / "logs"))
    yield tmp_path / "logs"
    crash.remove_file_log()


def _fail(url: str, sql: str, params: dict[str, object] | None = None) -> DBAPIError:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params or {})
            if result.returns_rows:
                result.fetchall()
    except DBAPIError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the statement did not fail")


def test_a_file_that_is_no_database_is_known(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are my notes, not a database" * 200)
    error = known_database_error(_fail(f"sqlite:///{path}", "SELECT 1 FROM sqlite_master"))
    assert error is not None
    assert error.message == "this file is not an OzonDesk database: choose another file"


def test_a_damaged_page_is_known(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 400)
    con.commit()
    con.close()
    raw = bytearray(path.read_bytes())
    raw[4096 * 3: 4096 * 3 + 200] = b"\xff" * 200  # scribble over a page in the middle
    path.write_bytes(bytes(raw))
    error = known_database_error(_fail(f"sqlite:///{path}", "SELECT count(*), max(x) FROM t"))
    assert error is not None
    assert error.message.startswith("the database file is damaged")


def test_a_read_only_database_is_known(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    # Read-only as a mounted backup or a file without write permission is; root ignores
    # permissions, so the read-only open is what this test controls.
    error = known_database_error(
        _fail(f"sqlite:///file:{path}?mode=ro&uri=true", "INSERT INTO t VALUES (1)")
    )
    assert error is not None
    assert error.message == "the database file is read-only: check its permissions and the disk"


def test_a_dropped_table_is_known_and_never_shows_the_sql_parameters(tmp_path: Path) -> None:
    exc = _fail(f"sqlite:///{tmp_path / 'd.sqlite'}", "INSERT INTO messages (body) VALUES (:b)",
                {"b": "Здравствуйте, мой телефон +7 912 345-67-89"})
    error = known_database_error(exc)
    assert error is not None
    assert error.message.startswith("the database is missing part of its structure")
    assert "912" not in error.message and "INSERT" not in error.message


def test_a_programming_error_is_a_bug(tmp_path: Path) -> None:
    exc = _fail(f"sqlite:///{tmp_path / 'd.sqlite'}", "SELEC 1")
    assert known_database_error(exc) is None


@pytest.mark.parametrize(
    ("sqlstate", "start"),
    [("08006", "the connection to the PostgreSQL server was lost"),
     ("57P01", "the PostgreSQL server is restarting"),
     ("53100", "the PostgreSQL server is out of disk space"),
     ("42501", "your database login may not do this"),
     ("25006", "the PostgreSQL server is read-only")],
)
def test_postgresql_states_are_known(sqlstate: str, start: str) -> None:
    class Driver(Exception):
        pass

    orig = Driver("boom")
    orig.sqlstate = sqlstate  # type: ignore[attr-defined]
    error = known_database_error(DBAPIError("SELECT 1", {}, orig))
    assert error is not None and error.message.startswith(start)


@pytest.mark.parametrize(
    ("said", "start"),
    [('connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused',
      "the connection to the PostgreSQL server was lost"),
     ('connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  the '
      "database system is starting up", "the PostgreSQL server is restarting")],
)
def test_a_server_that_does_not_let_a_new_connection_in_is_known(said: str, start: str) -> None:
    """psycopg gives these no SQLSTATE: the server restarting under a desk (bench_faults)."""
    import psycopg

    error = known_database_error(DBAPIError("SELECT 1", {}, psycopg.OperationalError(said)))
    assert error is not None and error.message.startswith(start)


def test_a_refused_password_on_a_new_connection_stays_for_open_database_to_explain() -> None:
    import psycopg

    said = 'connection failed: FATAL:  password authentication failed for user "wang.fang"'
    assert known_database_error(DBAPIError("SELECT 1", {}, psycopg.OperationalError(said))) is None


def test_postgresql_syntax_errors_are_bugs() -> None:
    class Driver(Exception):
        sqlstate = "42601"

    assert known_database_error(DBAPIError("SELEC", {}, Driver("x"))) is None


def test_os_errors_of_the_machine_are_known() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/data/desk.sqlite")
    assert crash.known_error(full) is not None
    assert crash.known_error(full).message == (  # type: ignore[union-attr]
        "the disk is full (/data/desk.sqlite): free some space and try again"
    )
    assert crash.known_error(OSError(errno.EBADF, "Bad file descriptor")) is None


def test_ozon_errors_carry_their_hint() -> None:
    error = crash.known_error(AuthError("Invalid Api-Key", status=401, path="/v1/chat/list"))
    assert error is not None
    assert error.message.startswith("/v1/chat/list: Invalid Api-Key (HTTP 401) — check the shop's")


def test_a_user_error_is_kept_as_it_is() -> None:
    original = UserError("give the shop a name")
    assert crash.sort_error(original) is original


def test_a_bug_is_logged_with_its_traceback_and_contacts_masked(_own_log: Path) -> None:
    seen: list[crash.BugError] = []
    remove = crash.on_bug(seen.append)
    before = crash.bug_count()
    try:
        try:
            raise KeyError("buyer anna@example.ru")
        except KeyError as exc:
            error = crash.sort_error(exc, where="test")
    finally:
        remove()
    assert isinstance(error, crash.BugError)
    assert error.exit_code == 70
    assert crash.bug_count() == before + 1
    assert seen == [error]
    assert error.message == (
        f"OzonDesk hit a problem it does not know (KeyError); the details are in "
        f"{_own_log / 'ozondesk.log'}"
    )
    logged = (_own_log / "ozondesk.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "KeyError" in logged
    assert "anna@example.ru" not in logged and "<e-mail>" in logged
    assert "anna@example.ru" not in error.details


@pytest.mark.parametrize(
    ("text", "masked"),
    [("звоните +7 (912) 345-67-89", "звоните <phone>"),
     ("89123456789 и 8 912 345 67 89", "<phone> и <phone>"),
     ("пишите ivan.petrov+shop@mail.example.ru!", "пишите <e-mail>!"),
     ("заказ 12345678-0001-1 от 04.12", "заказ 12345678-0001-1 от 04.12")],
)
def test_contacts_are_masked_but_order_numbers_stay(text: str, masked: str) -> None:
    assert crash.mask_private(text) == masked


def test_text_damaged_inside_a_row_is_known(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x TEXT)")
    con.execute("INSERT INTO t VALUES (CAST(X'64FFFE' AS TEXT))")  # what a scribbled page reads as
    con.commit()
    con.close()
    error = known_database_error(_fail(f"sqlite:///{path}", "SELECT x FROM t"))
    assert error is not None and error.message.startswith("the database file is damaged")

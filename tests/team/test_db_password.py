"""The team database's password: in the keyring only, and one-line errors saying what to do."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import keyring
import pytest
from pgserver import PgServer
from sqlalchemy import func, select
from support import MemoryKeyring

from ozondesk.cli import main
from ozondesk.store.db import PASSWORD_SERVICE, open_database, password_key, resolve_url
from ozondesk.store.errors import DatabaseKnownError


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_plain_postgresql_urls_use_psycopg_and_name_their_keyring_entry() -> None:
    url = resolve_url("postgresql://desk@db.example/ozondesk")
    assert url.drivername == "postgresql+psycopg"
    assert password_key(url) == "desk@db.example:5432/ozondesk"
    assert password_key(resolve_url("postgres://desk@10.0.0.5:6432/team")) == "desk@10.0.0.5:6432/team"


def test_the_cli_stores_and_clears_the_password(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://desk@db.example:5433/team"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    assert main(["--db", url, "db-password", "set"]) == 0
    assert json.loads(capsys.readouterr().out) == {"key": "desk@db.example:5433/team", "stored": True}
    assert memory_keyring.entries == {(PASSWORD_SERVICE, "desk@db.example:5433/team"): "s3cret-pass"}
    assert main(["db-password", "clear", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["cleared"] is True
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["db-password", "set"], "needs a PostgreSQL database"),
        (["--db", "/tmp/x.sqlite", "db-password", "set"], "needs a PostgreSQL database"),
        (["--db", "postgresql://desk:pw@host/db", "db-password", "set"], "leave the password out"),
        (["--db", "postgresql://desk@host/db", "db-password", "set"], "the password is empty"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(
    argv: list[str], message: str, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert memory_keyring.entries == {}


def test_an_unreachable_server_is_one_line() -> None:
    with pytest.raises(DatabaseKnownError, match=r"cannot reach the PostgreSQL server at 127\.0\.0\.1:1 .*start it"):
        open_database("postgresql+psycopg://desk@127.0.0.1:1/team")


def test_the_password_comes_from_the_keyring_and_its_absence_says_the_command(
    pg_server: PgServer, memory_keyring: MemoryKeyring
) -> None:
    bare = pg_server.url("ozondesk_template", with_password=False)
    text = bare.render_as_string(hide_password=False)
    with pytest.raises(DatabaseKnownError) as missing:
        open_database(text)
    assert str(missing.value) == (
        f"no password for {password_key(bare)} in the keyring: store it with "
        f"ozondesk --db {text} db-password set"
    )
    memory_keyring.set_password(PASSWORD_SERVICE, password_key(bare), "wrong")
    with pytest.raises(DatabaseKnownError, match="refused the password"):
        open_database(text)
    memory_keyring.set_password(PASSWORD_SERVICE, password_key(bare), pg_server.password)
    db = open_database(text)
    try:
        assert db.is_postgresql
        assert pg_server.password not in db.display_name
        assert pg_server.password not in repr(db.url)
    finally:
        db.dispose()


def test_without_a_usable_keyring_libpq_gets_its_turn(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        monkeypatch.setenv("PGPASSWORD", pg_server.password)  # a server's scripts may set it
        db = open_database(pg_server.url("ozondesk_template", with_password=False))
        try:
            # Signed in as that login with libpq's password, which never entered the URL.
            with db.read() as session:
                assert session.scalar(select(func.current_user())) == pg_server.user
            assert db.url.password is None
        finally:
            db.dispose()
    finally:
        keyring.set_keyring(previous)

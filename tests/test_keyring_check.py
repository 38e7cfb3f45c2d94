"""Secrets go to the operating system's keyring or nowhere: never to keyrings.alt's files.

keyrings.alt is installed with the test extras, so these tests run where keyring itself would
pick its plaintext backend (as on a headless machine with that package), and prove that nothing
reaches a file and that the message says what to install or unlock.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, fail, null
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring
from support import MemoryKeyring

from ozondesk.cli import main
from ozondesk.keyring_check import (
    OS_BACKENDS,
    KeyringUnavailable,
    advice,
    failure,
    is_secure,
    secure_backend,
)
from ozondesk.services.credentials import KEYRING_SERVICE, CredentialStore
from ozondesk.store.db import PASSWORD_SERVICE, Database, password_key, resolve_url, stored_password

ROOT = Path(__file__).resolve().parent.parent
KEY = "5e1d9b7c-3a2f-4e6d-8c0b-a1f2e3d4c5b6"
DB_URL = "postgresql+psycopg://desk@db.example:5433/team"


def files_holding(root: Path, secret: str) -> list[Path]:
    return [
        p for p in root.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    ]


def everything_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])  # the conftest gives each test its own


@pytest.fixture
def plaintext() -> Iterator[PlaintextKeyring]:
    """keyring's own choice where keyrings.alt is installed and no system keyring runs."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# -- which backends ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OS_BACKENDS))
def test_the_operating_systems_keyrings_are_accepted(name: str) -> None:
    backend = keyring.core._load_keyring_class(name)()
    assert is_secure(backend)
    assert secure_backend(backend) is backend


class SubclassedSecretService(SecretService.Keyring):
    """Same parent, but a subclass may store elsewhere: not accepted by inheritance."""


class UnmarkedMemory(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    ozondesk_test_double = "yes"  # only the value True marks a test double

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("never written to")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError("never deleted from")


@pytest.mark.parametrize(
    ("backend", "start"),
    [
        (fail.Keyring(), "no system keyring is available: "),
        (null.Keyring(), "no system keyring is available: "),
        (PlaintextKeyring(), "the keyring backend keyrings.alt.file.PlaintextKeyring is not the system's keyring"),
        # Built without __init__, which needs pycryptodome: the class alone decides.
        (EncryptedKeyring.__new__(EncryptedKeyring), "the keyring backend keyrings.alt.file.EncryptedKeyring is not the system's keyring"),
        (SubclassedSecretService(), "the keyring backend test_keyring_check.SubclassedSecretService is not"),
        (UnmarkedMemory(), "the keyring backend test_keyring_check.UnmarkedMemory is not"),
    ],
    ids=["fail", "null", "plaintext", "encrypted-file", "subclass", "unmarked"],
)
def test_everything_else_is_refused_with_what_to_do(
    backend: KeyringBackend, start: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    assert not is_secure(backend)
    with pytest.raises(KeyringUnavailable) as caught:
        secure_backend(backend)
    message = caught.value.message
    assert message.startswith(start)
    assert message.endswith(advice("shop", "linux", {}))
    assert "\n" not in message


def test_a_chain_is_narrowed_to_its_secure_member() -> None:
    memory = MemoryKeyring()

    class Chain(chainer.ChainerBackend):
        backends = [PlaintextKeyring(), memory]  # plaintext first: keyring would write there

    assert secure_backend(Chain()) is memory

    class PlainChain(chainer.ChainerBackend):
        backends = [PlaintextKeyring(), fail.Keyring()]

    with pytest.raises(KeyringUnavailable, match=r"PlaintextKeyring is not the system's keyring"):
        secure_backend(PlainChain())


def test_a_forced_backend_that_cannot_load_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(KeyringUnavailable) as caught:
        secure_backend()
    assert caught.value.message.startswith(
        "the configured keyring backend cannot be used (ModuleNotFoundError) "
        "(chosen by PYTHON_KEYRING_BACKEND: unset it): "
    )


@pytest.mark.parametrize(
    ("platform", "environ", "purpose", "says"),
    [
        ("linux", {"DISPLAY": ":0"}, "shop", "apt-get install gnome-keyring) or KWallet"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, "shop", "Secret Service keyring"),
        ("linux", {}, "shop", "dbus-run-session after gnome-keyring-daemon --unlock, or give scripts the key in OZON_CLIENT_ID and OZON_API_KEY"),
        ("linux", {}, "database", "gnome-keyring-daemon --unlock, or give scripts the password in PGPASSWORD"),
        ("freebsd14", {}, "shop", "dbus-run-session"),
        ("darwin", {}, "shop", "unlock the login keychain"),
        ("win32", {}, "shop", "Windows Credential Manager"),
    ],
)
def test_the_advice_names_this_systems_keyring(
    platform: str, environ: dict[str, str], purpose: str, says: str
) -> None:
    assert says in advice(purpose, platform, environ)  # type: ignore[arg-type]


def test_a_locked_or_broken_keyring_says_unlock_or_what_failed() -> None:
    locked = failure(keyring.errors.KeyringLocked("Failed to unlock the collection!"))
    assert locked.message.startswith("the system keyring is locked: unlock the login keyring")
    assert failure(keyring.errors.NoKeyringError()).message.startswith("no system keyring is available")
    broken = failure(keyring.errors.InitError("no D-Bus"))
    assert broken.message.startswith("the system keyring did not answer (InitError): ")
    assert broken.exit_code == 2


# -- shop keys -------------------------------------------------------------------------------


def test_with_a_plaintext_keyring_no_shop_key_is_stored_anywhere(
    db: Database, plaintext: PlaintextKeyring, home: Path
) -> None:
    before = everything_under(home)
    store = CredentialStore(db)
    with pytest.raises(KeyringUnavailable) as caught:
        store.save("Yuexin", "123456", KEY)
    assert "PlaintextKeyring" in caught.value.message and "gnome-keyring" in caught.value.message
    assert store.shops() == []  # no reference to a key that was never stored
    assert not Path(plaintext.file_path).exists()
    assert files_holding(home, KEY) == [] and everything_under(home) == before


def test_a_key_left_in_a_plaintext_file_is_not_read(
    db: Database, plaintext: PlaintextKeyring
) -> None:
    CredentialStore(db, MemoryKeyring()).save("Yuexin", "123456", KEY)
    plaintext.set_password(KEYRING_SERVICE, "123456", KEY)  # from before the check existed
    with pytest.raises(KeyringUnavailable):
        CredentialStore(db).load("Yuexin")
    with pytest.raises(KeyringUnavailable):  # and removing is refused before anything changes
        CredentialStore(db).remove("Yuexin")
    assert [s.name for s in CredentialStore(db).shops()] == ["Yuexin"]


def test_a_locked_keyring_is_said_so(db: Database) -> None:
    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    with pytest.raises(KeyringUnavailable, match=r"^the system keyring is locked: unlock"):
        CredentialStore(db, Locked()).save("Yuexin", "123456", KEY)
    assert CredentialStore(db, MemoryKeyring()).shops() == []


# -- the database password -------------------------------------------------------------------


def test_db_password_set_refuses_a_plaintext_keyring_before_reading_the_password(
    plaintext: PlaintextKeyring, home: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    stdin = io.StringIO("s3cret-pass\n")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["--db", DB_URL, "db-password", "set"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "PlaintextKeyring is not the system's keyring" in err
    assert "give scripts the password in PGPASSWORD" in err
    assert stdin.read() == "s3cret-pass\n"  # never asked for
    assert not Path(plaintext.file_path).exists() and files_holding(home, "s3cret-pass") == []
    assert main(["--db", DB_URL, "db-password", "clear"]) == 2


def test_a_database_password_in_a_plaintext_file_is_not_read(plaintext: PlaintextKeyring) -> None:
    url = resolve_url(DB_URL)
    plaintext.set_password(PASSWORD_SERVICE, password_key(url), "s3cret-pass")
    assert stored_password(url) is None


def cli(args: list[str], home: Path, backend: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
        "PYTHON_KEYRING_BACKEND": backend,
        "OZONDESK_TEST_KEYRING": str(home / "test-keyring.json"),
    }
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=60,
    )


def test_the_process_refuses_keyring_s_plaintext_choice_and_accepts_a_marked_test_double(
    home: Path,
) -> None:
    refused = cli(["--db", DB_URL, "db-password", "set"], home,
                  "keyrings.alt.file.PlaintextKeyring", "s3cret-pass\n")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "(chosen by PYTHON_KEYRING_BACKEND: unset it)" in refused.stderr
    assert "apt-get install gnome-keyring" in refused.stderr
    assert files_holding(home, "s3cret-pass") == []

    stored = cli(["--db", DB_URL, "db-password", "set"], home, "keyring_file.JsonFileKeyring",
                 "s3cret-pass\n")
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout) == {"key": "desk@db.example:5433/team", "stored": True}
    entries = json.loads((home / "test-keyring.json").read_text("utf-8"))
    assert entries == {f"{PASSWORD_SERVICE}/desk@db.example:5433/team": "s3cret-pass"}


def test_a_server_asking_for_a_password_says_why_none_could_be_kept(
    plaintext: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from ozondesk.store.db import _server_error

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    asked = OperationalError("connect", {}, Exception("fe_sendauth: no password supplied"))
    error = _server_error(resolve_url(DB_URL), asked)
    assert error.message.startswith(
        "no password for desk@db.example:5433/team: the keyring backend "
        "keyrings.alt.file.PlaintextKeyring is not the system's keyring"
    )
    assert error.message.endswith("or give scripts the password in PGPASSWORD")
    keyring.set_keyring(MemoryKeyring())  # a usable keyring: the command to store it
    assert _server_error(resolve_url(DB_URL), asked).message.endswith(
        f"store it with ozondesk --db {DB_URL} db-password set"
    )

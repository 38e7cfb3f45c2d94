"""Credentials live in the keyring only; logs never show them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ozondesk.errors import UserError
from ozondesk.services.credentials import (
    KEYRING_SERVICE,
    CredentialStore,
    SecretRedactor,
    from_environment,
    register_secret,
)
from ozondesk.store.db import Database

KEY = "4f9a2c1e-7b3d-4e8f-9a0b-c1d2e3f4a5b6"


def test_several_shops_keyed_by_name_and_client_id(db: Database, memory_keyring: object) -> None:
    store = CredentialStore(db)
    store.save("Yuexin", "123456", KEY)
    store.save("Second shop", "777", "another-key-0001")
    assert [(s.name, s.client_id) for s in store.shops()] == [
        ("Second shop", "777"),
        ("Yuexin", "123456"),
    ]
    creds = store.load("Yuexin")
    assert (creds.client_id, creds.api_key) == ("123456", KEY)
    assert KEY not in repr(creds)
    assert memory_keyring.entries[(KEYRING_SERVICE, "123456")] == KEY  # type: ignore[attr-defined]
    assert store.remove("Second shop") and [s.name for s in store.shops()] == ["Yuexin"]
    assert (KEYRING_SERVICE, "777") not in memory_keyring.entries  # type: ignore[attr-defined]


def test_the_key_never_reaches_the_database_file(
    db: Database, db_path: Path, memory_keyring: object
) -> None:
    CredentialStore(db).save("Yuexin", "123456", KEY)
    db.dispose()
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert b"123456" in blob and KEY.encode() not in blob


def test_bad_input_and_missing_entries_are_user_errors(
    db: Database, memory_keyring: object
) -> None:
    store = CredentialStore(db)
    with pytest.raises(UserError):
        store.save("Shop", "abc", KEY)
    with pytest.raises(UserError):
        store.save("Shop", "1", " ")
    with pytest.raises(UserError) as caught:
        store.load("Unknown")
    assert "OZON_API_KEY" in caught.value.message
    store.save("Shop", "1", KEY)
    memory_keyring.entries.clear()  # type: ignore[attr-defined]
    with pytest.raises(UserError) as caught:
        store.load("Shop")
    assert "missing from the keyring" in caught.value.message


def test_no_keyring_is_a_user_error(db: Database) -> None:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    with pytest.raises(UserError) as caught:
        CredentialStore(db, FailKeyring()).save("Shop", "1", KEY)
    assert caught.value.message.startswith("no system keyring is available: ")
    assert keyring.get_keyring() is not None


def test_environment_credentials_for_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OZON_CLIENT_ID", raising=False)
    assert from_environment("S") is None
    monkeypatch.setenv("OZON_CLIENT_ID", "42")
    monkeypatch.setenv("OZON_API_KEY", KEY)
    creds = from_environment("S")
    assert creds is not None and creds.client_id == "42"


def test_logs_redact_keys_in_messages_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(KEY)
    logger = logging.getLogger("ozondesk.sync.test")
    caplog.handler.addFilter(SecretRedactor())
    with caplog.at_level(logging.DEBUG):
        logger.debug("headers %s", {"Client-Id": "1", "Api-Key": KEY})
        logger.warning("calling with key " + KEY)
        logger.info("Api-Key: some-unregistered-secret")
        try:
            raise RuntimeError(f"failed with {KEY}")
        except RuntimeError:
            logger.exception("boom")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert KEY not in text and "some-unregistered-secret" not in text
    assert [r.getMessage() for r in caplog.records] == [
        "headers {'Client-Id': '1', 'Api-Key': '***'}", "calling with key ***", "Api-Key: ***", "boom"
    ]
    # Three messages and the traceback's last line, each masked once.
    assert caplog.text.count("***") == 4 and "RuntimeError: failed with ***\n" in caplog.text

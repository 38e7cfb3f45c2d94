"""A keyring backend for tests that run ``ozondesk`` as a real process.

Chosen with ``PYTHON_KEYRING_BACKEND=keyring_file.JsonFileKeyring`` (tests/ on PYTHONPATH);
entries live in the JSON file named by ``OZONDESK_TEST_KEYRING``, so a test can read what a
command stored and a later command finds it. For tests only: a real desk never keeps keys
in a plain file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "OZONDESK_TEST_KEYRING"


class JsonFileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    # ozondesk.keyring_check accepts only system keyrings and backends marked as test doubles.
    ozondesk_test_double = True

    @staticmethod
    def _path() -> Path:
        return Path(os.environ[ENV])

    def _entries(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def _write(self, entries: dict[str, str]) -> None:
        self._path().write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}/{username}"] = password
        self._write(entries)

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(username)
        self._write(entries)

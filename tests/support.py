"""Test doubles shared by several test folders (importable because tests/ is on sys.path)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """An in-memory OS keyring, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]
    # ozondesk.keyring_check accepts only system keyrings and backends marked as test doubles.
    ozondesk_test_double = True

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]


class FileKeyring(KeyringBackend):
    """A keyring shared by the processes of one test, for ``PYTHON_KEYRING_BACKEND=support.FileKeyring``
    (with ``tests`` on ``PYTHONPATH``): entries in the JSON file ``OZONDESK_TEST_KEYRING_FILE``
    in the test's temporary folder. Only fake keys ever go there; a desk never loads it."""

    priority = 0.1  # type: ignore[assignment]  # never chosen unless named
    ozondesk_test_double = True

    @property
    def path(self) -> Path:
        value = os.environ.get("OZONDESK_TEST_KEYRING_FILE")
        if not value:
            raise RuntimeError("FileKeyring needs OZONDESK_TEST_KEYRING_FILE")
        return Path(value)

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text("utf-8")) if self.path.exists() else {}

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(entries), "utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(entries), "utf-8")

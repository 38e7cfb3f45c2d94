"""Test doubles shared by several test folders (importable because tests/ is on sys.path)."""

from __future__ import annotations

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


"""A fake Seller API per test on an ephemeral loopback port, and a client with quick retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=40, messages=6, lifetime=120) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeOzon) -> Iterator[Callable[..., OzonClient]]:
    made: list[OzonClient] = []

    def make(**kw: Any) -> OzonClient:
        options: dict[str, Any] = {
            "rate": None,
            "backoff": 0.001,
            "max_backoff": 0.01,
            "timeout": 5.0,
        }
        options.update(kw)
        client = OzonClient(
            options.pop("client_id", fake.client_id),
            options.pop("api_key", fake.api_key),
            fake.url,
            **options,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., OzonClient]) -> OzonClient:
    return make_client()


class MemoryKeyring(KeyringBackend):
    """An in-memory OS keyring, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]

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


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)

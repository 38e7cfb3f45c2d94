"""A fake Seller API per test on an ephemeral loopback port, and a client with quick retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from support import MemoryKeyring

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


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)

"""PostgreSQL-only fixtures for the team tests (deselected when no server binaries are installed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import keyring
import pytest
from people import Team, make_team
from pgserver import PgServer
from sqlalchemy.engine import URL
from support import MemoryKeyring

from ozondesk.store.db import Database, open_database


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[URL]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = pg_server.create_database(name, template="ozondesk_template")
    try:
        yield url
    finally:
        pg_server.drop_database(name)


@pytest.fixture
def pg_db(pg_url: URL) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.dispose()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def team(pg_server: PgServer, pg_url: URL, memory_keyring: MemoryKeyring) -> Iterator[Team]:
    """Two shops, an agent of each, a lead of both and a trainer, each with a database login
    of their own whose password is in the keyring."""
    made = make_team(pg_server, pg_url)
    yield made
    made.close()

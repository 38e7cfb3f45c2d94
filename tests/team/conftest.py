"""PostgreSQL-only fixtures for the team tests (deselected when no server binaries are installed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pgserver import PgServer
from sqlalchemy.engine import URL

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

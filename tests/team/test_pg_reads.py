"""How a desk's reads reach PostgreSQL (bench/bench_pg_listings.py found each round trip
counting): a read transaction opens with BEGIN READ ONLY and a write on the same pooled
connection is writable again; a connection is pinged only after it sat idle in the pool, and
one the server dropped meanwhile is replaced before the read, not failed."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pgserver import PgServer
from sqlalchemy import text

from ozondesk.store import dialect
from ozondesk.store.db import Database


def backend_pid(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def count_pings(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    pings: list[Any] = []
    real = db.engine.dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(db.engine.dialect, "do_ping", ping)
    return pings


def test_a_read_is_read_only_and_a_write_after_it_on_the_same_connection_is_not(pg_db: Database) -> None:
    pg_db.engine.dispose()  # an empty pool: one thread in turn then uses one connection
    with pg_db.read() as s:
        first = s.execute(text("SELECT pg_backend_pid(), current_setting('transaction_read_only')")).one()
    with pg_db.begin() as s:
        second = s.execute(text("SELECT pg_backend_pid(), current_setting('transaction_read_only')")).one()
        s.execute(text("CREATE TABLE written_after_a_read (id integer)"))
    with pg_db.read() as s:
        third = s.execute(text("SELECT pg_backend_pid(), current_setting('transaction_read_only')")).one()
    assert first[0] == second[0] == third[0]  # one pooled connection served all three
    assert (first[1], second[1], third[1]) == ("on", "off", "on")


def test_a_connection_back_in_use_at_once_is_not_pinged_one_that_sat_idle_is(
    pg_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = count_pings(pg_db, monkeypatch)
    monkeypatch.setattr(dialect, "PING_AFTER_IDLE", 3600.0)
    backend_pid(pg_db)
    backend_pid(pg_db)
    assert pings == []
    monkeypatch.setattr(dialect, "PING_AFTER_IDLE", 0.0)  # every checkout counts as after idling
    backend_pid(pg_db)
    assert len(pings) == 1


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_the_read(
    pg_db: Database, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dialect, "PING_AFTER_IDLE", 0.0)
    first = backend_pid(pg_db)
    with pg_server.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        deadline = time.monotonic() + 30
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (first,)).fetchone() != (0,):
            assert time.monotonic() < deadline, "the server did not end the backend"
    assert backend_pid(pg_db) != first  # no error: the ping found it gone and the pool replaced it

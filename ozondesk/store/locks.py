"""Work only one desk of a team may do at a time: syncing a shop, delivering its outbox.

Two desks syncing one shop at once would both insert the same new chats (the second fails on
the unique constraint); two desks delivering one outbox would both send the same reply to the
buyer. On PostgreSQL a session-level advisory lock, tried without waiting, picks one desk; the
others skip the round, and the winner's changes reach them through the live feed. The lock
lives on a connection of its own for as long as the work runs, so it is released even when
the desk dies (the server ends the session). A SQLite file serves one desk: always granted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from ozondesk.store.db import Database


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are numbered, not named)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def desk_lock(db: Database, name: str) -> Iterator[bool]:
    """Hold the team-wide lock ``name`` while the block runs; yields False (at once) when
    another desk holds it."""
    if not db.is_postgresql:
        yield True
        return
    key = lock_key(name)
    with db.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()

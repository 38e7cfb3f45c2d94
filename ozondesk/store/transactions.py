"""One write discipline: how every transaction starts, waits for its turn and is retried.

Who writes, and why several writers meet on one database:

- the GUI thread, only at start-up and quit (migrations and seeds before the window shows,
  the desk's presence going offline on quit);
- the database worker thread ``ozondesk-db`` (``ui/tasks.py``): every user action — draft
  autosaves, Send (the claim, the queued reply, the draft's removal in one transaction),
  claims and their heartbeat, templates, reviews, drills, settings;
- the sync thread ``ozondesk-sync`` (``ui/sync_worker.py``): a page of synced chats at a
  time, and the outbox's state changes around each reply it delivers (claim, attempt,
  sent / retry / failed); its ``ozon-history`` helpers only fetch, they never write;
- other processes on the same file: a scheduled ``ozondesk sync --send``, ``templates
  import`` / ``drill import``, another desk of a team on PostgreSQL.
  The live-update poller and the PostgreSQL listener only read, on connections of their own.

The rules, the same for all of them:

1. **A write transaction takes the write lock first.** On SQLite it begins ``IMMEDIATE``.
   A deferred ``BEGIN`` that reads and then writes fails at once with SQLITE_BUSY when
   another connection committed in between (its snapshot is stale, so ``busy_timeout``
   cannot help); that was "database is locked" during a sync.
2. **Waiting for the lock is bounded and jittered.** ``BEGIN IMMEDIATE`` is tried without
   SQLite's own busy wait and tried again after a random pause (full jitter, 2 ms doubling
   up to 100 ms) for at most :data:`WRITE_WAIT` seconds; then a one-line
   :class:`DatabaseBusyError`. Once the lock is held nothing inside the transaction can be
   BUSY (in WAL mode a commit never waits for readers), so a ``with db.begin()`` block on
   SQLite never sees a transient lock and need not be re-runnable.
3. **Whole units of work are re-run where the server may pick a victim.** PostgreSQL can end
   a transaction as a deadlock (40P01) or serialization (40001) victim, or lose the
   connection; ``db.write(work)`` runs ``work`` again from the start, after the same jittered
   pauses, within the same bound. ``work`` must only touch the database (a second run sees
   none of the first one's writes) and be idempotent (a commit lost with the connection may
   have happened). Use ``db.write`` for anything a colleague's desk may write at the same
   time; ``db.begin`` is enough for work only this desk does.
4. **Reads never upgrade.** ``db.read()`` begins a deferred transaction in read-only mode
   (``PRAGMA query_only`` on SQLite, ``SET TRANSACTION READ ONLY`` on PostgreSQL): a write
   inside it fails at once as a bug instead of racing for the lock half-way through.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator

from ozondesk.i18n import _
from ozondesk.store.errors import DatabaseKnownError

# Longest a write waits for another connection's write lock before the user is told.
WRITE_WAIT = 10.0
FIRST_PAUSE = 0.002
LONGEST_PAUSE = 0.1
# SQLSTATEs for which PostgreSQL asks the client to run the transaction again.
RETRY_STATES = frozenset({"40001", "40P01"})
# Primary result codes (the low byte of an extended code): the lock is taken by another
# connection, or by a statement of this one (shared cache).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
# The key of the execution option that marks a read-only transaction.
READ_ONLY = "ozondesk_read_only"


class DatabaseBusyError(DatabaseKnownError):
    """Another connection held the write lock (or kept winning) for longer than the bound."""


def busy_error(where: str, bound: float | None = None) -> DatabaseBusyError:
    return DatabaseBusyError(
        _(
            "database {where} stayed busy for {seconds} s (another OzonDesk or sync is "
            "writing to it): try again, or close the other program"
        ).format(where=where, seconds=f"{WRITE_WAIT if bound is None else bound:g}")
    )


def pauses(bound: float | None = None) -> Iterator[float]:
    """Random pauses between tries, until ``bound`` seconds (default :data:`WRITE_WAIT`) have
    passed since the first; never longer than the time left."""
    deadline = time.monotonic() + (WRITE_WAIT if bound is None else bound)
    ceiling = FIRST_PAUSE
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        # Full jitter: contenders that collided once spread out instead of colliding again.
        yield min(left, random.uniform(0, ceiling))
        ceiling = min(LONGEST_PAUSE, ceiling * 2)


def sqlite_is_busy(exc: BaseException | None) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.OperationalError) and code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    # Older drivers carry no code; these are SQLite's own words for the two.
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and (
        "database is locked" in text or "database table is locked" in text
    )


def sqlite_begin_immediate(raw: sqlite3.Connection, where: str, wait: float, busy_ms: int) -> None:
    """``BEGIN IMMEDIATE`` on a raw connection, waiting in jittered steps for at most ``wait`` s.

    SQLite's own busy handler is turned off for the tries (it sleeps on a fixed schedule,
    so contenders that collide keep colliding) and restored to ``busy_ms`` for the
    statements of the transaction.
    """
    waits = pauses(wait)
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not sqlite_is_busy(exc):
                    raise
                pause = next(waits, None)
                if pause is None:
                    raise busy_error(where, wait) from None
                time.sleep(pause)
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_ms)}")

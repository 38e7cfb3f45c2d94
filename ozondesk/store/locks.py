"""Work only one desk at a time may do on a database: syncing a shop, delivering its outbox.

Two desks syncing one shop at once would both insert the same new chats; two delivering one
outbox would race for the same replies. The lock is *tried, never waited for*: the loser
skips the round (the winner's changes reach it through the live feed), and it is *released
when the holder dies*, so a killed process never blocks the others.

- PostgreSQL: a session-level advisory lock on a connection of its own, held while the work
  runs; the server ends the session of a dead desk.
- A SQLite file: an OS lock on a small file beside the database (``<db>.<name>.lock``:
  ``flock`` on POSIX, ``msvcrt.locking`` on Windows), held on a file descriptor of its own.
  The kernel drops it when the process exits however it exits; two holders in one process
  (two threads, each with its own descriptor) exclude each other too. The file stays
  behind, empty: deleting it while another process opens it would split the lock in two.
- An in-memory SQLite database lives in one process: a lock of this process.

The outbox does not rely on this lock alone: each reply is also claimed row by row
(``store/repos/outbox.py``), so even two senders that both got through could not send one
reply twice.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ozondesk.i18n import _
from ozondesk.store import dialect
from ozondesk.store.db import Database
from ozondesk.store.errors import DatabaseKnownError

_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are numbered, not named)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def lock_path(database: Path, name: str) -> Path:
    """The file beside ``database`` that stands for the lock ``name``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "lock"
    return database.with_name(f"{database.name}.{safe}.lock")


@contextmanager
def desk_lock(db: Database, name: str) -> Iterator[bool]:
    """Hold the lock ``name`` while the block runs; yields False (at once) when another desk,
    process or thread holds it."""
    if db.is_postgresql:
        with _advisory_lock(db, name) as got:
            yield got
        return
    path = dialect.sqlite_path(db.url)
    if path is None:
        with _memory_lock(f"{db.url}:{name}") as got:
            yield got
        return
    with file_lock(lock_path(path, name)) as got:
        yield got


@contextmanager
def _advisory_lock(db: Database, name: str) -> Iterator[bool]:
    key = lock_key(name)
    with db.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
                except DBAPIError as exc:
                    # The server dropped the session (a restart): its locks went with it. The
                    # work inside finished or raised its own error; this one would only hide it.
                    if not exc.connection_invalidated:
                        raise


@contextmanager
def file_lock(path: Path) -> Iterator[bool]:
    """An exclusive OS lock on ``path`` (created if missing), tried once."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DatabaseKnownError(
            _("cannot create the lock file {path} ({reason}): make its folder writable").format(
                path=path, reason=exc.strerror or type(exc).__name__
            )
        ) from None
    try:
        got = _try_lock(fd)
        try:
            yield got
        finally:
            if got:
                _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        # flock, not fcntl/lockf: those belong to the process, so two threads would both get
        # one, and closing any descriptor of the file would drop the lock.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def _memory_lock(key: str) -> Iterator[bool]:
    with _memory_guard:
        lock = _memory_locks.setdefault(key, threading.Lock())
    got = lock.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            lock.release()

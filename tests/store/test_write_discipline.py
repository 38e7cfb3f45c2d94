"""One write discipline (issue 19): writes take the lock first and wait for it, within a bound;
reads never take it and never write; error texts never carry the values written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ozondesk.crash import known_error
from ozondesk.store import transactions
from ozondesk.store.db import Database, open_database
from ozondesk.store.dialect import WriteInReadTransaction
from ozondesk.store.models import Draft, Setting
from ozondesk.store.transactions import DatabaseBusyError

SECRET_WORDS = "Мой телефон +7 999 123-45-67, перезвоните"


class Holder:
    """Another connection holding the SQLite write lock until told to let go."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


@pytest.fixture
def tried() -> Iterator[threading.Event]:
    """Set when a writer first found the lock taken and paused (the pause generator is asked)."""
    event = threading.Event()
    real = transactions.pauses

    def watched(bound: float | None = None) -> Iterator[float]:
        for pause in real(bound):
            event.set()
            yield pause

    transactions.pauses = watched  # type: ignore[assignment]
    yield event
    transactions.pauses = real  # type: ignore[assignment]


def settings_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Setting)) or 0)


def put_setting(key: str) -> object:
    return lambda s: s.execute(insert(Setting).values(key=key, value={"v": 1}))


def test_a_write_waits_for_a_held_lock_and_succeeds_once_it_is_free(
    db_path: Path, tried: threading.Event
) -> None:
    db = open_database(str(db_path))
    before = settings_count(db)
    holder = Holder(db_path)
    done = threading.Event()
    result: list[object] = []

    def writer() -> None:
        result.append(db.write(put_setting("a.wait")))  # type: ignore[arg-type]
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert tried.wait(timeout=transactions.WRITE_WAIT)  # it found the lock taken...
    assert not done.is_set()  # ...and is still waiting
    holder.release()
    thread.join(timeout=transactions.WRITE_WAIT)
    assert done.is_set() and settings_count(db) == before + 1
    db.dispose()


def test_a_write_gives_up_after_the_bound_with_one_line_and_changes_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(str(db_path))
    before = settings_count(db)
    monkeypatch.setattr(transactions, "WRITE_WAIT", 0.3)
    holder = Holder(db_path)
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseBusyError) as caught:
            db.write(put_setting("a.busy"))  # type: ignore[arg-type]
        waited = time.monotonic() - started
        with pytest.raises(DatabaseBusyError), db.begin() as s:
            s.execute(insert(Setting).values(key="b.busy", value={"v": 1}))
    finally:
        holder.release()
    assert 0.3 <= waited < 3
    assert caught.value.message == (
        f"database {db_path} stayed busy for 0.3 s (another OzonDesk or sync is writing to it): "
        "try again, or close the other program"
    )
    assert settings_count(db) == before
    db.dispose()


def test_read_then_write_is_not_broken_by_a_writer_in_between(
    db_path: Path, tried: threading.Event
) -> None:
    """The deferred-BEGIN failure: A reads, B commits, A's write upgrade fails at once with
    "database is locked". Now B waits for A's lock and both units of work get through."""
    first, second = open_database(str(db_path)), open_database(str(db_path))
    before = settings_count(first)
    seen: list[int] = []

    def read_then_write(s: object) -> None:
        seen.append(int(s.scalar(select(func.count()).select_from(Setting)) or 0))  # type: ignore[attr-defined]
        if len(seen) == 1:
            other = threading.Thread(target=lambda: second.write(put_setting("b")))  # type: ignore[arg-type]
            other.start()
            assert tried.wait(timeout=transactions.WRITE_WAIT)  # B is waiting for our lock
            threads.append(other)
        s.execute(insert(Setting).values(key="a", value={"v": seen[-1]}))  # type: ignore[attr-defined]

    threads: list[threading.Thread] = []
    first.write(read_then_write)
    threads[0].join(timeout=transactions.WRITE_WAIT)
    assert seen == [before] and settings_count(first) == before + 2
    first.dispose()
    second.dispose()


def test_reads_neither_wait_for_the_lock_nor_write(db_path: Path) -> None:
    db = open_database(str(db_path))
    before = settings_count(db)
    holder = Holder(db_path)
    try:
        started = time.monotonic()
        assert settings_count(db) == before  # WAL: a reader does not wait for the writer
        assert time.monotonic() - started < 1
        with pytest.raises(WriteInReadTransaction), db.read() as s:
            s.execute(insert(Setting).values(key="c", value={"v": 1}))
    finally:
        holder.release()
    # The pooled connection went back to writing for the next write transaction.
    db.write(put_setting("d"))  # type: ignore[arg-type]
    assert settings_count(db) == before + 1
    db.dispose()


def test_read_only_on_both_backends(db: Database) -> None:
    before = settings_count(db)
    with pytest.raises(WriteInReadTransaction) as caught, db.read() as s:
        s.execute(insert(Setting).values(key="e", value={"v": 1}))
    # A bug of the caller's, not "the database is read-only" (that one line would mislead).
    assert known_error(caught.value) is None
    db.write(put_setting("f"))  # type: ignore[arg-type]
    assert settings_count(db) == before + 1


def test_a_write_inside_another_on_one_thread_is_a_bug_said_at_once(db_path: Path) -> None:
    db = open_database(str(db_path))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="inside another"), db.begin() as outer:
        outer.execute(insert(Setting).values(key="g", value={"v": 1}))
        with db.begin() as inner:
            inner.execute(insert(Setting).values(key="h", value={"v": 1}))
    assert time.monotonic() - started < 1  # not the ten seconds of waiting for itself
    db.write(put_setting("i"))  # type: ignore[arg-type]  # nothing is left holding the lock
    db.dispose()


def test_error_texts_never_carry_the_values(db: Database) -> None:
    with pytest.raises(IntegrityError) as caught, db.begin() as s:
        s.add(Draft(conversation_id=987654, agent_id=None, text=SECRET_WORDS,
                    updated_at=datetime(2026, 12, 1)))
        s.flush()
    assert SECRET_WORDS not in str(caught.value)
    assert "999" not in str(caught.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)


def test_a_deadlock_victim_runs_again(db: Database) -> None:
    """Two units of work that lock two rows in opposite orders: PostgreSQL ends one as a
    deadlock victim and ``write`` runs it again; SQLite serializes them from the start."""
    for key in ("x", "y"):
        db.write(put_setting(key))  # type: ignore[arg-type]
    # On SQLite the other unit of work waits for our lock, so it never meets us at a barrier.
    both = threading.Barrier(2 if db.is_postgresql else 1, timeout=30)
    runs: list[str] = []
    table = Setting.__table__

    def cross(first: str, second: str) -> object:
        def work(s: object) -> None:
            runs.append(first)
            s.execute(table.update().where(table.c.key == first).values(value={"v": first}))  # type: ignore[attr-defined]
            if len(runs) <= 2:
                both.wait()
            s.execute(table.update().where(table.c.key == second).values(value={"v": first}))  # type: ignore[attr-defined]

        return work

    threads = [threading.Thread(target=db.write, args=(cross(a, b),)) for a, b in (("x", "y"), ("y", "x"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert len(runs) == (3 if db.is_postgresql else 2)
    with db.read() as s:
        values = dict(s.execute(select(Setting.key, Setting.value).where(Setting.key.in_(("x", "y")))).all())
    assert values["x"] == values["y"]  # the unit of work that ran last wrote both rows


def test_opening_a_database_twice_keeps_the_first_ones_locks(db_path: Path) -> None:
    """Reading the header of a file this process has open as a database would drop its POSIX
    locks; another process closing its last connection would then delete the WAL under it."""
    first = open_database(str(db_path))
    first.write(put_setting("j"))  # type: ignore[arg-type]
    with first.read() as s:  # a connection of this process, holding its lock on the file
        s.scalar(select(func.count()).select_from(Setting))
        open_database(str(db_path)).dispose()
        other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('select 1 from settings'); c.close()"
        subprocess.run([sys.executable, "-c", other, str(db_path)], check=True, timeout=60)
        assert db_path.with_name(db_path.name + "-wal").exists()
    first.dispose()

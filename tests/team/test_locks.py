"""One desk at a time for sync and delivery: an advisory lock on PostgreSQL, an OS file lock
beside a SQLite file; tried, never waited for, released when the holder dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import URL

from ozondesk.store.db import Database, open_database
from ozondesk.store.locks import desk_lock, lock_key, lock_path


def test_a_second_desk_is_told_at_once_and_gets_it_after_release(pg_db: Database, pg_url: URL) -> None:
    other = open_database(pg_url)
    try:
        with desk_lock(pg_db, "ozon-sync:1") as first:
            with desk_lock(other, "ozon-sync:1") as second, desk_lock(other, "ozon-sync:2") as third:
                assert (first, second, third) == (True, False, True)
        with desk_lock(other, "ozon-sync:1") as again:
            assert again
    finally:
        other.dispose()


def test_a_desk_that_dies_lets_go(pg_db: Database, pg_url: URL) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from sqlalchemy.engine import make_url
        from ozondesk.store.db import open_database
        from ozondesk.store.locks import desk_lock
        db = open_database(make_url({pg_url.render_as_string(hide_password=False)!r}))
        with desk_lock(db, "ozon-outbox") as got:
            print("held" if got else "refused", flush=True)
            time.sleep(60)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with desk_lock(pg_db, "ozon-outbox") as got:
            assert not got
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 30  # the server notices the closed socket
        while True:
            with desk_lock(pg_db, "ozon-outbox") as got:
                if got:
                    break
            assert time.monotonic() < deadline, "the dead desk's lock was never released"
            time.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_keys_are_stable_and_distinct() -> None:
    assert lock_key("ozon-sync:1") == lock_key("ozon-sync:1")
    assert lock_key("ozon-sync:1") != lock_key("ozon-sync:2")
    assert -(2**63) <= lock_key("ozon-outbox") < 2**63


def test_sqlite_desks_exclude_each_other_until_release(db_path: Path) -> None:
    first_db, other = open_database(str(db_path)), open_database(str(db_path))
    try:
        with desk_lock(first_db, "ozon-sync:1") as first:
            with desk_lock(other, "ozon-sync:1") as second, desk_lock(other, "ozon-sync:2") as third:
                assert (first, second, third) == (True, False, True)
            # The same database object, another thread: excluded as well.
            with ThreadPoolExecutor(1) as pool:
                assert pool.submit(lambda: _try(first_db, "ozon-sync:1")).result() is False
        with desk_lock(other, "ozon-sync:1") as again:
            assert again
    finally:
        first_db.dispose()
        other.dispose()
    assert lock_path(db_path, "ozon-sync:1").name == "desk.sqlite.ozon-sync-1.lock"


def _try(db: Database, name: str) -> bool:
    with desk_lock(db, name) as got:
        return got


def test_a_sqlite_desk_killed_while_holding_lets_go_at_once(db_path: Path) -> None:
    open_database(str(db_path)).dispose()
    script = textwrap.dedent(
        f"""
        import time
        from ozondesk.store.db import open_database
        from ozondesk.store.locks import desk_lock
        db = open_database({str(db_path)!r})
        with desk_lock(db, "ozon-outbox") as got:
            print("held" if got else "refused", flush=True)
            time.sleep(60)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    db = open_database(str(db_path))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert _try(db, "ozon-outbox") is False
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert _try(db, "ozon-outbox") is True  # the kernel dropped it with the process
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
        db.dispose()

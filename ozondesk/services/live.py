"""Live updates for a desk: what other desks (and the sync) committed, as it happens.

On PostgreSQL a listener thread with its own connection hears the NOTIFYs the triggers send
(new messages, claims, presence, template reviews) within milliseconds of the commit; on a
SQLite file a poller notices any commit within a second. The desk reloads what an event
touches; ``changed`` and ``resync`` mean "reload what you show".
"""

from __future__ import annotations

from collections.abc import Callable

from ozondesk.store import dialect
from ozondesk.store.db import Database, is_postgresql
from ozondesk.store.notify import ChangeEvent, DataVersionPoller, PgListener

__all__ = ["ChangeEvent", "LiveFeed"]


class LiveFeed:
    """One watcher per desk; ``on_event`` runs on the watcher's thread, never the GUI's."""

    def __init__(self, db: Database, on_event: Callable[[ChangeEvent], None]) -> None:
        self.db = db
        self.on_event = on_event
        self._worker: PgListener | DataVersionPoller | None = None

    @property
    def mode(self) -> str:
        """``notify`` (PostgreSQL), ``poll`` (a SQLite file) or ``none`` (an in-memory database)."""
        if is_postgresql(self.db.url):
            return "notify"
        return "poll" if dialect.sqlite_path(self.db.url) is not None else "none"

    def start(self) -> None:
        if self._worker is not None:
            return
        if self.mode == "notify":
            self._worker = PgListener(self.db.url, self.on_event)
        elif self.mode == "poll":
            path = dialect.sqlite_path(self.db.url)
            assert path is not None
            self._worker = DataVersionPoller(path, self.on_event)
        else:
            return
        self._worker.start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Whether the watcher is listening (tests and the bench wait for it before writing)."""
        return self._worker is not None and self._worker.ready.wait(timeout)

    @property
    def worker(self) -> PgListener | DataVersionPoller | None:
        return self._worker

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

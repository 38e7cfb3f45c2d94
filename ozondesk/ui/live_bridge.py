"""Live updates into Qt: listener events become signals delivered on the GUI thread.

The feed's watcher calls ``push`` on its own thread; a queued signal carries each event to the
GUI thread, where events are gathered for ``COALESCE_MS`` and then announced once per kind, so
a sync storing a thousand messages costs the views one refresh, not a thousand.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ozondesk.services.changes import from_events
from ozondesk.services.live import ChangeEvent, LiveFeed
from ozondesk.store.db import Database

COALESCE_MS = 150


class LiveBridge(QObject):
    messages = Signal(object)  # frozenset of conversation ids with new messages
    claims = Signal(object)  # frozenset of conversation ids whose claim changed hands
    presence = Signal()  # an agent's status changed: the shop's presence is recomputed
    templates = Signal()  # a template revision was submitted, approved or rejected
    reload = Signal()  # something changed, or events may have been missed: reload what is shown
    changes = Signal(object)  # the same events as one OpChanges record (services/changes.py)
    _arrived = Signal(object)

    def __init__(self, parent: QObject | None = None, coalesce_ms: int = COALESCE_MS) -> None:
        super().__init__(parent)
        self._feed: LiveFeed | None = None
        self._pending: list[ChangeEvent] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._flush)
        self._arrived.connect(self._collect, Qt.ConnectionType.QueuedConnection)

    def start(self, db: Database) -> None:
        """Start the desk's watcher (a thread; no query runs on the GUI thread)."""
        self.stop()
        self._feed = LiveFeed(db, self.push)
        self._feed.start()

    def stop(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until the watcher listens (tests only: never call it on a live GUI)."""
        return self._feed is not None and self._feed.wait_ready(timeout)

    @property
    def mode(self) -> str:
        return self._feed.mode if self._feed is not None else "none"

    def push(self, event: ChangeEvent) -> None:
        """Thread-safe: hand an event to the GUI thread."""
        self._arrived.emit(event)

    def _collect(self, event: ChangeEvent) -> None:
        self._pending.append(event)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        events, self._pending = self._pending, []
        kinds = {e.kind for e in events}
        if events:
            self.changes.emit(from_events(events))
        if kinds & {"changed", "resync"}:
            self.reload.emit()
            return
        messages = frozenset(e.conversation_id for e in events
                             if e.kind == "message" and e.conversation_id is not None)
        claims = frozenset(e.conversation_id for e in events
                           if e.kind == "claim" and e.conversation_id is not None)
        if messages:
            self.messages.emit(messages)
        if claims:
            self.claims.emit(claims)
        if "presence" in kinds:
            self.presence.emit()
        if "template" in kinds:
            self.templates.emit()

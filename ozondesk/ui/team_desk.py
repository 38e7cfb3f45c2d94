"""Team mode for the main window in one object: live updates, the claim heartbeat, and letting
go of the desk's claims on quit.

The main window makes one ``TeamDesk``, asks it for the claim bar, connects the bridge's
signals to its reloads, calls ``start()`` when shown and ``shutdown()`` on close after the
runner has stopped (the release is then the last claim write, like the final offline event).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from ozondesk.services.claims import ClaimService
from ozondesk.services.preferences import DeskAgent
from ozondesk.store.db import Database
from ozondesk.ui.claim_bar import ClaimBar
from ozondesk.ui.live_bridge import LiveBridge
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

HEARTBEAT_MS = 60_000  # three missed beats and the claims are free (services.claims.LIFETIME)


class TeamDesk(QObject):
    def __init__(self, db: Database, runner: TaskRunner, agent: DeskAgent | None,
                 parent: QObject | None = None, claims: ClaimService | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.agent = agent
        self.claims = claims or ClaimService(db)
        self.live = LiveBridge(self)
        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setInterval(HEARTBEAT_MS)
        self.heartbeat_timer.timeout.connect(self.heartbeat)
        self.bar: ClaimBar | None = None

    def claim_bar(self, parent: QWidget | None = None) -> ClaimBar:
        """The bar above the composer, refreshed when another desk claims or releases."""
        if self.bar is None:
            self.bar = ClaimBar(self.runner, self.claims, self.agent, parent)
            self.live.claims.connect(self.bar.claims_changed)
            self.live.reload.connect(self.bar.refresh)
        return self.bar

    def start(self) -> None:
        self.live.start(self.db)
        self.heartbeat_timer.start()
        self.runner.run(self.claims.expire, lambda n: log.debug("%s stale claims dropped", n),
                        lambda exc: log.warning("stale claims not dropped: %s", exc))

    def heartbeat(self) -> None:
        agent = self.agent
        if agent is None:
            return
        self.runner.run(lambda: self.claims.heartbeat(agent.id), lambda _n: None,
                        lambda exc: log.warning("claims not renewed: %s", exc))

    def shutdown(self) -> None:
        """Stop listening and free the desk's conversations (synchronously: the runner is gone)."""
        self.heartbeat_timer.stop()
        self.live.stop()
        if self.agent is not None:
            try:
                self.claims.release_all(self.agent.id)
            except Exception as exc:  # noqa: BLE001 - quitting goes on; the claims expire anyway
                log.warning("claims not released on quit (they expire by themselves): %s", exc)

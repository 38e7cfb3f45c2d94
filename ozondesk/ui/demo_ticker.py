"""The live demo's clock (#17): while ``ozondesk --demo`` runs, a buyer writes every minute or
so, so countdowns, due-soon notifications and live updates can be seen working.

Only the demo database gets one (``ozondesk.app`` starts it for ``--demo``). The write runs on
the desk's database worker like every other; the window hears of it through its live feed,
as it would of a sync on another desk.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from ozondesk.domain.clock import utcnow
from ozondesk.services.demo_live import Arrival, buyer_writes
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

INTERVAL_MS = 60_000
# ± this share of the interval, so arrivals do not tick like a metronome.
JITTER = 0.3


class DemoTicker(QObject):
    arrived = Signal(object)  # an Arrival, on the GUI thread

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        interval_ms: int = INTERVAL_MS,
        clock: Callable[[], datetime] = utcnow,
        seed: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.clock = db, runner, clock
        self.interval_ms = interval_ms
        self.rnd = random.Random(seed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._arm()

    def stop(self) -> None:
        self.timer.stop()

    def _arm(self) -> None:
        spread = self.interval_ms * JITTER
        self.timer.start(max(1, int(self.interval_ms + self.rnd.uniform(-spread, spread))))

    def tick(self) -> None:
        if self.runner.closed:
            return  # the window closed (quit, or the desk changed hands): the demo buyer stops
        db, now, rnd = self.db, self.clock(), self.rnd
        self.runner.run(lambda: buyer_writes(db, now, rnd), self._done, self._failed)
        self._arm()

    def _done(self, arrival: Arrival) -> None:
        self.arrived.emit(arrival)

    def _failed(self, exc: BaseException) -> None:
        # A busy or read-only demo file: this minute's buyer stays silent; the next one tries.
        log.warning("demo buyer message not stored: %s", exc)


def start_demo_ticker(window: QObject, db: Database, runner: TaskRunner) -> DemoTicker:
    """Buyers keep writing while ``window`` is open; the ticker ends with the window's runner."""
    ticker = DemoTicker(db, runner, parent=window)
    ticker.start()
    return ticker

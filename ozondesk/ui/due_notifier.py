"""A desktop notification when a conversation becomes due soon, once per conversation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.i18n import _, ngettext
from ozondesk.services.notifications import DueSoon, DueSoonService
from ozondesk.ui.tasks import TaskRunner

CHECK_MS = 30_000


class DueNotifier(QObject):
    """Checks on the worker every 30 s; ``notified`` carries only conversations not announced before."""

    notified = Signal(list)

    def __init__(
        self,
        service: DueSoonService,
        runner: TaskRunner,
        agent_id: int | None,
        clock: Callable[[], datetime] = utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.agent_id = agent_id
        self.clock = clock
        self.enabled = True
        self._announced: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            style = QApplication.style()
            self.tray = QSystemTrayIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning), self)
            self.tray.setToolTip(_("OzonDesk"))
            self.tray.show()

    def start(self) -> None:
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()

    def check(self) -> None:
        if not self.enabled:
            return
        now = self.clock()
        self.runner.run(lambda: self.service.due_soon(self.agent_id, now), self._checked, lambda _e: None)

    def _checked(self, due: list[DueSoon]) -> None:
        # Forget what is no longer due soon, so a conversation that comes due again is announced again.
        self._announced &= {d.conversation_id for d in due}
        fresh = [d for d in due if d.conversation_id not in self._announced]
        if not fresh:
            return
        self._announced |= {d.conversation_id for d in fresh}
        if self.tray is not None:
            self.tray.showMessage(_("Due soon"), message_text(fresh), QSystemTrayIcon.MessageIcon.Warning, 8000)
        self.notified.emit(fresh)


def message_text(due: list[DueSoon]) -> str:
    first = due[0]
    head = _("{title}: reply due at {time} MSK").format(
        title=first.title, time=to_msk(first.due_at).strftime("%H:%M")
    )
    if len(due) == 1:
        return head
    more = len(due) - 1
    return head + " · " + ngettext("and {n} more", "and {n} more", more).format(n=more)

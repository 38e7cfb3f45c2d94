"""Start-up without a frozen screen: opening the database (a migration after a backup copy,
``PRAGMA quick_check``, the seeds) and reading what the first window needs run on a worker
thread, while a small window says what is happening and the event loop keeps painting it and
answering a second start (the single-instance guard brings it to the front)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ozondesk.i18n import _
from ozondesk.ui.tasks import TaskRunner

T = TypeVar("T")


class StartupScreen(QWidget):
    """"Opening <database>…" until the first window (or the setup assistant) is ready."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("OzonDesk"))
        self.setWindowFlag(Qt.WindowType.SplashScreen)
        self.label = QLabel(_("Opening {database}…").format(database=database))
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.label)
        self.setMinimumWidth(420)


def off_the_gui_thread(work: Callable[[], T]) -> T:
    """Run ``work`` on a worker thread and return its result; meanwhile the GUI thread runs its
    event loop (windows paint, the single-instance socket is answered). A failure is raised
    here already sorted (``crash.sort_error``): a known error's one line, or a recorded bug."""
    runner = TaskRunner()
    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def done(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(error: BaseException) -> None:
        outcome["error"] = error
        loop.quit()

    runner.run(work, done, failed)
    if not outcome:  # a result can only arrive through the loop, never before it runs
        loop.exec()
    runner.shutdown()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]  # type: ignore[no-any-return]

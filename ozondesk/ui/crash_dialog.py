"""The GUI's side of ``ozondesk.crash``: unexpected exceptions in slots (``sys.excepthook``) and
Qt's own warnings (its message handler) are sorted like every other failure, and a bug opens
one crash report: what happened, where the log is, "Copy details".
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ozondesk import crash
from ozondesk.i18n import _

log = logging.getLogger("ozondesk.qt")


class CrashDialog(QDialog):
    """One report for every bug while it is open: later ones are added to its details."""

    def __init__(self, bug: crash.BugError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("OzonDesk hit a problem"))
        self.setObjectName("crashDialog")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reassure = QLabel(
            _("Drafts and queued replies are kept in the database. You can go on working; if the "
              "problem comes back, send the details to whoever supports your desk.")
        )
        reassure.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMinimumHeight(160)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("Copy details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = QPushButton(_("Open log folder"))
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button.clicked.connect(self._open_folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(reassure)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.bugs: list[crash.BugError] = []
        self.add(bug)
        self.resize(640, 420)

    def add(self, bug: crash.BugError) -> None:
        self.bugs.append(bug)
        self.summary.setText(bug.message)
        self.details.setPlainText("\n\n".join(b.details for b in self.bugs))
        self.folder_button.setEnabled(bug.log_path is not None)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())

    def _open_folder(self) -> None:
        path = self.bugs[-1].log_path
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


class CrashReporter(QObject):
    """Bugs from any thread reach the GUI thread through a queued signal."""

    bug = Signal(object)

    def __init__(self, parent: QObject | None = None,
                 show: Callable[[crash.BugError], None] | None = None) -> None:
        super().__init__(parent)
        self.dialog: CrashDialog | None = None
        self._show = show or self._show_dialog
        self.bug.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._remove = crash.on_bug(self.bug.emit)
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        self._previous_qt = qInstallMessageHandler(qt_message)

    def excepthook(self, kind: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        known = crash.known_error(exc)
        if known is not None:
            log.warning("%s", known.message)
            QMessageBox.warning(QApplication.activeWindow(), _("OzonDesk"), known.message)
            return
        crash.record_bug(exc, tb, where="GUI")

    def _show_dialog(self, bug: crash.BugError) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(bug)
            return
        self.dialog = CrashDialog(bug, QApplication.activeWindow())
        self.dialog.show()

    def uninstall(self) -> None:
        self._remove()
        sys.excepthook = self._previous_hook
        qInstallMessageHandler(self._previous_qt)


# The offscreen platform (tests, the CI's self-test, screenshots) has no window manager, and
# says so for every window that asks one for something: "This plugin does not support
# propagateSizeHints()", "… raise()", "… grabbing the keyboard", "… setParent()". They are no
# fault of ours and say nothing about a real desktop, so they go to the debug log, not stderr.
_OFFSCREEN_NOTICE = "This plugin does not support "


def qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own diagnostics into our log; a critical one is a bug."""
    if kind == QtMsgType.QtCriticalMsg or kind == QtMsgType.QtFatalMsg:
        crash.record_bug(RuntimeError(f"Qt: {message}"), where=context.category or "Qt")
    elif kind == QtMsgType.QtWarningMsg and not _offscreen_notice(message):
        log.warning("%s", message)
    else:
        log.debug("%s", message)


def _offscreen_notice(message: str) -> bool:
    return message.startswith(_OFFSCREEN_NOTICE) and QGuiApplication.platformName() == "offscreen"

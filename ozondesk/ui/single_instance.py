"""One app window per database on this computer: a second start is refused, and the first
window comes to the front instead.

Two windows on one database would be two desks of one person: both would autosave drafts of
the same conversations, both would poll and deliver. The guard is a ``QLockFile`` named after
the database (its path, or a PostgreSQL URL without the password) in the user's runtime
folder; Qt takes a lock whose process is gone for stale, so a killed app does not lock itself
out. The first instance also listens on a ``QLocalServer`` of the same name: a second start
connects to it, which asks the first to show its window. Command-line sub-commands are not
guarded; they coordinate with the app through the database (the sender's lock, the outbox's
claims, the write lock).
"""

from __future__ import annotations

import hashlib
import os

from PySide6.QtCore import QDir, QLockFile, QObject, QStandardPaths, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

_WAIT_MS = 1000


def _folder() -> str:
    runtime = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
    return runtime or QDir.tempPath()


class SingleInstance(QObject):
    """``acquire()`` once at start-up; False means another instance has the database open."""

    activated = Signal()  # a second start asked this instance to show its window

    def __init__(self, database: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:20]
        self.name = f"ozondesk-{digest}"
        self.lock = QLockFile(os.path.join(_folder(), f"{self.name}.lock"))
        # Stale only when its process is gone: age says nothing about a desk open all day.
        self.lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self.lock.tryLock(0):
            return False
        # A socket left behind by a crashed first instance would make listen() fail.
        QLocalServer.removeServer(self.name)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._server.listen(self.name)
        return True

    def ask_running_to_show(self) -> bool:
        """Ask the instance holding the database to bring its window to the front; False when
        it did not answer."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(_WAIT_MS):
            return False
        socket.write(b"show\n")
        written = socket.waitForBytesWritten(_WAIT_MS)
        socket.disconnectFromServer()
        return written

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.lock.unlock()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.disconnected.connect(socket.deleteLater)
            socket.disconnectFromServer()
            self.activated.emit()


def bring_to_front(window: QWidget | None) -> None:
    """Un-minimize (keeping maximized or full screen), raise and focus ``window`` — or the
    modal dialog open over it (the setup assistant, a question), which is what needs an answer."""
    window = QApplication.activeModalWidget() or window
    if window is None:
        return
    state = window.windowState() & ~Qt.WindowState.WindowMinimized
    window.setWindowState(state | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()

"""Evidence screenshots: a region of the screen, stamped with the Moscow time.

Ozon sends a ticket back unless its screenshot shows the address bar (the ozon.ru domain) and
the Moscow time; the desk grabs the whole screen once (``QScreen.grabWindow(0)``, so the
browser with Seller Center is in it), lets the agent drag the region to keep, and paints the
Moscow time into the corner. The PNG goes into the ticket's attachments. The new-ticket dialog
also offers the screen after a pause and OzonDesk's own windows (``ui/tickets/dialogs.py``).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import QWidget

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import _


def stamp_text(now: datetime) -> str:
    # Kept in Russian and numerals whatever the interface language: Ozon's reviewers read it.
    return to_msk(now).strftime("%d.%m.%Y %H:%M:%S МСК (Moscow time)")


def stamp(pixmap: QPixmap, now: datetime) -> QPixmap:
    """A copy of ``pixmap`` with the Moscow time painted bottom right on a dark box."""
    out = pixmap.copy()
    painter = QPainter(out)
    font = QFont()
    font.setPixelSize(max(14, min(28, out.height() // 30)))
    font.setBold(True)
    painter.setFont(font)
    text = stamp_text(now)
    metrics = QFontMetrics(font)
    pad = 6
    width, height = metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + 2 * pad
    box = QRect(max(0, out.width() - width - pad), max(0, out.height() - height - pad), width, height)
    painter.fillRect(box, QColor(0, 0, 0, 200))
    painter.setPen(QColor("#ffffff"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return out


def png_bytes(pixmap: QPixmap) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def grab_screen(screen: QScreen | None = None) -> QPixmap:
    """The whole screen as it is now (every application's windows)."""
    target = screen or QGuiApplication.primaryScreen()
    return target.grabWindow(0) if target is not None else QPixmap()


class RegionPicker(QWidget):
    """A full-screen still of the screen: drag a rectangle to keep it (Enter keeps the whole
    screen, Escape cancels). ``taken`` carries the chosen part, not yet stamped."""

    taken = Signal(QPixmap)
    cancelled = Signal()

    def __init__(self, still: QPixmap, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("regionPicker")
        self.still = still
        self.origin: QPoint | None = None
        self.rect_now = QRect()
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(_("Drag over the part to keep (with the browser's address bar); Enter: whole screen, Esc: cancel"))
        self.resize(still.size() if not still.isNull() else self.size())

    def selection(self) -> QRect:
        return self.rect_now.intersected(self.still.rect())

    @staticmethod
    def _span(a: QPoint, b: QPoint) -> QRect:
        # The pixels between the press and the release, excluding the release point itself
        # (QRect(a, b) would include it: one pixel wider and taller than dragged).
        return QRect(min(a.x(), b.x()), min(a.y(), b.y()), abs(b.x() - a.x()), abs(b.y() - a.y()))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.still)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 90))
        chosen = self.selection()
        if not chosen.isEmpty():
            painter.drawPixmap(chosen, self.still, chosen)
            painter.setPen(QColor("#00a2ff"))
            painter.drawRect(chosen)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignTop
                         | Qt.AlignmentFlag.AlignHCenter, self.toolTip())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.origin = event.position().toPoint()
        self.rect_now = QRect()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.origin is not None:
            self.rect_now = self._span(self.origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.origin is None:
            return
        self.rect_now = self._span(self.origin, event.position().toPoint())
        self.origin = None
        chosen = self.selection()
        if chosen.width() >= 8 and chosen.height() >= 8:
            self.taken.emit(self.still.copy(chosen))
            self.close()
        else:
            self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.taken.emit(self.still.copy())
            self.close()
        elif event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            self.close()
        else:
            super().keyPressEvent(event)

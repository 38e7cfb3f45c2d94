"""A one-line label that ends in "…" when its text does not fit, instead of widening the window.

A plain QLabel's minimum width is its whole text: a long status line, or a Russian one, makes
the main window wider than a 1280 px screen. This label asks for a few characters at least,
shows its whole text when there is room, and elides (the text itself stays whole in ``text()``
and in the tooltip) when there is not. Plain text only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

MIN_CHARS = 8  # enough to recognise what a line is about before its "…"


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        least = self.fontMetrics().averageCharWidth() * MIN_CHARS + margins.left() + margins.right()
        return QSize(min(hint.width(), least), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if not self.is_elided():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(),
                                  shown, self.foregroundRole())

    def event(self, event: QEvent) -> bool:
        # The whole line on hover when it is cut, unless the owner set a tooltip of its own.
        if (event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and not self.toolTip()
                and self.is_elided()):
            QToolTip.showText(event.globalPos(), self.text(), self)
            return True
        return super().event(event)

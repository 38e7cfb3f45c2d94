"""Dialogs tall enough for their wrapped texts.

Qt's minimum size for a top-level window ignores height-for-width: a dialog whose notes wrap
(more lines in Russian than in English) opens at its fixed default height and its layout then
squeezes the line edits to half a line. ``fit_height`` grows the dialog to the height its
layout needs at its current width, never past the screen's available height.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def fit_height(dialog: QWidget) -> None:
    layout = dialog.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    needed = layout.totalHeightForWidth(dialog.width())
    screen = dialog.screen()
    if screen is not None:
        # The title bar and frame sit outside the dialog's own height.
        needed = min(needed, screen.availableGeometry().height() - (dialog.frameGeometry().height() - dialog.height()))
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)

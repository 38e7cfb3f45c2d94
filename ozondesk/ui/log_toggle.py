"""Ctrl+L shows and hides the sync log, reliably (#17): the first press shows it.

Qt's ``toggleViewAction`` only flips the dock's hidden flag: a dock restored from another
session squeezed to no height, or floating where no screen is, was "shown" with a tick in the
menu and nothing on screen. This action shows the dock, brings it back from wherever it floats
and gives it room; its tick follows the dock, also when its own close button hides it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

MIN_HEIGHT = 160  # a few log lines and the header


def log_toggle_action(window: QMainWindow, dock: QDockWidget, text: str) -> QAction:
    action = QAction(text, window)
    action.setCheckable(True)
    action.setChecked(not dock.isHidden())
    action.setShortcut(QKeySequence("Ctrl+L"))

    def toggled(checked: bool) -> None:
        if checked == (not dock.isHidden()):
            return
        if checked:
            show_dock(window, dock)
        else:
            dock.hide()

    def followed(_visible: bool) -> None:
        # isHidden, not the signal's flag: a minimised window hides the dock but not by choice.
        action.blockSignals(True)
        action.setChecked(not dock.isHidden())
        action.blockSignals(False)

    action.toggled.connect(toggled)
    dock.visibilityChanged.connect(followed)
    return action


def show_dock(window: QMainWindow, dock: QDockWidget) -> None:
    if dock.isFloating() and not _on_a_screen(dock):
        dock.setFloating(False)  # back into the window rather than out of sight
    dock.show()
    dock.raise_()
    if not dock.isFloating() and dock.height() < MIN_HEIGHT:
        window.resizeDocks([dock], [MIN_HEIGHT], Qt.Orientation.Vertical)


def _on_a_screen(dock: QDockWidget) -> bool:
    return any(screen.availableGeometry().intersects(dock.frameGeometry())
               for screen in QGuiApplication.screens())

"""Shortcuts that belong to one widget, not to its whole window.

PySide6 (6.11) drops the context argument of ``QShortcut(key, parent, slot, context)``: such a
shortcut stays a window shortcut. The inbox's Return, J/K and arrows then fired from every
field of the window — Return in the template picker's search jumped to the reply instead of
choosing the template, Down in a list moved the inbox. ``widget_shortcut`` sets the context
after construction, where it holds.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def widget_shortcut(key: str, widget: QWidget, slot: Callable[[], object]) -> QShortcut:
    """``key`` runs ``slot`` only while ``widget`` has the keyboard focus."""
    shortcut = QShortcut(QKeySequence(key), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
    return shortcut

"""The desk's workspaces (inbox, templates, review, dashboard, drills) on one stack.

Each workspace is a widget with an optional ``refresh()``; a checkable action per
workspace (Ctrl+1…Ctrl+9 in the order added) switches the stack and refreshes the page
so a lead returning to the dashboard sees today's figures.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QStackedWidget, QToolBar, QWidget


class Workspaces(QObject):
    changed = Signal(str)

    def __init__(self, stack: QStackedWidget, bar: QToolBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self.bar = bar
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self._pages: dict[str, tuple[QWidget, QAction]] = {}

    def add(self, name: str, title: str, widget: QWidget) -> QAction:
        self.stack.addWidget(widget)
        action = QAction(title, self.bar)
        action.setCheckable(True)
        action.setObjectName(f"workspace-{name}")
        number = len(self._pages) + 1
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setToolTip(f"{title} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(lambda _checked=False, n=name: self.show(n))
        self.group.addAction(action)
        self.bar.addAction(action)
        self._pages[name] = (widget, action)
        if len(self._pages) == 1:
            action.setChecked(True)
        return action

    def names(self) -> list[str]:
        return list(self._pages)

    def widget(self, name: str) -> QWidget | None:
        page = self._pages.get(name)
        return page[0] if page else None

    @property
    def current(self) -> str:
        shown = self.stack.currentWidget()
        return next((n for n, (w, _a) in self._pages.items() if w is shown), "")

    def actions(self) -> list[QAction]:
        return [action for _w, action in self._pages.values()]

    def show(self, name: str) -> bool:
        """Switch to ``name``; False when this desk has no such workspace (the role lacks it)."""
        page = self._pages.get(name)
        if page is None:
            return False
        widget, action = page
        action.setChecked(True)
        if self.stack.currentWidget() is not widget:
            self.stack.setCurrentWidget(widget)
            self.changed.emit(name)
        refresh = getattr(widget, "refresh", None)
        if callable(refresh) and name != "inbox":
            refresh()
        return True

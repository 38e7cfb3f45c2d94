"""A widget's shortcut fires only while that widget has the focus (PySide6 ignores the context
argument of QShortcut's constructor, so the inbox's Return fired from every field)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QVBoxLayout, QWidget

from ozondesk.ui.shortcut_scope import widget_shortcut


def test_return_on_the_list_only_while_the_list_has_the_focus(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    search, listing = QLineEdit(window), QListWidget(window)
    listing.addItems(["a", "b"])
    column = QVBoxLayout(window)
    column.addWidget(search)
    column.addWidget(listing)
    fired: list[str] = []
    shortcut = widget_shortcut("Return", listing, lambda: fired.append("list"))
    assert shortcut.context() == Qt.ShortcutContext.WidgetShortcut
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=8000)

    search.setFocus()
    qtbot.waitUntil(search.hasFocus, timeout=8000)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert fired == []

    listing.setFocus()
    qtbot.waitUntil(listing.hasFocus, timeout=8000)
    qtbot.keyClick(listing, Qt.Key.Key_Return)
    assert fired == ["list"]


def test_the_inbox_keys_belong_to_the_inbox_views(qtbot: Any, tmp_path: Any) -> None:
    from demo_desk import close_desk, lead_demo, open_desk
    from PySide6.QtGui import QShortcut

    window, sync, runner = open_desk(lead_demo(tmp_path / "desk.sqlite", size=10))
    try:
        views = (window.table, window.list)
        keys = sorted(s.key().toString() for view in views for s in view.findChildren(QShortcut))
        assert keys == sorted(["J", "Down", "K", "Up", "Return", "Enter", "?"] * 2)
        assert {s.context() for view in views for s in view.findChildren(QShortcut)} == {
            Qt.ShortcutContext.WidgetShortcut}
    finally:
        close_desk(window, sync, runner)

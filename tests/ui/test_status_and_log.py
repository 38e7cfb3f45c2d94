"""Small things of a working day (#17 part 6): the status line belongs to the workspace on
screen, Ctrl+L shows the sync log at the first press, F5 without a shop says why, and no
emoji the desk's fonts may lack."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from support import MemoryKeyring

import ozondesk.ui
from ozondesk.services.conversation import ConversationService
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.inbox import InboxService
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.message_body import ATTACHMENT_ICON, message_body_html
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner

WAIT = 8000


@pytest.fixture
def window(qtbot: Any, db: Database) -> Iterator[MainWindow]:
    runner = TaskRunner()
    sync = SyncController(db, CredentialStore(db, MemoryKeyring()), runner,
                          make_client=lambda *_a, **_k: None)  # type: ignore[arg-type,return-value]
    with db.begin() as session:
        from ozondesk.store.repos.policies import current_policies

        policies = current_policies(session)
    win = MainWindow(InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
                     sync=sync, runner=runner)
    win.add_workspace("dashboard", "Dashboard", QWidget())
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    win.start()
    yield win
    win.close()


def test_the_status_line_belongs_to_the_workspace_on_screen(qtbot: Any, window: MainWindow) -> None:
    inbox_line = "0 conversations in this view"
    qtbot.waitUntil(lambda: window.status_text.text() == inbox_line, timeout=WAIT)
    window.show_workspace("dashboard")
    assert window.status_text.text() == ""  # not the inbox's count
    window.status_text.set_for("dashboard", "Figures of today")
    assert window.status_text.text() == "Figures of today"
    window.status_text.setText("Reply queued")  # the window's own lines are the inbox's
    assert window.status_text.text() == "Figures of today"
    window.show_workspace("inbox")
    assert window.status_text.text() == "Reply queued"
    window.show_workspace("dashboard")
    assert window.status_text.text() == "Figures of today"


def test_ctrl_l_shows_the_sync_log_at_the_first_press(qtbot: Any, window: MainWindow) -> None:
    from PySide6.QtTest import QTest

    assert window.log_view.isHidden() and not window.log_action.isChecked()
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.log_view.isVisible(), timeout=WAIT)
    assert window.log_action.isChecked() and window.log_view.height() >= 100
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.log_view.isHidden(), timeout=WAIT)
    assert not window.log_action.isChecked()
    window.log_action.trigger()
    qtbot.waitUntil(lambda: window.log_view.isVisible(), timeout=WAIT)
    window.log_view.close()  # its own close button: the menu's tick follows
    qtbot.waitUntil(lambda: not window.log_action.isChecked(), timeout=WAIT)


def test_f5_without_a_shop_says_why_it_cannot_sync(qtbot: Any, window: MainWindow) -> None:
    assert window.sync is not None
    qtbot.waitUntil(lambda: window.sync is not None and window.sync.shops is not None, timeout=WAIT)
    window.sync_action.trigger()
    assert window.status_text.text() == (
        "Can't sync: no Ozon shop is connected. Set one up: Desk → Set up OzonDesk…")
    assert not window.sync.busy


def test_an_attachment_shows_an_icon_not_an_emoji() -> None:
    html = message_body_html("Фото прикрепила", ("photo_1.jpg",))
    assert f"<img src='{ATTACHMENT_ICON}' width='16' height='16'> photo_1.jpg" in html
    assert Path(ATTACHMENT_ICON.removeprefix("file://")).is_file()


def test_no_interface_string_needs_an_emoji_font() -> None:
    """Only characters the bundled-or-required fonts draw: emoji (outside the BMP) showed as
    empty boxes on desks without a colour emoji font."""
    found = []
    for path in Path(ozondesk.ui.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found += [(path.name, c) for c in node.value if ord(c) > 0xFFFF]
    assert found == []

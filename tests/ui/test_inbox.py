from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database, open_database
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.inbox_model import COL_DUE, COL_TITLE, PAGE, InboxModel, format_left
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo_db(tmp_path: Path) -> Any:
    db = open_database(str(tmp_path / "ui.sqlite"))
    generate(db, size=650, now=NOW)
    yield db
    db.dispose()


def policies(db: Database) -> dict:
    with db.begin() as session:
        return current_policies(session)


def test_model_fetches_pages_lazily_and_passes_the_model_tester(qtbot: Any, qtmodeltester: Any, demo_db: Database) -> None:
    runner = TaskRunner()
    service = InboxService(demo_db)
    model = InboxModel(service, runner, policies(demo_db))
    with qtbot.waitSignal(model.loaded, timeout=5000) as blocker:
        model.reload(InboxFilter(statuses=()))
    total = blocker.args[0]
    assert total == 650 == model.rowCount()
    assert model.data(model.index(0, COL_TITLE)) == "…"  # placeholder until the page arrives
    qtbot.waitUntil(lambda: model.data(model.index(0, COL_TITLE)) != "…", timeout=5000)
    assert model.row_at(PAGE + 1) is None  # the second page is not loaded until asked for
    qtbot.waitUntil(lambda: model.row_at(PAGE + 1) is not None, timeout=5000)
    expected = service.page(PAGE + 1, 1, InboxFilter(statuses=()))[0]
    assert model.row_at(PAGE + 1) == expected
    qtmodeltester.check(model, force_py=True)
    runner.shutdown()


def test_countdown_states_and_colours(qtbot: Any, demo_db: Database) -> None:
    runner = TaskRunner()
    model = InboxModel(InboxService(demo_db), runner, policies(demo_db))
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload()
    qtbot.waitUntil(lambda: model.row_at(0) is not None, timeout=5000)
    row = model.row_at(0)
    assert row is not None and row.due_at is not None  # most urgent first
    model.now = row.due_at + timedelta(minutes=5)
    assert model.countdown(row).state == "breached"  # type: ignore[union-attr]
    label = "Resolve by" if row.due_policy == "resolution-48h" else "Next reply due"
    due = model.data(model.index(0, COL_DUE))
    assert due.startswith("−") and due.endswith(" · " + label)
    brush = model.data(model.index(0, COL_DUE), Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#c62828"
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.tick(row.due_at - timedelta(hours=100), 0, 10)
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), bottom.row(), top.column()) == (0, 10, COL_DUE)
    runner.shutdown()


def test_format_left() -> None:
    assert format_left(61) == "1 min"
    assert format_left(-300) == "−5 min"
    assert format_left(3 * 3600 + 5 * 60) == "3 h 05 min"
    assert format_left(50 * 3600) == "2 d 2 h"


def test_main_window_shows_inbox_clock_and_presence(qtbot: Any, demo_db: Database) -> None:
    window = MainWindow(InboxService(demo_db), PresenceService(demo_db), policies(demo_db), "test",
                        ConversationService(demo_db))
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: "conversations in this view" in window.status_text.text(), timeout=5000)
    qtbot.waitUntil(lambda: window.presence.text() != "", timeout=5000)
    assert "Moscow" in window.clock.text() and "Beijing" in window.clock.text()
    window.tick(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    assert "12:30:00" in window.clock.text() and "17:30" in window.clock.text()
    qtbot.waitUntil(lambda: window.selected_id is not None, timeout=5000)
    first = window.selected_id
    # J and K work in the list the agent sees (the keys belong to it, not to the whole window).
    window.activateWindow()
    window.list.setFocus()
    qtbot.waitUntil(window.list.hasFocus, timeout=5000)
    qtbot.keyClick(window.list, Qt.Key.Key_J)
    assert window.table.currentIndex().row() == 1
    qtbot.keyClick(window.list, Qt.Key.Key_K)
    assert window.selected_id == first
    # Opening a conversation shows its thread and its order beside it.
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == first, timeout=5000)
    detail = window.view.detail
    assert detail is not None
    assert detail.messages[0].text[:20] in window.view.thread.toPlainText()
    if detail.posting is not None:
        assert detail.posting.posting_number in window.view.context.toPlainText()
    window.close()

"""The inbox in three panes (#17): a compact list, the conversation with its reply across the
centre, the context on the right (collapsible); the full table as "Table view"; the choices
kept per desk; a window that fits 1280×720 and never resizes itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QSize, Qt
from PySide6.QtGui import QFont, QHelpEvent
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolTip

from ozondesk.i18n import set_language
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import desk_agent, desk_settings
from ozondesk.services.presence import PresenceService
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings
from ozondesk.store.db import Database, open_database
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.inbox_list import ConversationDelegate, initials
from ozondesk.ui.inbox_model import COL_CATEGORY, COL_DUE, COL_KIND, COL_TITLE, DUE_PARTS_ROLE
from ozondesk.ui.main_window import MainWindow, default_size

NOW = datetime.now(UTC)
SCREEN = QSize(1280, 720)
WAIT_MS = 10_000


@pytest.fixture
def demo(tmp_path: Path) -> Database:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=30, now=NOW)
    return db


def open_window(qtbot: Any, db: Database, desk: DeskSettings | None = None, size: QSize = SCREEN) -> MainWindow:
    with db.begin() as session:
        policies = current_policies(session)
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        compose=ComposeService(db), agent=desk_agent(db), desk=desk,
    )
    qtbot.addWidget(window)
    window.resize(size)
    window.show()
    window.start()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=WAIT_MS)
    return window


def opened(window: MainWindow) -> int | None:
    composer = window.composer
    return composer.conversation_id if composer is not None else None


def wait_open(qtbot: Any, window: MainWindow, row: int) -> int:
    """Select ``row`` and wait until its conversation is in the composer; its id."""
    window.table.selectRow(row)
    wanted = window.model.data(window.model.index(row, 0), Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: opened(window) == wanted, timeout=WAIT_MS)
    return int(wanted)


def test_three_panes_with_the_composer_across_the_centre(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    split = window.inbox_split
    assert split.count() == 3
    assert split.widget(0) is window.panes.stack and window.panes.stack.currentWidget() is window.list
    assert split.widget(1) is window.reply_split and window.reply_split is not None
    assert split.widget(2) is window.view.panel
    assert window.list.isVisible() and not window.table.isVisible()
    # The thread and the composer share the centre's whole width; the context is beside them.
    qtbot.waitUntil(lambda: window.composer is not None and window.composer.width() == window.reply_split.width(),
                    timeout=WAIT_MS)
    assert window.view.thread.width() > window.view.panel.width()
    left, centre, right = split.sizes()
    assert centre > left and right > 0
    # The list shows two-line rows of the same model, selection shared with the table.
    assert window.list.model() is window.model and window.list.selectionModel() is window.table.selectionModel()
    assert window.list.sizeHintForRow(0) >= 2 * window.list.fontMetrics().lineSpacing()
    assert window.list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_a_click_in_the_list_opens_the_conversation(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    wanted = window.model.data(window.model.index(2, 0), Qt.ItemDataRole.UserRole)
    rect = window.list.visualRect(window.model.index(2, window.list.modelColumn()))
    qtbot.mouseClick(window.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: opened(window) == wanted, timeout=WAIT_MS)
    assert window.selected_id == wanted and window.table.currentIndex().row() == 2


def test_table_view_keeps_the_selected_conversation(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    chosen = wait_open(qtbot, window, 3)
    window.table_view_action.trigger()
    assert window.table.isVisible() and not window.list.isVisible()
    assert window.selected_id == chosen and window.table.currentIndex().row() == 3
    assert opened(window) == chosen  # nothing reopened, the draft stays
    table_width = window.inbox_split.sizes()[0]
    window.table_view_action.trigger()
    assert window.list.isVisible() and window.selected_id == chosen
    assert window.list.selectionModel().isRowSelected(3)
    assert window.inbox_split.sizes()[0] < table_width  # the list is narrower than the table


def test_the_context_pane_collapses_and_stays_so_in_a_new_window(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo, desk_settings(demo))
    centre = window.inbox_split.sizes()[1]
    window.context_action.trigger()
    assert not window.context_action.isChecked()
    assert window.inbox_split.sizes()[2] == 0
    assert window.inbox_split.sizes()[1] > centre  # the conversation takes the room
    window.table_view_action.trigger()
    window.columns.choose(COL_CATEGORY, False)  # unticked in the header's menu
    assert window.close()
    stored = DeskSettings.for_url(demo.url)
    assert stored.get(options.CONTEXT_PANEL) is False and stored.get(options.TABLE_VIEW) is True
    assert stored.get(options.HIDDEN_COLUMNS) == (COL_CATEGORY,)

    again = open_window(qtbot, demo, desk_settings(demo))
    assert not again.context_action.isChecked() and again.inbox_split.sizes()[2] == 0
    assert again.table_view_action.isChecked() and again.table.isVisible()
    assert again.table.horizontalHeader().isSectionHidden(COL_CATEGORY)
    again.context_action.trigger()  # and back, from the same button
    assert again.inbox_split.sizes()[2] > 0


def test_dragging_the_context_shut_unticks_its_button(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    split = window.inbox_split
    split.moveSplitter(split.width(), 2)  # the handle dragged to the right edge
    qtbot.waitUntil(lambda: split.sizes()[2] == 0, timeout=WAIT_MS)
    assert not window.context_action.isChecked()


def test_findings_appearing_never_resize_the_window(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    composer = window.composer
    assert composer is not None
    wait_open(qtbot, window, 0)
    qtbot.waitUntil(lambda: composer.editor.isEnabled(), timeout=WAIT_MS)
    size = window.size()
    assert size == SCREEN
    with qtbot.waitSignal(composer.linted, timeout=WAIT_MS):
        composer.editor.setPlainText(
            "Постараемся ответить в ближайшее время, дорогой~ Напишите нам в WhatsApp или на "
            "+7 999 123-45-67, это очень-очень длинная строка без переносов " * 3
        )
    assert len(composer.findings) >= 3 and composer.findings_list.isVisible()
    QApplication.processEvents()  # let a resize the findings might ask for happen, if any
    assert window.size() == size
    assert window.minimumSizeHint().width() <= SCREEN.width()


@pytest.mark.parametrize("language", ["en", "zh_CN", "ru"])
def test_the_window_fits_1280_by_720_in_every_language(qtbot: Any, demo: Database, language: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font = app.font()
    try:
        set_language(language)
        if language == "zh_CN":
            cjk = QFont(font)
            cjk.setFamilies(["Noto Sans CJK SC", *font.families()])
            app.setFont(cjk)
        window = open_window(qtbot, demo)
        wait_open(qtbot, window, 0)
        composer = window.composer
        assert composer is not None
        qtbot.waitUntil(lambda: composer.editor.isEnabled(), timeout=WAIT_MS)
        with qtbot.waitSignal(composer.linted, timeout=WAIT_MS):
            composer.editor.setPlainText("Постараемся ответить в ближайшее время. Напишите в WhatsApp.")
        hint = window.minimumSizeHint()
        assert hint.width() <= SCREEN.width() and hint.height() <= SCREEN.height(), (language, hint)
        assert window.size() == SCREEN
    finally:
        app.setFont(font)
        set_language("en")


def test_initials() -> None:
    assert initials("Иван Петров") == "ИП"
    assert initials("wang fang") == "WF"
    assert initials("王芳") == "王"
    assert initials("Анна") == "А"
    assert initials("  ") == ""


def test_the_first_window_fits_the_screen_it_opens_on(qapp: Any) -> None:
    area = QApplication.primaryScreen().availableGeometry()
    assert (area.width(), area.height()) == (800, 800)  # Qt's offscreen screen
    assert default_size() == (800, 800)  # 1440 × 900 where there is room


def test_hovering_a_countdown_chip_explains_the_deadline(
    qtbot: Any, demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, demo)
    model, view = window.model, window.list
    index = model.index(0, view.modelColumn())
    qtbot.waitUntil(lambda: model.row_at(0) is not None, timeout=WAIT_MS)
    due = model.index(0, COL_DUE)
    # The chip holds the time; the deadline's name is drawn on line two (a long Russian name
    # beside the chip left the buyer's name two letters).
    left, label = due.data(DUE_PARTS_ROLE)
    assert due.data() == f"{left} · {label}" and label in ("Next reply due", "Resolve by", "Reply window closes")
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    delegate = view.itemDelegate()
    assert isinstance(delegate, ConversationDelegate)
    chip = delegate._chip_rect(option, left)
    shown: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *_args: shown.append(text))
    for point in (chip.center(), option.rect.topLeft() + QPoint(40, 8)):
        event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
        assert delegate.helpEvent(event, view, option, index)
    assert shown[0] == due.data(Qt.ItemDataRole.ToolTipRole) and shown[0]
    assert shown[1].startswith(model.index(0, COL_KIND).data() + " · " + model.index(0, COL_TITLE).data())


def test_j_and_k_move_through_the_compact_list(qtbot: Any, demo: Database) -> None:
    window = open_window(qtbot, demo)
    qtbot.waitUntil(lambda: window.selected_id is not None, timeout=WAIT_MS)
    first = window.selected_id
    qtbot.keyClick(window.list, Qt.Key.Key_J)
    assert window.table.currentIndex().row() == 1
    assert window.list.selectionModel().isRowSelected(1)
    qtbot.keyClick(window.list, Qt.Key.Key_K)
    assert window.selected_id == first

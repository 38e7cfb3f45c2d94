"""Changes, not reloads: the inbox refreshes touched rows in place and keeps its place.

Every wait is on a signal or a condition (8 s and more: the machine is shared); nothing
asserted is true only for a moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView
from sqlalchemy import select, update

from ozondesk.services.changes import OpChanges, conversation_changed
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.inbox_model import COL_TITLE, COL_UNREAD, PAGE, InboxModel
from ozondesk.ui.inbox_refresh import InboxRefresher
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WAIT = 10_000


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(str(tmp_path / "refresh.sqlite"))
    generate(db, size=650, now=NOW)
    yield db
    db.dispose()


class Desk:
    """The inbox list as the window has it: model, table and refresher, no window around."""

    def __init__(self, qtbot: Any, db: Database, flt: InboxFilter) -> None:
        self.db = db
        self.runner = TaskRunner()
        with db.begin() as session:
            policies = current_policies(session)
        self.model = InboxModel(InboxService(db), self.runner, policies)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.resize(900, 400)
        qtbot.addWidget(self.table)
        self.table.show()
        self.kept_open: list[int] = []
        self.refresher = InboxRefresher(self.model, [self.table], self.kept_open.append)
        with qtbot.waitSignal(self.model.loaded, timeout=WAIT):
            self.model.reload(flt)
        self.resets: list[int] = []
        self.layouts: list[int] = []
        self.model.modelReset.connect(lambda: self.resets.append(1))
        self.model.layoutChanged.connect(lambda *_a: self.layouts.append(1))

    def id_at(self, row: int) -> int:
        return int(self.model.data(self.model.index(row, 0), Qt.ItemDataRole.UserRole))

    def ids(self) -> list[int]:
        return [self.id_at(r) for r in range(self.model.rowCount())]

    @property
    def selected(self) -> int | None:
        current = self.table.currentIndex()
        return self.id_at(current.row()) if current.isValid() else None

    @property
    def top(self) -> int:
        return self.id_at(self.table.rowAt(0))

    def place(self, qtbot: Any, selected_row: int, top_row: int) -> None:
        """Select a row and scroll another to the top, with their page loaded."""
        self.table.selectRow(selected_row)
        self.table.scrollTo(self.model.index(top_row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        qtbot.waitUntil(lambda: self.table.rowAt(0) == top_row, timeout=WAIT)
        qtbot.waitUntil(lambda: self.model.row_at(top_row) is not None, timeout=WAIT)

    def write(self, conversation_id: int, **values: Any) -> None:
        with self.db.begin() as session:
            session.execute(update(Conversation).where(Conversation.id == conversation_id).values(**values))

    def close(self) -> None:
        self.runner.shutdown()


def test_a_touched_row_is_read_again_in_place(qtbot: Any, demo_db: Database) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())
    desk.place(qtbot, selected_row=5, top_row=30)
    selected, top = desk.selected, desk.top
    target = desk.id_at(31)
    desk.write(target, buyer_name="Новое имя")
    with qtbot.waitSignal(desk.model.dataChanged, timeout=WAIT,
                          check_params_cb=lambda first, last, *_r: first.row() == last.row() == 31):
        desk.refresher.apply(conversation_changed(target, membership=False))
    assert desk.model.data(desk.model.index(31, COL_TITLE)) == "Новое имя"
    assert (desk.selected, desk.top, desk.resets, desk.layouts) == (selected, top, [], [])
    desk.close()


def test_unchanged_ids_mean_no_reset_and_no_layout_change(qtbot: Any, demo_db: Database) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())  # most urgent first: unread counts don't move rows
    desk.place(qtbot, selected_row=3, top_row=20)
    before, selected = desk.ids(), desk.selected
    target = desk.id_at(22)
    desk.write(target, unread_count=42)
    with qtbot.waitSignal(desk.model.relisted, timeout=WAIT) as got:
        desk.refresher.apply(conversation_changed(target))  # ids asked for again: they may move
    assert got.args == [len(before)]
    assert desk.model.data(desk.model.index(22, COL_UNREAD)) == "42"
    assert desk.ids() == before
    assert (desk.selected, desk.resets, desk.layouts) == (selected, [], [])
    desk.close()


def test_a_new_conversation_above_keeps_the_selected_one_and_the_top_row(
    qtbot: Any, qtmodeltester: Any, demo_db: Database
) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())
    desk.place(qtbot, selected_row=8, top_row=30)
    before, selected, top = desk.ids(), desk.selected, desk.top
    with demo_db.begin() as session:
        template = session.get(Conversation, before[0])
        assert template is not None
        urgent = Conversation(
            shop_id=template.shop_id, kind="buyer_chat", platform_id="new-one", buyer_name="Срочный",
            sla_policy="chat-first-response", status="open", received_at=template.received_at,
            last_message_at=template.received_at, last_message_preview="?",
            due_at=(NOW - timedelta(days=30)).replace(tzinfo=None),  # breached long ago: first
        )
        session.add(urgent)
        session.flush()
        new_id = urgent.id
    with qtbot.waitSignal(desk.model.relisted, timeout=WAIT):
        desk.refresher.apply(OpChanges(conversations=frozenset({new_id}), membership=True))
    assert desk.ids() == [new_id, *before]
    assert desk.selected == selected and desk.table.currentIndex().row() == 9
    assert desk.top == top and desk.table.rowAt(0) == 31  # the agent's place did not move
    assert desk.resets == [] and desk.layouts == [1]
    row = desk.model.row_at(0)  # read in the same task as the ids: no placeholder flashed
    assert row is not None and row.title == "Срочный"
    qtmodeltester.check(desk.model, force_py=True)
    desk.close()


def test_the_open_conversation_leaving_the_listing_stays_open(qtbot: Any, demo_db: Database) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())  # open ones only
    desk.place(qtbot, selected_row=4, top_row=0)
    before, selected = desk.ids(), desk.selected
    assert selected is not None
    desk.write(selected, status="resolved")
    with qtbot.waitSignal(desk.model.relisted, timeout=WAIT):
        desk.refresher.apply(conversation_changed(selected))
    assert desk.ids() == [i for i in before if i != selected]
    assert desk.kept_open == [selected]  # the window keeps its thread on screen
    assert desk.selected != selected and desk.resets == []
    desk.close()


def test_a_search_paints_its_first_screen_before_the_whole_listing(qtbot: Any, demo_db: Database) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())
    flt = InboxFilter(statuses=(), query="Здравствуйте")
    listing = list(InboxService(demo_db).ids(flt, InboxSort("match")))
    assert len(listing) > PAGE  # more than one screen, so the rest comes later
    events: list[tuple[str, int, Any]] = []
    desk.model.first_screen.connect(lambda n: events.append(("first", n, desk.model.row_at(0))))
    desk.model.loaded.connect(lambda n: events.append(("whole", n, desk.model.row_at(0))))
    desk.model.reload(flt)
    qtbot.waitUntil(lambda: len(events) == 2, timeout=WAIT)
    (first, shown, row), (whole, total, same) = events
    assert (first, shown, whole, total) == ("first", PAGE, "whole", len(listing))
    # Its rows came with it (no second trip for the page), newest match first.
    assert row is not None and row.id == listing[0] and same == row
    assert "【здравствуйте】" in (row.snippet or "").lower()
    assert desk.ids() == listing  # first screen + the rest == the whole result, in order
    assert len(desk.resets) == 1  # the new search's own reset; the rest was appended
    desk.close()


def test_a_header_sort_during_a_search_lists_the_whole_result_in_that_order(qtbot: Any, demo_db: Database) -> None:
    desk = Desk(qtbot, demo_db, InboxFilter())
    desk.model.order = InboxSort("title")
    flt = InboxFilter(statuses=(), query="Здравствуйте")
    with qtbot.assertNotEmitted(desk.model.first_screen, wait=0):
        with qtbot.waitSignal(desk.model.loaded, timeout=WAIT):
            desk.model.reload(flt)
    assert desk.ids() == list(InboxService(demo_db).ids(flt, InboxSort("title")))
    desk.close()


def test_changes_from_live_events_and_writes() -> None:
    from ozondesk.services.changes import EVERYTHING, NOTHING, from_events
    from ozondesk.store.notify import ChangeEvent

    got = from_events([ChangeEvent("message", 7), ChangeEvent("claim", 9), ChangeEvent("message", 7)])
    assert got == OpChanges(conversations=frozenset({7, 9}), membership=True)
    assert from_events([ChangeEvent("claim", 9)]) == OpChanges(conversations=frozenset({9}))
    assert from_events([ChangeEvent("presence", agent_id=1)]) == OpChanges(presence=True)
    assert from_events([ChangeEvent("message", 1), ChangeEvent("resync")]) == EVERYTHING
    assert from_events([]) == NOTHING and NOTHING.empty and not NOTHING.inbox
    assert conversation_changed(3) | OpChanges(templates=True) == OpChanges(
        conversations=frozenset({3}), membership=True, templates=True
    )


def test_a_sync_round_and_a_queued_reply_say_what_they_changed(demo_db: Database) -> None:
    from ozondesk.services.compose import ComposeService
    from ozondesk.ui.sync_worker import SyncRound

    assert SyncRound("sync").changes.empty
    assert SyncRound("sync", created=3).changes == OpChanges(membership=True, every_conversation=True)
    with demo_db.read() as session:
        chat = session.scalars(
            select(Conversation.id).where(Conversation.kind == "buyer_chat", Conversation.status == "open")
            .order_by(Conversation.id)
        ).first()
    assert chat is not None
    with demo_db.read() as session:
        last = session.scalar(select(Conversation.last_message_at).where(Conversation.id == chat))
    assert last is not None
    when = last.replace(tzinfo=UTC) + timedelta(minutes=5)  # inside the reply window
    compose = ComposeService(demo_db, clock=lambda: when)
    outcome = compose.send(chat, "Здравствуйте! Ответим до 18:00 МСК.", None, seen_incoming_id=10**9)
    assert outcome.queued is not None and outcome.changes == conversation_changed(chat)


class FlakyInbox(InboxService):
    """Rows fail to load while ``failing``: a database gone busy, say (a known error)."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.failing = True
        self.calls = 0

    def rows(self, ids: Any, query: str = "") -> Any:
        self.calls += 1
        if self.failing:
            from ozondesk.errors import UserError

            raise UserError("The database is busy: try again in a moment")
        return super().rows(ids, query)


def test_a_failed_page_backs_off_shows_a_retry_row_and_retries_on_click_and_enter(
    qtbot: Any, demo_db: Database
) -> None:
    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.presence import PresenceService
    from ozondesk.ui.inbox_model import COL_PREVIEW, RETRY_ROLE
    from ozondesk.ui.main_window import MainWindow

    with demo_db.begin() as session:
        policies = current_policies(session)
    inbox = FlakyInbox(demo_db)
    window = MainWindow(inbox, PresenceService(demo_db), policies, "test", ConversationService(demo_db))
    qtbot.addWidget(window)
    model = window.model
    clock = [1000.0]
    model.clock = lambda: clock[0]
    window.show()
    window.start()
    qtbot.waitUntil(lambda: model.failed_at(0) is not None and window.runner.pending == 0, timeout=WAIT)
    assert inbox.calls == 1
    first = model.index(0, COL_TITLE)
    assert model.data(first) == "Not loaded"
    assert model.data(model.index(0, COL_PREVIEW)) == "Click or press Enter to try again"
    assert model.data(first, RETRY_ROLE) is True
    assert model.data(first, Qt.ItemDataRole.ToolTipRole) == "The database is busy: try again in a moment"

    def settled() -> None:
        """Paint every row of the page and tick the clock, then let the worker go quiet."""
        for _ in range(3):
            for row in range(min(PAGE, model.rowCount())):
                model.data(model.index(row, COL_TITLE))
            window.tick()
        window.table.viewport().repaint()
        qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT)

    settled()
    assert inbox.calls == 1  # painting and the one-second tick don't ask again
    clock[0] += 1.9
    settled()
    assert inbox.calls == 1
    clock[0] += 0.2  # the first back-off (2 s) is over: the next paint asks once
    settled()
    assert inbox.calls == 2 and model.failed_at(0) is not None
    clock[0] += 3.9  # the second back-off is 4 s
    settled()
    assert inbox.calls == 2

    # A click on the retry row asks at once (still failing: a third call, a longer back-off),
    # in the compact list the window opens on.
    shown = window.panes.current_view()
    assert shown is window.list
    rect = shown.visualRect(model.index(0, COL_TITLE))
    qtbot.mouseClick(shown.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: inbox.calls == 3 and window.runner.pending == 0, timeout=WAIT)
    assert model.failed_at(0) is not None
    settled()
    assert inbox.calls == 3

    # Enter on it asks at once too, in the table view as well; this time the rows come.
    inbox.failing = False
    window.table_view_action.setChecked(True)
    assert window.panes.current_view() is window.table
    window.table.setFocus()
    window.table.setCurrentIndex(model.index(0, COL_PREVIEW))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.failed_at(0) is None and model.row_at(0) is not None, timeout=WAIT)
    assert model.data(first) != "Not loaded" and model.data(first, RETRY_ROLE) is None
    window.close()


def test_the_window_refreshes_in_place_in_the_compact_list(qtbot: Any, demo_db: Database) -> None:
    """Through the window, as a live event or a write reaches it: the list the agent sees keeps
    its selected conversation and its top row when a new one enters above."""
    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.presence import PresenceService
    from ozondesk.ui.main_window import MainWindow

    with demo_db.begin() as session:
        policies = current_policies(session)
    window = MainWindow(InboxService(demo_db), PresenceService(demo_db), policies, "test",
                        ConversationService(demo_db))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    with qtbot.waitSignal(window.model.loaded, timeout=WAIT):
        window.start()
    model, shown = window.model, window.panes.current_view()
    assert shown is window.list
    window.table.selectRow(12)
    shown.scrollTo(model.index(10, COL_TITLE), QAbstractItemView.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: window.refresher.top_row() == 10 and model.row_at(12) is not None, timeout=WAIT)
    selected = window.selected_id
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == selected, timeout=WAIT)
    top = int(model.data(model.index(10, 0), Qt.ItemDataRole.UserRole))
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with demo_db.begin() as session:
        template = session.get(Conversation, top)
        assert template is not None
        urgent = Conversation(
            shop_id=template.shop_id, kind="buyer_chat", platform_id="urgent", buyer_name="Срочный",
            sla_policy="chat-first-response", status="open", received_at=template.received_at,
            last_message_at=template.received_at, last_message_preview="?",
            due_at=(NOW - timedelta(days=30)).replace(tzinfo=None),
        )
        session.add(urgent)
        session.flush()
        new_id = urgent.id
    with qtbot.waitSignal(model.relisted, timeout=WAIT):
        window.apply_changes(conversation_changed(new_id))
    assert window.selected_id == selected and window.table.currentIndex().row() == 13
    assert window.refresher.top_row() == 11  # the same conversation on top
    assert int(model.data(model.index(11, 0), Qt.ItemDataRole.UserRole)) == top
    assert resets == [] and window.view.detail is not None and window.view.detail.id == selected
    window.close()

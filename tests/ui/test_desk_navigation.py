"""Workspaces, the keyboard help, the deadline explanation, opening by id, due-soon notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select, update

from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxService
from ozondesk.services.notifications import DueSoonService
from ozondesk.services.preferences import desk_agent
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.due_notifier import DueNotifier
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.tasks import TaskRunner
from tests.ui.test_workspace import make_window

NOW = datetime.now(UTC)


def demo_db(tmp_path: Path, size: int = 30) -> Database:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=size, now=NOW)
    return db


class Page(QLabel):
    def __init__(self) -> None:
        super().__init__("page")
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_workspaces_switch_by_shortcut_and_refresh_when_shown(qtbot: Any, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    window = make_window(qtbot, db)
    page = Page()
    action = window.add_workspace("dashboard", "Dashboard", page)
    assert action.shortcut() == QKeySequence("Ctrl+2")
    action.trigger()
    assert window.pages.currentWidget() is page and page.refreshed == 1
    assert window.workspaces.current == "dashboard"
    assert window.show_workspace("inbox")
    assert window.workspaces.current == "inbox" and window.inbox_action.isChecked()
    # A workspace this desk's role does not have is refused, and nothing changes.
    assert not window.show_workspace("drills")
    assert window.workspaces.current == "inbox"
    window.close()
    db.dispose()


def _tokens(keys: str) -> set[str]:
    out = set()
    arrows = {"↓": "Down", "↑": "Up"}
    for part in keys.split(" / "):
        text = QKeySequence(arrows.get(part, part)).toString()
        out.add("Return" if text == "Enter" else text)
    return out


def test_the_help_lists_every_shortcut_of_the_window(qtbot: Any, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    window = make_window(qtbot, db)
    window.add_workspace("drills", "Drills", QWidget())
    listed: set[str] = set()
    for keys, _does in window.shortcut_entries():
        listed |= _tokens(keys)
    bound = {s.key().toString() for s in window.findChildren(QShortcut)}
    bound |= {a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    bound = {"Return" if k == "Enter" else k for k in bound}
    assert bound - listed == set()
    assert "Ctrl+2" in listed  # the drills workspace added above
    help_dialog = window.show_shortcuts()
    assert help_dialog.isVisible() and len(help_dialog.keys()) == len(window.shortcut_entries())
    help_dialog.close()
    window.close()
    db.dispose()


def test_ctrl_e_explains_the_open_conversations_deadline(qtbot: Any, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    window = make_window(qtbot, db)
    dialog = window.explain_deadline()
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert window.view.detail is not None and window.view.detail.title in text
    assert "Policy:" in text
    if window.view.detail.timeline:
        assert "How the first-response deadline was counted" in text
    dialog.close()
    window.close()
    db.dispose()


def test_open_conversation_by_id_outside_the_current_view(qtbot: Any, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    window = make_window(qtbot, db)
    with db.begin() as session:
        last = session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
    first_shown = window.view.detail.id if window.view.detail else None
    target = last if last != first_shown else last - 1
    window.open_conversation(target)
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == target, timeout=5000)
    assert window.shown_id == target
    window.close()
    db.dispose()


def test_due_soon_is_announced_once_per_conversation(qtbot: Any, tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    agent = desk_agent(db)
    assert agent is not None
    with db.begin() as session:
        # Nothing else due soon, then one conversation of this agent due in 3 minutes.
        session.execute(update(Conversation).values(sla_due=None))
        # A buyer conversation: the seller's own tickets are Ozon's deadlines, never announced.
        cid = session.scalar(select(Conversation.id).where(Conversation.kind == "buyer_chat").order_by(Conversation.id))
        session.execute(
            update(Conversation).where(Conversation.id == cid).values(
                status="open", assignee_id=agent.id,
                sla_due=(NOW + timedelta(minutes=3)).replace(tzinfo=None),
            )
        )
    runner = TaskRunner()
    clock = [NOW]
    notifier = DueNotifier(DueSoonService(db), runner, agent.id, clock=lambda: clock[0])
    with qtbot.waitSignal(notifier.notified, timeout=5000) as blocker:
        notifier.check()
    assert [d.conversation_id for d in blocker.args[0]] == [cid]
    # Announced once: the next check finds it again but stays quiet.
    with qtbot.assertNotEmitted(notifier.notified, wait=300):
        notifier.check()
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    # Past its deadline it is no longer "due soon"; it is forgotten.
    clock[0] = NOW + timedelta(minutes=10)
    notifier.check()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    assert notifier._announced == set()
    runner.shutdown()
    db.dispose()


def test_the_due_soon_query_keeps_to_this_agent_and_unassigned(tmp_path: Path) -> None:
    db = demo_db(tmp_path)
    agent = desk_agent(db)
    assert agent is not None
    due = (NOW + timedelta(minutes=2)).replace(tzinfo=None)
    with db.begin() as session:
        session.execute(update(Conversation).values(sla_due=None))
        ids = list(session.scalars(select(Conversation.id).where(Conversation.kind == "buyer_chat")
                                   .order_by(Conversation.id).limit(4)))
        for cid, assignee, status in zip(
            ids, [agent.id, None, agent.id + 1, agent.id], ["open", "open", "open", "resolved"], strict=True
        ):
            session.execute(update(Conversation).where(Conversation.id == cid).values(
                sla_due=due, assignee_id=assignee, status=status))
    found = DueSoonService(db).due_soon(agent.id, NOW)
    assert [d.conversation_id for d in found] == ids[:2]
    assert DueSoonService(db, minutes=1).due_soon(agent.id, NOW) == []
    db.dispose()


def test_work_as_hands_the_desk_to_a_colleague(qtbot: Any, tmp_path: Path) -> None:
    from ozondesk.services.preferences import desk_agents

    db = demo_db(tmp_path)
    with db.begin() as session:
        policies = current_policies(session)
    colleagues = desk_agents(db)
    assert {c.role for c in colleagues} == {"agent", "lead", "trainer"}
    me = desk_agent(db)
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        agent=me, colleagues=colleagues,
    )
    qtbot.addWidget(window)
    window.show()
    entries = [a for a in window.work_as_menu.actions()]
    assert len(entries) == len(colleagues)
    assert window.work_as_menu.menuAction().isVisible()  # a shared single desk keeps "Work as"
    mine = [a for a in entries if a.isChecked()]
    assert len(mine) == 1 and not mine[0].isEnabled()  # the current agent is ticked, not choosable
    lead = next(c for c in colleagues if c.role == "lead")
    next(a for a in entries if lead.name in a.text()).trigger()
    assert window.switch_to == lead.login and not window.isVisible()
    db.dispose()


def test_a_header_click_sorts_and_keeps_the_open_conversation(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    from ozondesk.ui.inbox_model import COL_TITLE

    # 150: a well-run demo desk (#17) keeps few conversations open, and ten rows are read below.
    db = demo_db(tmp_path, size=150)
    window = make_window(qtbot, db)
    window._move(5)
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == window.selected_id,
                    timeout=5000)
    chosen = window.selected_id
    with qtbot.waitSignal(window.model.loaded, timeout=5000):
        window.table.sortByColumn(COL_TITLE, Qt.SortOrder.AscendingOrder)
    assert window.model.sort_column() == (COL_TITLE, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: window.selected_id == chosen, timeout=5000)
    qtbot.waitUntil(lambda: all(window.model.data(window.model.index(r, COL_TITLE)) for r in range(10)),
                    timeout=5000)
    titles = [str(window.model.data(window.model.index(r, COL_TITLE))) for r in range(10)]
    assert titles == sorted(titles)  # SQLite's binary collation: code point order
    window.close()
    db.dispose()

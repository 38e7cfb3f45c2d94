"""The presence panel: status changes, auto-away, offline on quit with a confirmation, the warning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt

from ozondesk.domain.clock import MOSCOW
from ozondesk.services.conversation import ConversationService
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import desk_agent
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop
from ozondesk.store.repos import presence as repo
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.presence_panel import PresencePanel
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def ticking(start: datetime) -> Callable[[], datetime]:
    """A clock that moves one second per reading, so successive events have distinct times."""
    state = {"now": start}

    def clock() -> datetime:
        state["now"] += timedelta(seconds=1)
        return state["now"]

    return clock


def add_agents(db: Database) -> dict[str, int]:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        wang = Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent")
        li = Agent(shop_id=shop.id, login="li.wei", display_name="李伟", role="agent")
        session.add_all([wang, li])
        session.flush()
        return {"wang": wang.id, "li": li.id}


def statuses(db: Database, login: str) -> list[str]:
    with db.begin() as session:
        found = repo.events_between(session, msk(1, 0), msk(30, 0))
    return [e.status for e in found if e.agent == login]


def make_panel(qtbot: Any, db: Database, clock: Callable[[], datetime], idle_ms: int | None = None) -> PresencePanel:
    runner = TaskRunner()
    panel = PresencePanel(DeskPresenceService(db), runner, desk_agent(db), idle_ms=idle_ms, clock=clock)
    qtbot.addWidget(panel)
    panel.confirm = lambda _parent, _text: True
    panel.show()
    return panel


def test_start_goes_online_and_picking_a_status_records_it(qtbot: Any, db: Database) -> None:
    add_agents(db)
    panel = make_panel(qtbot, db, ticking(msk(20, 10)))
    with qtbot.waitSignal(panel.status_changed, timeout=5000):
        panel.start()
    assert statuses(db, "wang.fang") == ["online"]
    with qtbot.waitSignal(panel.status_changed, timeout=5000) as blocker:
        panel.status_box.activated.emit(panel.status_box.findData("away"))
    assert blocker.args == ["away"]
    assert statuses(db, "wang.fang") == ["online", "away"]
    assert "王芳" in panel.who.text()
    panel.stop()
    panel.runner.shutdown()


def test_auto_away_after_idle_and_back_on_input(qtbot: Any, db: Database) -> None:
    add_agents(db)
    panel = make_panel(qtbot, db, ticking(msk(20, 10)), idle_ms=150)
    panel.start()
    qtbot.waitUntil(lambda: statuses(db, "wang.fang") == ["online", "away"], timeout=5000)
    assert panel.auto_away
    qtbot.keyClick(panel.status_box, Qt.Key.Key_Shift)
    qtbot.waitUntil(lambda: statuses(db, "wang.fang") == ["online", "away", "online"], timeout=5000)
    assert not panel.auto_away
    # A manual away stays away when the agent, idle again, touches the keyboard.
    panel.status_box.activated.emit(panel.status_box.findData("away"))
    qtbot.waitUntil(lambda: statuses(db, "wang.fang")[-1] == "away", timeout=5000)
    qtbot.waitUntil(lambda: panel.idle.is_idle, timeout=5000)
    with qtbot.waitSignal(panel.idle.active, timeout=1000):  # the panel saw the agent come back
        qtbot.keyClick(panel.status_box, Qt.Key.Key_Shift)
    qtbot.waitUntil(lambda: panel.runner.pending == 0, timeout=5000)
    assert statuses(db, "wang.fang") == ["online", "away", "online", "away"]
    assert not panel.auto_away
    panel.stop()
    panel.runner.shutdown()


def test_a_stored_status_never_undoes_a_later_choice_on_screen(qtbot: Any, db: Database) -> None:
    add_agents(db)
    panel = make_panel(qtbot, db, ticking(msk(20, 10)), idle_ms=60_000)
    panel.start()
    qtbot.waitUntil(lambda: panel.runner.pending == 0 and panel.status == "online", timeout=5000)
    shown: list[str | None] = []
    panel.snapshot_shown.connect(lambda _snapshot: shown.append(panel.status))
    panel.set_status("away")
    panel.set_status("online")  # chosen before the first choice was stored
    qtbot.waitUntil(lambda: panel.runner.pending == 0, timeout=5000)
    # The first snapshot (away stored) arrives after online was chosen: online stays.
    assert shown == ["online", "online"]
    assert panel.status_box.currentData() == "online"
    assert statuses(db, "wang.fang") == ["online", "away", "online"]
    panel.stop()
    panel.runner.shutdown()


def test_the_panel_warns_after_a_breach_yesterday(qtbot: Any, db: Database) -> None:
    ids = add_agents(db)
    with db.begin() as session:
        repo.record(session, ids["li"], "offline", msk(19, 8))  # the records begin before the window
        repo.record(session, ids["li"], "online", msk(19, 9, 45))  # 45 offline minutes yesterday
    panel = make_panel(qtbot, db, ticking(msk(20, 10)))
    with qtbot.waitSignal(panel.snapshot_shown, timeout=5000):
        panel.start()
    assert not panel.warning.isHidden()
    assert "At risk" in panel.warning.text()
    assert "c62828" in panel.warning.styleSheet()
    assert "yesterday 45 min" in panel.numbers.text()
    assert "today 0 min" in panel.numbers.text() and "30 min left" in panel.numbers.text()
    panel.stop()
    panel.runner.shutdown()


def test_without_a_desk_agent_only_the_shop_state_is_shown(qtbot: Any, db: Database) -> None:
    panel = make_panel(qtbot, db, ticking(msk(20, 10)))
    assert panel.agent is None and not panel.status_box.isEnabled()
    assert "No agent" in panel.status_box.toolTip()
    with qtbot.waitSignal(panel.snapshot_shown, timeout=5000):
        panel.start()
    assert "nobody" in panel.who.text()
    panel.final_offline()  # nothing to record
    panel.runner.shutdown()


def make_window(qtbot: Any, db: Database, now: datetime, sync: bool = False) -> MainWindow:
    with db.begin() as session:
        policies = current_policies(session)
    runner = TaskRunner()
    controller = SyncController(db, CredentialStore(db), runner) if sync else None
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        sync=controller, runner=runner, agent=desk_agent(db), desk_presence=DeskPresenceService(db),
    )
    qtbot.addWidget(window)
    panel = window.presence_panel
    assert panel is not None
    panel.clock = ticking(now)
    window.show()
    with qtbot.waitSignal(panel.snapshot_shown, timeout=5000):
        window.start()
    return window


def test_alone_inside_the_window_closing_asks_with_the_minutes_left(qtbot: Any, db: Database) -> None:
    add_agents(db)
    with db.begin() as session:
        repo.record(session, desk_agent(db).id, "offline", msk(20, 8))  # type: ignore[union-attr]
        repo.record(session, desk_agent(db).id, "online", msk(20, 9, 10))  # type: ignore[union-attr]
    window = make_window(qtbot, db, msk(20, 12))
    panel = window.presence_panel
    assert panel is not None
    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    window.close()
    assert len(asked) == 1 and "20 minutes" in asked[0]
    assert window.isVisible() and statuses(db, "wang.fang") == ["offline", "online"]
    panel.confirm = lambda _parent, text: asked.append(text) or True
    window.close()
    assert not window.isVisible()
    assert statuses(db, "wang.fang") == ["offline", "online", "offline"]


def test_ctrl_q_quits_through_the_same_coverage_question(qtbot: Any, db: Database) -> None:
    add_agents(db)
    with db.begin() as session:
        repo.record(session, desk_agent(db).id, "online", msk(20, 9, 10))  # type: ignore[union-attr]
    window = make_window(qtbot, db, msk(20, 12))
    panel = window.presence_panel
    assert panel is not None
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.quit_action in window.actions()  # works with the menu bar hidden too
    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1 and window.isVisible()
    panel.confirm = lambda _parent, text: asked.append(text) or True
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 2 and not window.isVisible()


def test_no_question_when_someone_else_is_online(qtbot: Any, db: Database) -> None:
    ids = add_agents(db)
    with db.begin() as session:
        repo.record(session, ids["li"], "online", msk(20, 9))
    window = make_window(qtbot, db, msk(20, 12))
    panel = window.presence_panel
    assert panel is not None
    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    window.close()
    assert asked == [] and not window.isVisible()
    assert statuses(db, "wang.fang") == ["online", "offline"]


def test_no_question_outside_the_window(qtbot: Any, db: Database) -> None:
    add_agents(db)
    window = make_window(qtbot, db, msk(20, 23, 30))
    panel = window.presence_panel
    assert panel is not None
    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    window.close()
    assert asked == [] and statuses(db, "wang.fang") == ["online", "offline"]


def test_going_offline_stops_polling_and_asks_when_alone(qtbot: Any, db: Database) -> None:
    add_agents(db)
    window = make_window(qtbot, db, msk(20, 12), sync=True)
    panel = window.presence_panel
    assert panel is not None and window.sync is not None
    assert window.sync.online
    asked: list[str] = []
    panel.confirm = lambda _parent, text: asked.append(text) or False
    panel.status_box.activated.emit(panel.status_box.findData("offline"))
    assert len(asked) == 1 and panel.status_box.currentData() == "online"
    panel.confirm = lambda _parent, text: asked.append(text) or True
    with qtbot.waitSignal(panel.status_changed, timeout=5000):
        panel.status_box.activated.emit(panel.status_box.findData("offline"))
    assert not window.sync.online and not window.online_action.isChecked()
    with qtbot.waitSignal(panel.status_changed, timeout=5000):
        panel.status_box.activated.emit(panel.status_box.findData("away"))
    assert window.sync.online
    window.close()
    assert statuses(db, "wang.fang") == ["online", "offline", "away", "offline"]


def test_auto_away_minutes_are_this_desks(qtbot: Any, db: Database, tmp_path: Any, monkeypatch: Any) -> None:
    """The spin box shows and stores the desk option; another desk on the database keeps its own."""
    from ozondesk.settings import options
    from ozondesk.settings.desk import DeskSettings

    add_agents(db)
    DeskPresenceService(db).set_idle_minutes(7)
    panel = make_panel(qtbot, db, ticking(msk(20, 10)))
    assert (panel.idle_spin.minimum(), panel.idle_spin.maximum()) == (1, 240)
    with qtbot.waitSignal(panel.status_changed, timeout=5000):
        panel.start()
    assert panel.idle_spin.value() == 7 and panel.idle.timer.interval() == 7 * 60_000
    panel.idle_spin.setValue(12)
    qtbot.waitUntil(lambda: DeskSettings.for_url(db.url).get(options.AUTO_AWAY_MINUTES) == 12, timeout=5000)
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "other-desk"))
    assert DeskPresenceService(db).idle_minutes() == 10
    panel.final_offline()


def test_a_brand_new_database_shows_no_record_not_offline_minutes(qtbot: Any, db: Database) -> None:
    """Day one: before the desk's first record nothing is known; no "840 min", no "At risk"."""
    add_agents(db)
    panel = make_panel(qtbot, db, ticking(msk(20, 14)))
    with qtbot.waitSignal(panel.snapshot_shown, timeout=5000):
        panel.start()
    assert statuses(db, "wang.fang") == ["online"]
    assert panel.numbers.text() == "Shop offline today 0 min · yesterday no record · 30 min left today"
    assert panel.warning.isHidden()
    assert "The first presence record is from 20.11 14:00 MSK" in panel.numbers.toolTip()
    assert panel.snapshot is not None and panel.snapshot.summary.status == "ok"
    panel.stop()
    panel.runner.shutdown()


def test_without_any_record_both_days_say_so(qtbot: Any, db: Database) -> None:
    from ozondesk.ui.presence_label import PresenceLabel

    panel = make_panel(qtbot, db, ticking(msk(20, 14)))  # no agent: nothing is recorded
    with qtbot.waitSignal(panel.snapshot_shown, timeout=5000) as shown:
        panel.start()
    assert panel.numbers.text() == "Shop offline today no record · yesterday no record · 30 min left today"
    assert "No presence record yet" in panel.numbers.toolTip() and panel.warning.isHidden()
    label = PresenceLabel()
    qtbot.addWidget(label)
    label.show_summary(shown.args[0].summary)
    assert label.text().startswith("No presence record yet · 30 offline min left today")
    panel.final_offline()
    panel.runner.shutdown()

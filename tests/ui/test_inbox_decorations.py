"""Kind and deadline-state icons, colours, bold unread rows and the countdown's explanation,
under a fake clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from sqlalchemy import delete, update

from ozondesk.domain import sla
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Shop
from ozondesk.ui.inbox_icons import (
    ICON_DIR,
    KIND_ICONS,
    STATE_COLORS,
    STATE_ICONS,
)
from ozondesk.ui.inbox_model import COL_DUE, COL_KIND, COL_TITLE, InboxModel
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 12:00 MSK
NIGHT = datetime(2026, 11, 23, 19, 55, tzinfo=UTC)  # Monday 22:55 MSK: five minutes before closing
FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # Friday 17:00 MSK: an hour before the weekend
CHAT = "chat-first-response"
KIND_FILES = {"buyer_chat": "kind-chat.svg", "buyer_ticket": "kind-ticket.svg", "ozon_ticket": "kind-ozon.svg",
              "account_manager": "kind-manager.svg"}

# name: (kind, status, policy, received, due, unread)
CASES: dict[str, tuple[str, str, str, datetime, datetime | None, int]] = {
    "ok": ("buyer_chat", "open", CHAT, NOW, NOW + timedelta(minutes=10), 1),
    "due-soon": ("buyer_chat", "open", CHAT, NOW - timedelta(minutes=13), NOW + timedelta(minutes=2), 0),
    "breached": ("ozon_ticket", "open", "ozon-ticket", NOW - timedelta(hours=5), NOW - timedelta(minutes=5), 2),
    "paused": ("buyer_ticket", "waiting_buyer", CHAT, NOW - timedelta(hours=1), None, 0),
    "answered": ("account_manager", "resolved", CHAT, NOW - timedelta(hours=3), None, 0),
    "night": ("buyer_chat", "open", CHAT, NIGHT, sla.deadline(DEFAULT_POLICIES[CHAT], NIGHT), 1),
    "weekend": ("ozon_ticket", "open", "ozon-ticket", FRIDAY,
                sla.deadline(DEFAULT_POLICIES["ozon-ticket"], FRIDAY), 0),
}


@pytest.fixture
def model(qtbot: Any, db: Database) -> Iterator[tuple[InboxModel, dict[str, int]]]:
    ids: dict[str, int] = {}
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=NOW.replace(tzinfo=None))
        s.add(shop)
        s.flush()
        for name, (kind, status, policy, received, _due, unread) in CASES.items():
            conv = Conversation(
                shop_id=shop.id, kind=kind, platform_id=name, buyer_name=name, status=status,
                sla_policy=policy, received_at=received.replace(tzinfo=None), unread_count=unread,
                last_message_at=received.replace(tzinfo=None),
            )
            s.add(conv)
            s.flush()
            ids[name] = conv.id
    with db.begin() as s:
        # Each case's running deadline set outright (a Core update the outcome hook leaves alone).
        for name, (_kind, _status, _policy, _received, due, _unread) in CASES.items():
            s.execute(update(Conversation).where(Conversation.id == ids[name]).values(
                sla_due=due.replace(tzinfo=None) if due else None))
    runner = TaskRunner()
    inbox = InboxModel(InboxService(db), runner, DEFAULT_POLICIES)
    inbox.now = NOW
    with qtbot.waitSignal(inbox.loaded, timeout=5000):
        inbox.reload(InboxFilter(statuses=(), now=NOW))
    qtbot.waitUntil(lambda: inbox.row_at(0) is not None, timeout=5000)
    yield inbox, ids
    runner.shutdown()


def drawn_from(icon: Any, file: str) -> bool:
    """The icon paints exactly what the SVG file paints (not merely some cached icon)."""
    expected = QIcon(str(ICON_DIR / file)).pixmap(16, 16).toImage()
    return isinstance(icon, QIcon) and icon.pixmap(16, 16).toImage() == expected


def cell(model: InboxModel, ids: dict[str, int], name: str, column: int, role: Qt.ItemDataRole) -> Any:
    return model.data(model.index(model.row_of(ids[name]), column), role)


def test_the_icon_files_load_from_the_resources_folder(qtbot: Any) -> None:
    for name in (*KIND_ICONS.values(), *STATE_ICONS.values()):
        assert (ICON_DIR / name).is_file()
        assert not QIcon(str(ICON_DIR / name)).pixmap(16, 16).isNull(), name


@pytest.mark.parametrize("state", ["ok", "due-soon", "breached", "paused", "answered"])
def test_each_state_has_its_icon_and_colour(model: Any, state: str) -> None:
    inbox, ids = model
    icon = cell(inbox, ids, state, COL_DUE, Qt.ItemDataRole.DecorationRole)
    assert drawn_from(icon, f"sla-{state}.svg")
    assert not drawn_from(icon, "sla-ok.svg" if state != "ok" else "sla-breached.svg")
    brush = cell(inbox, ids, state, COL_DUE, Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == STATE_COLORS[state]
    # Only the countdown column is coloured.
    assert cell(inbox, ids, state, COL_TITLE, Qt.ItemDataRole.ForegroundRole) is None


def test_kind_icons_and_bold_unread_rows(model: Any) -> None:
    inbox, ids = model
    for name in CASES:
        icon = cell(inbox, ids, name, COL_KIND, Qt.ItemDataRole.DecorationRole)
        assert drawn_from(icon, KIND_FILES[CASES[name][0]]), name
        font = cell(inbox, ids, name, COL_TITLE, Qt.ItemDataRole.FontRole)
        assert (font is not None and font.bold()) == (CASES[name][5] > 0), name


def test_the_clock_moves_states_without_a_reload(qtbot: Any, model: Any) -> None:
    inbox, ids = model
    with qtbot.assertNotEmitted(inbox.loaded), qtbot.waitSignal(inbox.dataChanged) as changed:
        inbox.tick(NOW + timedelta(minutes=9), 0, inbox.rowCount() - 1)
    top, bottom, roles = changed.args
    assert (top.column(), bottom.column()) == (COL_DUE, COL_DUE)
    assert Qt.ItemDataRole.DecorationRole in roles
    assert inbox.state(inbox.row_at(inbox.row_of(ids["ok"]))) == "due-soon"
    inbox.tick(NOW + timedelta(minutes=11), 0, 0)
    icon = cell(inbox, ids, "ok", COL_DUE, Qt.ItemDataRole.DecorationRole)
    assert drawn_from(icon, "sla-breached.svg")
    # Named (#17): the list says which deadline its countdown runs to.
    assert cell(inbox, ids, "ok", COL_DUE, Qt.ItemDataRole.DisplayRole) == "−1 min · Next reply due"


def test_the_tooltip_explains_a_deadline_across_the_night(model: Any) -> None:
    inbox, ids = model
    inbox.now = NIGHT + timedelta(minutes=1)
    text = cell(inbox, ids, "night", COL_DUE, Qt.ItemDataRole.ToolTipRole)
    label, *lines = text.splitlines()
    assert label == "Next reply due"
    assert lines[0] == "Working time left: 14 min"  # 4 minutes tonight, 10 tomorrow morning
    assert lines[1] == "Wall-clock time left: 10 h 14 min"
    assert lines[2].startswith("Deadline 24.11 09:10 MSK (your time ")
    assert "counted from 23.11 22:55 MSK" in lines[3]
    assert lines[4:] == [
        "23.11 22:55–23.11 23:00: counted",
        "23.11 23:00–24.11 09:00: closed hours",
        "24.11 09:00–24.11 09:10: counted",
    ]


def test_the_tooltip_explains_a_deadline_across_a_weekend(model: Any) -> None:
    inbox, ids = model
    inbox.now = FRIDAY + timedelta(minutes=30)
    text = cell(inbox, ids, "weekend", COL_DUE, Qt.ItemDataRole.ToolTipRole)
    assert "Working time left: 3 h 30 min" in text  # half an hour on Friday, three on Monday
    assert "Deadline 30.11 12:00 MSK" in text
    assert "28.11 00:00–30.11 00:00: weekend" in text
    assert text.splitlines()[-1] == "30.11 09:00–30.11 12:00: counted"


def test_tooltips_of_paused_and_answered_rows(model: Any) -> None:
    inbox, ids = model
    paused = cell(inbox, ids, "paused", COL_DUE, Qt.ItemDataRole.ToolTipRole)
    assert "waits until the buyer writes" in paused
    assert cell(inbox, ids, "answered", COL_DUE, Qt.ItemDataRole.ToolTipRole) is None
    assert cell(inbox, ids, "breached", COL_KIND, Qt.ItemDataRole.ToolTipRole) == "Ozon support"


def test_a_conversation_deleted_after_the_listing_shows_as_gone(qtbot: Any, model: Any, db: Database) -> None:
    inbox, ids = model
    # Hold the worker after the listing, so the first page is read only after the delete.
    gate = threading.Event()
    with qtbot.waitSignal(inbox.loaded, timeout=5000):
        inbox.reload()
        inbox.runner.run(lambda: gate.wait(10), lambda _r: None)
    with db.begin() as s:
        s.execute(delete(Conversation).where(Conversation.id == ids["paused"]))
    gate.set()
    row = inbox.row_of(ids["paused"])
    assert inbox.data(inbox.index(row, COL_TITLE)) == "…"
    qtbot.waitUntil(lambda: inbox.data(inbox.index(row, COL_TITLE)) != "…", timeout=5000)
    assert inbox.data(inbox.index(row, COL_TITLE)) == "(no longer here)"
    assert inbox.data(inbox.index(row, COL_DUE), Qt.ItemDataRole.DecorationRole) is None


def test_every_conversation_kind_has_its_icon() -> None:
    from ozondesk.store.models import CONVERSATION_KINDS

    assert set(KIND_ICONS) == set(CONVERSATION_KINDS)

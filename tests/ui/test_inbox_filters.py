from __future__ import annotations

from typing import Any

import pytest

from ozondesk.errors import UserError
from ozondesk.services.inbox import OPEN_STATUSES, InboxFilter
from ozondesk.services.saved_views import SavedViews
from ozondesk.store.db import Database
from ozondesk.ui.inbox_filters import DUE_SOON_MINUTES, InboxFilterBar


def test_widgets_make_the_filter(qtbot: Any) -> None:
    bar = InboxFilterBar(my_agent_id=7)
    qtbot.addWidget(bar)
    assert bar.current() == InboxFilter()
    with qtbot.waitSignal(bar.changed) as got:
        bar.mine.setChecked(True)
    assert got.args[0].assignee_id == 7
    with qtbot.waitSignal(bar.changed) as got:
        bar.due_soon.setChecked(True)
    assert got.args[0].due_soon_minutes == DUE_SOON_MINUTES
    with qtbot.waitSignal(bar.changed) as got:
        bar.kind.setCurrentIndex(bar.kind.findData("buyer_chat"))
    assert got.args[0].kind == "buyer_chat"
    bar.set_categories(["returns", "payment"])
    with qtbot.waitSignal(bar.changed) as got:
        bar.category.setCurrentIndex(bar.category.findData("returns"))
    assert got.args[0].category == "returns"


def test_typing_a_search_emits_once_after_a_pause(qtbot: Any) -> None:
    bar = InboxFilterBar(my_agent_id=None)
    qtbot.addWidget(bar)
    emitted: list[InboxFilter] = []
    bar.changed.connect(emitted.append)
    bar.search.setText("订")
    bar.search.setText("订单")  # two edits inside the pause: one search
    qtbot.waitUntil(lambda: len(emitted) == 1, timeout=3000)
    assert emitted[0].query == "订单"
    assert not bar.mine.isEnabled()  # no agent at this desk: "mine" means nothing


def test_a_saved_view_is_applied_in_one_step(qtbot: Any) -> None:
    bar = InboxFilterBar(my_agent_id=3)
    qtbot.addWidget(bar)
    saved = InboxFilter(statuses=("open",), kind="buyer_chat", breached=True, query="возврат", assignee_id=99)
    bar.set_views({"Мои просрочки": saved})
    emitted: list[InboxFilter] = []
    bar.changed.connect(emitted.append)
    bar.view.setCurrentIndex(1)
    bar.view.activated.emit(1)
    assert len(emitted) == 1
    assert emitted[0] == InboxFilter(statuses=("open",), kind="buyer_chat", breached=True, query="возврат",
                                     assignee_id=3)


def test_saved_views_persist(db: Database) -> None:
    views = SavedViews(db)
    views.save("Логистика", InboxFilter(statuses=OPEN_STATUSES, category="logistics-delay"))
    views.save("Все чаты", InboxFilter(statuses=(), kind="buyer_chat"))
    again = SavedViews(db).all()
    assert list(again) == ["Все чаты", "Логистика"]
    assert again["Логистика"].category == "logistics-delay"
    assert again["Все чаты"].statuses == ()
    views.delete("Все чаты")
    assert list(SavedViews(db).all()) == ["Логистика"]
    with pytest.raises(UserError):
        views.save("  ", InboxFilter())

"""Header clicks sort the windowed inbox in SQL; pages stay windows of the sorted listing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort
from ozondesk.store.db import Database, open_database
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.inbox_model import (
    COL_ASSIGNEE,
    COL_DUE,
    COL_RECEIVED,
    COL_TITLE,
    COL_UNREAD,
    PAGE,
    InboxModel,
)
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALL = InboxFilter(statuses=(), now=NOW)


@pytest.fixture
def demo_db(tmp_path: Path) -> Any:
    db = open_database(str(tmp_path / "sorting.sqlite"))
    generate(db, size=450, now=NOW)
    yield db
    db.dispose()


@pytest.fixture
def model(qtbot: Any, demo_db: Database) -> Any:
    runner = TaskRunner()
    with demo_db.begin() as session:
        policies = current_policies(session)
    inbox = InboxModel(InboxService(demo_db), runner, policies)
    with qtbot.waitSignal(inbox.loaded, timeout=5000):
        inbox.reload(ALL)
    yield inbox
    runner.shutdown()


def loaded_ids(qtbot: Any, model: InboxModel, rows: list[int]) -> list[int]:
    for row in rows:
        model.row_at(row)  # asks for the page
    qtbot.waitUntil(lambda: all(model.row_at(r) is not None for r in rows), timeout=5000)
    return [model.row_at(r).id for r in rows]  # type: ignore[union-attr]


def test_clicking_headers_sorts_through_the_view(qtbot: Any, model: InboxModel) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.horizontalHeader().setSortIndicator(COL_DUE, Qt.SortOrder.AscendingOrder)
    with qtbot.assertNotEmitted(model.loaded, wait=100):
        view.setSortingEnabled(True)  # the indicator matches the default order: no reload
    with qtbot.waitSignal(model.loaded, timeout=5000):
        view.sortByColumn(COL_TITLE, Qt.SortOrder.DescendingOrder)
    assert model.order == InboxSort("title", descending=True)
    assert model.data(model.index(0, COL_TITLE)) == "…"  # asks for the first page
    qtbot.waitUntil(lambda: model.data(model.index(2, COL_TITLE)) != "…", timeout=5000)
    titles = [model.data(model.index(r, COL_TITLE)) for r in range(3)]
    assert titles == sorted(titles, reverse=True)
    assert model.sort_column() == (COL_TITLE, Qt.SortOrder.DescendingOrder)


@pytest.mark.parametrize(
    ("column", "key"),
    [(COL_RECEIVED, "received"), (COL_UNREAD, "unread"), (COL_ASSIGNEE, "assignee"), (COL_DUE, "due")],
)
def test_pages_follow_the_sorted_listing(qtbot: Any, model: InboxModel, column: int, key: str) -> None:
    order = InboxSort(key, descending=True)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(column, Qt.SortOrder.DescendingOrder)
    expected = list(model.service.ids(ALL, order))
    assert model.rowCount() == len(expected) == 450
    edges = [0, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, len(expected) - 1]
    assert loaded_ids(qtbot, model, edges) == [expected[r] for r in edges]
    # UserRole is the id even before the row's page arrives (the window opens it at once).
    assert [model.data(model.index(r, 0), Qt.ItemDataRole.UserRole) for r in edges] == [expected[r] for r in edges]
    assert model.row_of(expected[PAGE + 1]) == PAGE + 1


def test_the_sort_survives_a_new_filter_and_minus_one_restores_the_default(qtbot: Any, model: InboxModel) -> None:
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(COL_RECEIVED, Qt.SortOrder.AscendingOrder)
    open_only = InboxFilter(now=NOW)
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.reload(open_only)
    expected = list(model.service.ids(open_only, InboxSort("received")))
    assert loaded_ids(qtbot, model, [0, 1, len(expected) - 1]) == [expected[0], expected[1], expected[-1]]
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(-1, Qt.SortOrder.AscendingOrder)
    assert model.order == InboxSort()


def test_sorted_model_passes_the_model_tester(qtbot: Any, qtmodeltester: Any, model: InboxModel) -> None:
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(COL_ASSIGNEE, Qt.SortOrder.AscendingOrder)
    loaded_ids(qtbot, model, [0, PAGE, 2 * PAGE])
    qtmodeltester.check(model, force_py=True)


def test_the_first_page_is_fetched_before_anyone_asks(qtbot: Any, model: InboxModel) -> None:
    # Queued ahead of whatever listeners of `loaded` queue on the single worker.
    with qtbot.waitSignal(model.loaded, timeout=5000):
        model.sort(COL_TITLE, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as changed:
        pass  # no data() call: nothing else would request the page
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), bottom.row()) == (0, PAGE - 1)
    assert model.row_at(0) is not None

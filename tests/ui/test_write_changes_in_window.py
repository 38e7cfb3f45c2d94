"""Claiming and deciding in the window apply the write's change record: the touched row is read
again in place; the list is never reloaded or reset, and the selection and scroll stay (#16).

Every wait is on a signal or a condition, 8 s and more (the machine is shared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ozondesk import app as app_module
from ozondesk.domain import decisions as D
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import DeskAgent, set_desk_agent
from ozondesk.services.presence import PresenceService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Agent, Claim, Conversation, OutboxEntry
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.inbox_model import COL_TITLE
from ozondesk.ui.main_window import MainWindow

WAIT = 10_000


class Watch:
    """Counts what a refresh must not do (reloads, resets) and which rows were read again."""

    def __init__(self, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
        model = window.model
        self.reloads: list[object] = []
        self.resets: list[int] = []
        self.rows_read: list[list[int]] = []
        real_reload, real_rows = model.reload, model.service.rows

        def reload(*args: Any, **kw: Any) -> Any:
            self.reloads.append(args)
            return real_reload(*args, **kw)

        def rows(ids: Any, *args: Any, **kw: Any) -> Any:
            self.rows_read.append(list(ids))
            return real_rows(ids, *args, **kw)

        monkeypatch.setattr(model, "reload", reload)
        monkeypatch.setattr(model.service, "rows", rows)
        model.modelReset.connect(lambda: self.resets.append(1))


def place(qtbot: Any, window: MainWindow, selected_row: int, top_row: int) -> tuple[int, int]:
    """Select a row, scroll another to the top of the shown list; (selected id, top id)."""
    view = window.refresher.shown()
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() > selected_row, timeout=WAIT)
    view.setCurrentIndex(model.index(selected_row, COL_TITLE))
    view.scrollTo(model.index(top_row, COL_TITLE), view.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: window.refresher.top_row() == top_row, timeout=WAIT)
    qtbot.waitUntil(lambda: model.row_at(selected_row) is not None and model.row_at(top_row) is not None,
                    timeout=WAIT)
    selected, top = model.row_at(selected_row), model.row_at(top_row)
    assert selected is not None and top is not None
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == selected.id,
                    timeout=WAIT)
    # Start-up work (filter choices, presence, the claim bar's look) done before counting.
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT)
    return selected.id, top.id


def kept(window: MainWindow, selected: int, top: int) -> bool:
    view = window.refresher.shown()
    current = view.currentIndex()
    row = window.model.row_at(current.row()) if current.isValid() else None
    at_top = window.model.row_at(window.refresher.top_row())
    return row is not None and row.id == selected and at_top is not None and at_top.id == top


def test_claiming_refreshes_its_row_in_place_and_keeps_selection_and_scroll(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(str(tmp_path / "desk.sqlite"))
    generate(db, size=400)
    set_desk_agent(db, "wang.fang")
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = app_module.build_window(db, policies, "http://127.0.0.1:9")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.start()
    assert window.team is not None and window.team.bar is not None
    bar = window.team.bar
    selected, top = place(qtbot, window, selected_row=25, top_row=20)
    qtbot.waitUntil(lambda: bar.conversation_id == selected and bar.claim_button.isEnabled(), timeout=WAIT)
    watch = Watch(window, monkeypatch)
    bar.claim_button.click()
    qtbot.waitUntil(lambda: "Claimed by you" in bar.label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: [selected] in watch.rows_read, timeout=WAIT)  # the row, read again
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)
    with db.read() as s:
        assert s.scalar(select(Claim.conversation_id)) == selected
    assert (watch.reloads, watch.resets) == ([], [])
    assert kept(window, selected, top)
    # Releasing it: the same, in place.
    bar.release_button.click()
    qtbot.waitUntil(lambda: "Not claimed" in bar.label.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: watch.rows_read.count([selected]) == 2, timeout=WAIT)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)
    assert (watch.reloads, watch.resets) == ([], [])
    assert kept(window, selected, top)
    window.close()
    sync.shutdown()
    db.dispose()


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[tuple[Database, FakeOzon]]:
    db = open_database(str(tmp_path / "desk.sqlite"))
    with FakeOzon(port=0, chats=40, messages=2, lifetime=120) as fake:
        client = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        SyncService(db, client, "Yuexin").run()
        client.close()
        with db.begin() as s:
            s.add(Agent(login="li.ming", display_name="李明", role="agent", active=True))
        yield db, fake
    db.dispose()


def test_deciding_refreshes_its_row_in_place_and_keeps_selection_and_scroll(
    qtbot: Any, synced: tuple[Database, FakeOzon], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, fake = synced
    with db.read() as s:
        policies = current_policies(s)
        me = s.scalar(select(Agent).where(Agent.login == "li.ming"))
        assert me is not None
        agent = DeskAgent(me.id, me.login, me.display_name, "Yuexin")
        requests = set(s.scalars(select(Conversation.id).where(Conversation.kind == "return_request")))
    window = MainWindow(InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
                        compose=ComposeService(db), agent=agent)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.start()
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() > 20, timeout=WAIT)
    # A return request well down the list (they sort near its end), the list scrolled down.
    qtbot.waitUntil(lambda: all(model.row_at(r) is not None for r in range(model.rowCount())), timeout=WAIT)
    rows = [model.row_at(r) for r in range(model.rowCount())]
    index = next(r for r, row in enumerate(rows) if r >= 6 and row is not None and row.id in requests)
    selected, top = place(qtbot, window, selected_row=index, top_row=index // 2)
    watch = Watch(window, monkeypatch)
    window._decide(selected, D.Decision("rfbs:1"))
    qtbot.waitUntil(lambda: window.status_text.text()
                    == "Decision queued; it goes out when the Ozon connection delivers it.", timeout=WAIT)
    qtbot.waitUntil(lambda: [selected] in watch.rows_read, timeout=WAIT)
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT)
    with db.read() as s:
        assert s.scalar(select(OutboxEntry.conversation_id)) == selected
    assert (watch.reloads, watch.resets) == ([], [])
    assert kept(window, selected, top)
    assert fake is not None

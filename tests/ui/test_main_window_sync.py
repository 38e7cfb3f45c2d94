"""The main window with syncing: the no-shop hint, Sync now, the inbox reload, the sync log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import MemoryKeyring

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.conversation import ConversationService
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.inbox import InboxService
from ozondesk.services.presence import PresenceService
from ozondesk.store.db import Database
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner

NO_SHOP = "No Ozon shop configured — Settings → Shops"


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=12, messages=3, lifetime=60) as server:
        yield server


@pytest.fixture
def window(qtbot: Any, db: Database, fake: FakeOzon) -> Iterator[MainWindow]:
    def make(creds: Any, **kw: Any) -> OzonClient:
        options: dict[str, Any] = {"rate": None, "backoff": 0.001, "max_backoff": 0.01, "timeout": 5.0}
        options.update(kw)
        return OzonClient(creds.client_id, creds.api_key, fake.url, **options)

    runner = TaskRunner()
    store = CredentialStore(db, MemoryKeyring())
    sync = SyncController(db, store, runner, make_client=make)
    with db.begin() as session:
        from ozondesk.store.repos.policies import current_policies

        policies = current_policies(session)
    win = MainWindow(InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
                     sync=sync, runner=runner)
    qtbot.addWidget(win)
    yield win
    win.close()


def test_with_no_shop_the_app_hints_at_settings_and_does_not_poll(
    qtbot: Any, window: MainWindow, fake: FakeOzon
) -> None:
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.sync_label.text() == NO_SHOP, timeout=5000)
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    assert window.sync_action.shortcut().toString() == "F5"
    window.sync_action.trigger()
    assert window.sync_label.text() == NO_SHOP and not window.sync.busy  # type: ignore[union-attr]
    assert not window.sync.poll_timer.isActive()  # type: ignore[union-attr]
    assert fake.calls == {}
    dialog = window.open_settings()
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_sync_now_imports_chats_and_reloads_the_inbox(
    qtbot: Any, window: MainWindow, fake: FakeOzon
) -> None:
    assert window.sync is not None
    window.sync.credentials.save("Yuexin", fake.client_id, fake.api_key)
    window.show()
    window.start()  # a configured shop: a first full sync
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("Synced at"), timeout=8000)
    # The inbox opens on what is open: every buyer chat of the fake but the closed ones,
    shown = sum(
        fake.world.is_buyer_chat(i) and fake.world.chat_json(i)["chat"]["chat_status"] != "Closed"
        for i in range(12)
    )
    assert shown == 11  # the fixture's 12 chats: all from buyers, the tenth closed
    # ...and the open rFBS return and conditional cancellation requests the same sync brings in.
    requests = len(fake.rfbs.return_indexes()) + len(fake.rfbs.cancel_indexes())
    assert requests == 2
    shown += requests
    qtbot.waitUntil(lambda: window.model.rowCount() == shown, timeout=5000)
    qtbot.waitUntil(lambda: window.selected_id is not None, timeout=5000)
    assert window.sync.poll_timer.isActive()
    assert window.log_view.model.rowCount() == 0


def test_a_server_fault_ends_in_the_sync_log_with_its_hint(
    qtbot: Any, window: MainWindow, fake: FakeOzon
) -> None:
    assert window.sync is not None
    window.sync.credentials.save("Yuexin", fake.client_id, fake.api_key)
    window.show()
    with qtbot.waitSignal(window.sync.configured, timeout=5000):
        window.sync.refresh()
    # A bare 403 (no plan named) fails the round; a plan's 403 is a skipped line instead
    # (tests/ozon/test_capabilities.py).
    fake.inject("forbidden", "/v3/chat/list")
    with qtbot.waitSignal(window.sync.failed, timeout=8000):
        window.sync_action.trigger()
    assert "Sync failed" in window.sync_label.text()
    hints = window.log_view.hints()
    assert any("Premium" in h for h in hints)
    assert window.log_view.model.data(window.log_view.model.index(0, 1)) == "Yuexin"

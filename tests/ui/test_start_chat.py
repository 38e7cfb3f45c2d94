"""In the window: "Start a chat with the buyer" is offered where the posting allows it and the shop
has a key; clicking it starts the chat off the GUI thread and opens it; a refusal is one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import delete, select
from support import MemoryKeyring

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.conversation import ConversationService
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.inbox import InboxService
from ozondesk.services.presence import PresenceService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Message, SyncCursor
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.main_window import MainWindow
from ozondesk.ui.sync_worker import SyncController
from ozondesk.ui.tasks import TaskRunner

RETURN_ID = "8000000000"  # the fake's return request about posting 0 (rFBS, can_create_chat)
CANCELLATION_ID = "283000006"  # about posting 6, whose actions do not hold can_create_chat


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[tuple[Database, FakeOzon]]:
    db = open_database(str(tmp_path / "desk.sqlite"))
    with FakeOzon(port=0, chats=14, messages=2, lifetime=120) as fake:
        client = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        SyncService(db, client, "Yuexin").run()
        client.close()
        # The desk has the return and its posting, not yet the buyer's chat.
        with db.begin() as s:
            chat = s.scalar(select(Conversation).where(Conversation.platform_id == fake.world.chat_id(0)))
            assert chat is not None
            s.execute(delete(Message).where(Message.conversation_id == chat.id))
            s.execute(delete(SyncCursor).where(SyncCursor.key == f"chat:{fake.world.chat_id(0)}"))
            s.delete(chat)
        yield db, fake
    db.dispose()


def make_window(qtbot: Any, db: Database, fake: FakeOzon, *, with_key: bool = True) -> MainWindow:
    def make(creds: Any, **kw: Any) -> OzonClient:
        options: dict[str, Any] = {"rate": None, "backoff": 0.001, "max_backoff": 0.01, "timeout": 5.0}
        options.update(kw)
        return OzonClient(creds.client_id, creds.api_key, fake.url, **options)

    store = CredentialStore(db, MemoryKeyring())
    if with_key:
        store.save("Yuexin", fake.client_id, fake.api_key)
    runner = TaskRunner()
    sync = SyncController(db, store, runner, make_client=make)
    with db.read() as s:
        policies = current_policies(s)
    window = MainWindow(InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
                        sync=sync, runner=runner)
    qtbot.addWidget(window)
    window.show()
    return window


def conversation_id(db: Database, kind: str, platform_id: str) -> int:
    with db.read() as s:
        found = s.scalar(
            select(Conversation.id).where(Conversation.kind == kind, Conversation.platform_id == platform_id)
        )
        assert found is not None
        return found


def open_and_settle(qtbot: Any, window: MainWindow, conversation: int) -> None:
    """Open a conversation and wait until it is shown and the offer's check has answered."""
    window.open_conversation(conversation)
    qtbot.waitUntil(lambda: window.view.detail is not None and window.view.detail.id == conversation)
    assert window.chat_starter is not None
    qtbot.waitUntil(lambda: window.chat_starter.runner.pending == 0)  # type: ignore[union-attr]


def test_offered_by_can_create_chat_and_a_shop_key(qtbot: Any, synced: tuple[Database, FakeOzon]) -> None:
    db, fake = synced
    window = make_window(qtbot, db, fake)
    button = window.view.panel.start_chat_button
    open_and_settle(qtbot, window, conversation_id(db, "return_request", RETURN_ID))
    assert button.isVisible() and button.isEnabled()
    assert button.text() == "Start a chat with the buyer"
    open_and_settle(qtbot, window, conversation_id(db, "cancellation", CANCELLATION_ID))
    assert not button.isVisible()  # can_create_chat is false for this posting
    open_and_settle(qtbot, window, conversation_id(db, "buyer_chat", fake.world.chat_id(2)))
    assert not button.isVisible()  # the chat itself
    window.close()


def test_not_offered_without_the_shops_key(qtbot: Any, synced: tuple[Database, FakeOzon]) -> None:
    db, fake = synced
    window = make_window(qtbot, db, fake, with_key=False)
    open_and_settle(qtbot, window, conversation_id(db, "return_request", RETURN_ID))
    assert not window.view.panel.start_chat_button.isVisible()
    window.close()


def test_clicking_starts_the_chat_and_opens_it(qtbot: Any, synced: tuple[Database, FakeOzon]) -> None:
    db, fake = synced
    window = make_window(qtbot, db, fake)
    ret = conversation_id(db, "return_request", RETURN_ID)
    open_and_settle(qtbot, window, ret)
    qtbot.mouseClick(window.view.panel.start_chat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(fake.started), timeout=8000)

    def chat_shown() -> bool:
        with db.read() as s:
            started = s.scalar(select(Conversation.id).where(Conversation.platform_id == fake.world.chat_id(0)))
        return started is not None and window.view.detail is not None and window.view.detail.id == started

    qtbot.waitUntil(chat_shown, timeout=8000)
    qtbot.waitUntil(lambda: window.selected_id == window.view.detail.id)  # type: ignore[union-attr]
    detail = window.view.detail
    assert detail is not None and detail.kind == "buyer_chat"
    assert detail.posting is not None and detail.posting.posting_number == fake.world.posting_number(0)
    assert [m.text for m in detail.messages] == [m.text for m in fake.world.messages(0)]
    assert fake.started == [fake.world.posting_number(0)]
    assert not window.view.panel.start_chat_button.isVisible()
    window.close()


def test_a_refusal_is_one_line_and_the_button_stays(qtbot: Any, synced: tuple[Database, FakeOzon]) -> None:
    db, fake = synced
    window = make_window(qtbot, db, fake)
    ret = conversation_id(db, "return_request", RETURN_ID)
    open_and_settle(qtbot, window, ret)
    fake.inject("subscription", "/v1/chat/start")
    qtbot.mouseClick(window.view.panel.start_chat_button, Qt.MouseButton.LeftButton)
    expected = (
        f"Ozon did not start a chat for posting {fake.world.posting_number(0)}: "
        "subscription required: buyer chats need Premium Plus or Premium Pro"
    )
    qtbot.waitUntil(lambda: window.status_text.text() == expected, timeout=8000)
    button = window.view.panel.start_chat_button
    assert button.isVisible() and button.isEnabled()
    assert window.view.detail is not None and window.view.detail.id == ret
    assert fake.started == []
    window.close()

"""In the window: a return request's decision is confirmed, queued off the GUI thread and the
buttons go; a file attached in a buyer chat is queued, a file Ozon would refuse is one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ozondesk.domain import decisions as D
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.inbox import InboxService
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.presence import PresenceService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Agent, Conversation, OutboxEntry
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui.decision_panel import DecisionDialog
from ozondesk.ui.main_window import MainWindow

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010804000000b51c0c020000000b4944415478da63"
    "64f80f00010501012718e3660000000049454e44ae426082"
)


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[tuple[Database, FakeOzon]]:
    db = open_database(str(tmp_path / "desk.sqlite"))
    with FakeOzon(port=0, chats=14, messages=2, lifetime=120) as fake:
        client = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        SyncService(db, client, "Yuexin").run()
        client.close()
        with db.begin() as s:
            s.add(Agent(login="li.ming", display_name="李明", role="agent", active=True))
        yield db, fake
    db.dispose()


def window_for(qtbot: Any, db: Database) -> MainWindow:
    with db.read() as s:
        policies = current_policies(s)
        me = s.scalar(select(Agent).where(Agent.login == "li.ming"))
        assert me is not None
        agent = DeskAgent(me.id, me.login, me.display_name, "Yuexin")
    window = MainWindow(
        InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
        compose=ComposeService(db), agent=agent,
    )
    qtbot.addWidget(window)
    window.show()
    return window


def conversation(db: Database, kind: str, platform_id: str) -> int:
    with db.read() as s:
        found = s.scalar(
            select(Conversation.id).where(
                Conversation.kind == kind, Conversation.platform_id == platform_id
            )
        )
        assert found is not None
        return found


def entries(db: Database) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(e.action, e.chat_id) for e in s.scalars(select(OutboxEntry))]


class Approve(DecisionDialog):
    def exec(self) -> int:
        self.accept()
        return int(self.result())


def test_a_confirmed_decision_is_queued_and_its_buttons_go(
    qtbot: Any, synced: tuple[Database, FakeOzon]
) -> None:
    db, fake = synced
    window = window_for(qtbot, db)
    rid = str(fake.rfbs.return_id(0))
    window.open_conversation(conversation(db, "return_request", rid))
    panel = window.view.panel.decision
    qtbot.waitUntil(lambda: panel.button("rfbs:1") is not None, timeout=5000)
    panel.dialog_factory = Approve
    panel.button("rfbs:1").click()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: entries(db) == [("rfbs_action", rid)], timeout=5000)
    qtbot.waitUntil(
        lambda: panel.status.text() == "Decision queued, on its way to Ozon: Approve the return",
        timeout=5000,
    )
    assert not panel.button("rfbs:1").isEnabled()  # type: ignore[union-attr]
    assert window.status_text.text() == (
        "Decision queued; it goes out when the Ozon connection delivers it."
    )


def test_a_refused_decision_is_one_line_in_the_status_bar(
    qtbot: Any, synced: tuple[Database, FakeOzon]
) -> None:
    db, fake = synced
    window = window_for(qtbot, db)
    cid = conversation(db, "return_request", str(fake.rfbs.return_id(0)))
    window._decide(cid, D.Decision("rfbs:3"))
    qtbot.waitUntil(
        lambda: window.status_text.text()
        == "Ozon does not offer this decision for the request now; sync and look again",
        timeout=5000,
    )
    assert entries(db) == []


def test_a_file_is_attached_in_a_buyer_chat_and_a_wrong_one_refused(
    qtbot: Any, synced: tuple[Database, FakeOzon], tmp_path: Path
) -> None:
    db, fake = synced
    window = window_for(qtbot, db)
    composer = window.composer
    assert composer is not None
    chat = fake.world.chat_id(4)
    window.open_conversation(conversation(db, "buyer_chat", chat))
    button = composer.attach_button
    qtbot.waitUntil(button.isEnabled, timeout=5000)
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK")
    button.choose = lambda: str(bad)
    with qtbot.waitSignal(button.refused, timeout=5000):
        button.click()
    assert composer.notice.isVisible() and "notes.docx: Ozon chats take only" in composer.notice.text()
    assert entries(db) == []
    good = tmp_path / "label.png"
    good.write_bytes(PNG)
    button.choose = lambda: str(good)
    # Queued like a reply: the list refreshes in place (wait for it, so nothing reopens the chat after).
    with qtbot.waitSignals([button.queued, window.model.relisted], timeout=8000):
        button.click()
    assert entries(db) == [("chat_file", chat)]
    returned = conversation(db, "return_request", str(fake.rfbs.return_id(0)))
    window.open_conversation(returned)
    qtbot.waitUntil(lambda: composer.conversation_id == returned, timeout=5000)
    assert not button.isEnabled()

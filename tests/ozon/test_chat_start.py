"""Starting a buyer chat from a posting, against the fake Seller API: the chat is started on
Ozon, stored as a buyer chat linked to the posting, audited; refusals are one line and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from support import MemoryKeyring

from ozondesk.errors import UserError
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.chat_start import ChatStartService
from ozondesk.services.credentials import Credentials, CredentialStore
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import AuditEntry, Conversation, Message, Posting, SyncCursor
from ozondesk.store.repos.audit import entries

RETURN_ID = "8000000000"  # the fake's return request about posting 0 (rFBS, can_create_chat)
CANCELLATION_ID = "283000006"  # about posting 6, whose actions do not hold can_create_chat


@pytest.fixture
def synced(tmp_path: Path) -> Iterator[tuple[Database, FakeOzon]]:
    db = open_database(str(tmp_path / "desk.sqlite"))
    with FakeOzon(port=0, chats=14, messages=2, lifetime=120) as fake:
        client = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        SyncService(db, client, "Yuexin").run()
        client.close()
        yield db, fake
    db.dispose()


def service_for(db: Database, fake: FakeOzon, *, with_key: bool = True) -> ChatStartService:
    store = CredentialStore(db, MemoryKeyring())
    if with_key:
        store.save("Yuexin", fake.client_id, fake.api_key)

    def make(creds: Credentials, **kw: Any) -> OzonClient:
        return OzonClient(creds.client_id, creds.api_key, fake.url, rate=None, backoff=0.001,
                          max_backoff=0.01, timeout=5.0)

    return ChatStartService(db, store, make)


def conversation_id(db: Database, kind: str, platform_id: str) -> int:
    with db.read() as s:
        found = s.scalar(
            select(Conversation.id).where(Conversation.kind == kind, Conversation.platform_id == platform_id)
        )
        assert found is not None
        return found


def forget_chat(db: Database, chat_id: str) -> None:
    """As if the chat had never been synced: the desk has only the posting and the return."""
    with db.begin() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == chat_id))
        assert conv is not None
        s.execute(delete(Message).where(Message.conversation_id == conv.id))
        s.execute(delete(SyncCursor).where(SyncCursor.key == f"chat:{chat_id}"))
        s.delete(conv)


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Conversation)) or 0,
            s.scalar(select(func.count()).select_from(Message)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def test_offered_only_where_the_posting_allows_it_and_the_shop_has_a_key(
    synced: tuple[Database, FakeOzon],
) -> None:
    db, fake = synced
    ret = conversation_id(db, "return_request", RETURN_ID)
    assert service_for(db, fake, with_key=False).offered(ret) is False  # no key for the shop yet
    service = service_for(db, fake)
    assert service.offered(ret) is True
    assert service.offered(conversation_id(db, "cancellation", CANCELLATION_ID)) is False
    # The buyer chat itself: it is the chat already.
    assert service.offered(conversation_id(db, "buyer_chat", fake.world.chat_id(0))) is False
    assert service.offered(999_999) is False


def test_start_brings_the_chat_in_linked_to_the_posting_and_audits_it(
    synced: tuple[Database, FakeOzon],
) -> None:
    db, fake = synced
    chat_id = fake.world.chat_id(0)
    forget_chat(db, chat_id)
    service = service_for(db, fake)
    ret = conversation_id(db, "return_request", RETURN_ID)
    before = counts(db)

    new_id = service.start(ret, None)

    assert fake.started == [fake.world.posting_number(0)]
    with db.read() as s:
        conv = s.get(Conversation, new_id)
        assert conv is not None
        posting = s.get(Posting, conv.posting_id)
        assert (conv.kind, conv.platform_id) == ("buyer_chat", chat_id)
        assert posting is not None and posting.posting_number == fake.world.posting_number(0)
        texts = s.scalars(
            select(Message.text).where(Message.conversation_id == new_id).order_by(Message.created_at)
        ).all()
        assert texts == [m.text for m in fake.world.messages(0)]
        log = entries(s, "posting:")
    assert counts(db) == (before[0] + 1, before[1] + 2, before[2] + 1)
    assert [(e.action, e.subject, e.detail) for e in log] == [
        (
            "chat.start",
            f"posting:{fake.world.posting_number(0)}",
            {"chat_id": chat_id, "conversation_id": new_id, "from_conversation_id": ret, "created": True},
        )
    ]
    # Again: Ozon answers with the same chat, the desk has it already; nothing is duplicated.
    assert service.start(ret, None) == new_id
    assert counts(db) == (before[0] + 1, before[1] + 2, before[2] + 2)


def test_refusals_are_one_line_and_change_nothing(synced: tuple[Database, FakeOzon]) -> None:
    db, fake = synced
    service = service_for(db, fake)
    cancellation = conversation_id(db, "cancellation", CANCELLATION_ID)
    before = counts(db)
    with pytest.raises(UserError) as refused:
        service.start(cancellation, None)
    assert refused.value.message == (
        f"Ozon does not allow starting a chat for posting {fake.world.posting_number(6)} now"
    )
    ret = conversation_id(db, "return_request", RETURN_ID)
    with pytest.raises(UserError) as no_key:  # the shop is known, this keyring lacks its key
        service_for(db, fake, with_key=False).start(ret, None)
    assert no_key.value.message == (
        "the API key of shop 'Yuexin' is missing from the keyring: enter it again in Settings"
    )
    fake.inject("subscription", "/v1/chat/start")
    with pytest.raises(UserError) as plan:
        service.start(ret, None)
    assert plan.value.message == (
        f"Ozon did not start a chat for posting {fake.world.posting_number(0)}: "
        "subscription required: buyer chats need Premium Plus or Premium Pro"
    )
    assert "\n" not in plan.value.message and "403" not in plan.value.message
    assert counts(db) == before and fake.started == []

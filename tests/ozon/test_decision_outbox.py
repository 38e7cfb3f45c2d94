"""Decisions on returns and cancellations, and files in chat, through the outbox: checked,
audited, delivered once, and after an attempt that may have got through, looked up on the
platform instead of sent again."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ozondesk.domain import decisions as D
from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.changes import NOTHING, OpChanges
from ozondesk.services.decisions import DecisionService
from ozondesk.services.file_sender import FileService, refusal
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, AuditEntry, Conversation, Message, OutboxEntry
from ozondesk.store.repos import outbox as outbox_repo

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII="
)


def later(minutes: int = 10) -> Callable[[], object]:
    return lambda: utcnow() + timedelta(minutes=minutes)


@pytest.fixture
def synced(db: Database, client: OzonClient) -> Database:
    # Everything the tests pick must be there: a sync error names itself here, not as a
    # missing row later.
    report = SyncService(db, client, "Yuexin").run()
    assert [(e.where, e.message) for e in report.errors] == []
    with db.begin() as s:
        s.add_all(
            [
                Agent(login="li.ming", display_name="李明", role="agent", active=True),
                Agent(login="sun.qiang", display_name="孙强", role="trainer", active=True),
            ]
        )
    return db


def agent(db: Database, login: str = "li.ming") -> int:
    with db.read() as s:
        found = s.scalar(select(Agent.id).where(Agent.login == login))
        assert found is not None
        return found


def conv(db: Database, kind: str, platform_id: int | str) -> int:
    with db.read() as s:
        found = s.scalar(
            select(Conversation.id).where(
                Conversation.kind == kind, Conversation.platform_id == str(platform_id)
            )
        )
        assert found is not None
        return found


def outbox_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxEntry)) or 0)


def crash_after_the_wire(monkeypatch: pytest.MonkeyPatch, db: Database, client: OzonClient) -> None:
    def crash(*args: object, **kw: object) -> None:
        raise SystemExit("power cut")

    with monkeypatch.context() as m:
        m.setattr(outbox_repo, "mark_sent", crash)
        with pytest.raises(SystemExit):
            OutboxService(db, client).deliver()


def test_approving_a_return_is_queued_audited_and_sent_once(
    synced: Database, fake: FakeOzon, client: OzonClient
) -> None:
    db = synced
    rid = fake.rfbs.return_id(0)
    cid = conv(db, "return_request", rid)
    service = DecisionService(db)
    queued = service.decide(cid, agent(db), D.Decision("rfbs:1"))
    item = queued.item
    # The thread changes (the decision on its way); the row keeps its place until delivered.
    assert queued.changes == OpChanges(conversations=frozenset({cid}), membership=False)
    assert (item.action, item.chat_id, item.message_id) == ("rfbs_action", str(rid), None)
    assert item.payload == {
        "decision": "rfbs:1", "action_id": 1, "state": "NEW",
        "posting_number": fake.world.posting_number(0),
    }
    assert service.view(cid).queued == ("rfbs:1",)  # type: ignore[union-attr]
    with pytest.raises(UserError, match="already on its way"):
        service.decide(cid, agent(db), D.Decision("rfbs:-1", 11, "нет"))
    with db.read() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "decision.queue")).all()
        assert (entry.subject, entry.detail["decision"]) == (f"return_request:{rid}", "rfbs:1")
    report = OutboxService(db, client).deliver()
    assert (report.sent, report.failed) == (1, 0)
    # Delivered, the decision may move its conversation: its row and the listing's ids.
    assert report.changes == OpChanges(conversations=frozenset({cid}), membership=True)
    assert fake.rfbs.actions == [{"return_id": rid, "id": 1}]
    after = service.view(cid)
    assert after is not None and (after.queued, after.actions) == ((), ())
    with db.read() as s:
        c = s.get(Conversation, cid)
        assert c is not None and c.first_response_at is not None and c.status == "open"
    nothing = OutboxService(db, client, clock=later()).deliver()
    assert (nothing.sent, nothing.changes) == (0, NOTHING)
    # The next sync reads what Ozon offers now: confirm the item arrived.
    SyncService(db, client, "Yuexin").run()
    assert [a["id"] for a in service.view(cid).actions] == [2]  # type: ignore[union-attr]


def test_a_crash_after_the_decision_went_out_looks_instead_of_sending_again(
    synced: Database, fake: FakeOzon, client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = synced
    rid = fake.rfbs.return_id(12)
    DecisionService(db).decide(
        conv(db, "return_request", rid), agent(db), D.Decision("rfbs:-1", 11, "Фото не совпадает")
    )
    crash_after_the_wire(monkeypatch, db, client)
    assert len(fake.rfbs.actions) == 1
    report = OutboxService(db, client, clock=later()).deliver()
    assert (report.sent, report.reconciled) == (0, 1)
    assert fake.rfbs.actions == [
        {"return_id": rid, "id": -1, "comment": "Фото не совпадает", "rejection_reason_id": 11}
    ]
    with db.read() as s:
        (entry,) = s.scalars(select(OutboxEntry)).all()
        assert (entry.state, entry.attempts) == ("sent", 1)


def test_rejecting_a_cancellation_needs_a_comment_and_resolves_it(
    synced: Database, fake: FakeOzon, client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = synced
    cancel_id = fake.rfbs.cancel_id(6)
    cid = conv(db, "cancellation", cancel_id)
    with pytest.raises(UserError, match="write a comment"):
        DecisionService(db).decide(cid, agent(db), D.Decision("cancellation:reject"))
    assert outbox_count(db) == 0
    DecisionService(db).decide(
        cid, agent(db), D.Decision("cancellation:reject", comment="Заказ уже передан в доставку")
    )
    crash_after_the_wire(monkeypatch, db, client)
    report = OutboxService(db, client, clock=later()).deliver()
    assert report.reconciled == 1 and fake.calls["/v2/conditional-cancellation/reject"] == 1
    assert fake.rfbs.actions == [{"cancellation_id": cancel_id, "state": "REJECTED"}]
    view = DecisionService(db).view(cid)
    assert view is not None and (view.state, view.actions, view.decision_comment) == (
        "REJECTED", (), "Заказ уже передан в доставку"
    )
    with db.read() as s:
        c = s.get(Conversation, cid)
        assert c is not None and (c.status, c.due_at) == ("resolved", None)


def test_approving_a_cancellation_goes_out_once(
    synced: Database, fake: FakeOzon, client: OzonClient
) -> None:
    db = synced
    cid = conv(db, "cancellation", fake.rfbs.cancel_id(18))
    DecisionService(db).decide(cid, agent(db), D.Decision("cancellation:approve"))
    assert OutboxService(db, client).deliver().sent == 1
    assert fake.rfbs.actions == [{"cancellation_id": fake.rfbs.cancel_id(18), "state": "APPROVED"}]
    again = SyncService(db, client, "Yuexin").run()
    assert again.created["cancellations"] == 0


@pytest.mark.parametrize(
    ("who", "decision", "message"),
    [
        ("sun.qiang", D.Decision("rfbs:1"), "only agents and team leads"),
        ("li.ming", D.Decision("rfbs:3"), "does not offer this decision"),
        ("li.ming", D.Decision("rfbs:1020", amount="5000"), "more than the item's price"),
    ],
)
def test_a_refused_decision_writes_nothing(
    synced: Database, fake: FakeOzon, who: str, decision: D.Decision, message: str
) -> None:
    db = synced
    cid = conv(db, "return_request", fake.rfbs.return_id(0))
    with pytest.raises(UserError, match=message):
        DecisionService(db).decide(cid, agent(db, who), decision)
    assert outbox_count(db) == 0
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_decided_request_offers_nothing(synced: Database, fake: FakeOzon) -> None:
    db = synced
    cid = conv(db, "cancellation", fake.rfbs.cancel_id(30))  # approved before the sync
    with pytest.raises(UserError, match="does not offer"):
        DecisionService(db).decide(cid, agent(db), D.Decision("cancellation:approve"))


def test_a_file_is_kept_in_the_outbox_sent_once_and_shown_as_the_platform_has_it(
    synced: Database, fake: FakeOzon, client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = synced
    chat = fake.world.chat_id(4)  # a buyer chat inside its reply window
    cid = conv(db, "buyer_chat", chat)
    item = FileService(db).queue_file(cid, agent(db), "label.png", PNG)
    assert (item.action, item.chat_id, item.payload["name"]) == ("chat_file", chat, "label.png")
    assert base64.b64decode(item.payload["content"]) == PNG
    crash_after_the_wire(monkeypatch, db, client)
    report = OutboxService(db, client, clock=later()).deliver()
    assert report.reconciled == 1 and len(fake.rfbs.files) == 1
    with db.read() as s:
        entry = s.get(OutboxEntry, item.id)
        message = s.get(Message, item.message_id)
        assert entry is not None and message is not None
        assert entry.state == "sent" and entry.payload is None  # the bytes are not kept
        assert message.platform_message_id == fake.rfbs.files[0]["message_id"]
        assert message.text == "![label.png](https://cdn.example/chat-files/1/label.png)"
        assert message.attachments == ["image:SUCCESS"]
    again = SyncService(db, client, "Yuexin").run()
    assert again.created["messages"] == 0  # the platform's copy is the queued file


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "only these kinds of file: GIF, JPEG, JPG, PDF, PNG, WEBP"),
        ("big.png", b"x" * (700 * 1024 + 1), "big.png is 701 KB; at most 700 KB"),
        ("empty.pdf", b"", "empty.pdf is empty"),
    ],
)
def test_a_file_ozon_would_refuse_is_one_line_and_writes_nothing(
    synced: Database, fake: FakeOzon, name: str, content: bytes, message: str
) -> None:
    db = synced
    cid = conv(db, "buyer_chat", fake.world.chat_id(4))
    with pytest.raises(UserError, match=message):
        FileService(db).queue_file(cid, agent(db), name, content)
    assert outbox_count(db) == 0
    assert refusal(name, len(content)) is not None


def test_files_go_to_buyer_chats_only(synced: Database, fake: FakeOzon) -> None:
    db = synced
    cid = conv(db, "return_request", fake.rfbs.return_id(0))
    with pytest.raises(UserError, match="buyer chats only"):
        FileService(db).queue_file(cid, agent(db), "a.png", PNG)


def test_no_chat_message_goes_to_a_return_or_cancellation(synced: Database, fake: FakeOzon) -> None:
    db = synced
    for kind, pid in (
        ("return_request", fake.rfbs.return_id(0)),
        ("cancellation", fake.rfbs.cancel_id(6)),
    ):
        with pytest.raises(UserError, match="answered with its decision buttons"):
            OutboxService(db).queue(conv(db, kind, pid), "Здравствуйте!")
    assert outbox_count(db) == 0

"""The outbox: refuse what the platform would refuse, deliver once, even across a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, OutboxEntry
from ozondesk.store.repos import outbox as outbox_repo


@pytest.fixture
def synced(db: Database, fake: FakeOzon, client: OzonClient) -> int:
    """The conversation of chat 0, synced, with a fresh buyer message so the window is open."""
    fake.world.add_message(0, "Customer", "Здравствуйте, есть вопрос")
    SyncService(db, client, "Yuexin").run()
    with db.begin() as s:
        conv_id = s.scalar(
            select(Conversation.id).where(Conversation.platform_id == fake.world.chat_id(0))
        )
    assert conv_id is not None
    return conv_id


def sent_texts(fake: FakeOzon) -> list[str]:
    return [s["text"] for s in fake.world.sent]


def later(minutes: int = 10) -> object:
    return lambda: utcnow() + timedelta(minutes=minutes)


def test_queue_refuses_too_long_empty_or_markup(db: Database, synced: int) -> None:
    service = OutboxService(db)
    for text, reason in [
        ("x" * 1001, "at most 1000"),
        ("   ", "empty"),
        ("<b>Привет</b>", "plain text"),
    ]:
        with pytest.raises(UserError) as caught:
            service.queue(synced, text)
        assert reason in caught.value.message
    assert service.pending() == 0


def test_queue_refuses_outside_the_window(db: Database, fake: FakeOzon, client: OzonClient) -> None:
    SyncService(db, client, "Yuexin").run()
    with db.begin() as s:
        conv_id = s.scalar(
            select(Conversation.id).where(Conversation.platform_id == fake.world.chat_id(1))
        )
    assert conv_id is not None  # FBO, buyer's last message two days ago
    with pytest.raises(UserError) as caught:
        OutboxService(db).queue(conv_id, "Здравствуйте!")
    assert "48 h" in caught.value.message


def test_queued_reply_is_pending_offline_and_goes_out_when_online(
    db: Database, fake: FakeOzon, synced: int
) -> None:
    OutboxService(db).queue(synced, "Добрый день! Отправим завтра.")
    offline = OzonClient(fake.client_id, fake.api_key, "http://127.0.0.1:9", rate=None, retries=0)
    report = OutboxService(db, offline).deliver()
    offline.close()
    assert report.offline and report.sent == 0 and sent_texts(fake) == []
    assert OutboxService(db).pending() == 1
    with OzonClient(fake.client_id, fake.api_key, fake.url, rate=None) as online:
        report = OutboxService(db, online, clock=later()).deliver()
    assert report.reconciled + report.sent == 1
    assert sent_texts(fake) == ["Добрый день! Отправим завтра."]
    with db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry is not None and entry.state == "sent" and entry.platform_message_id
        msg = s.get(Message, entry.message_id)
        assert (
            msg is not None
            and msg.delivery_state == "sent"
            and msg.platform_message_id == entry.platform_message_id
        )
    assert fake.world.unread(0) == []  # marked read after the reply


def test_dropped_connection_after_send_is_reconciled_not_resent(
    db: Database, fake: FakeOzon, client: OzonClient, synced: int
) -> None:
    OutboxService(db).queue(synced, "Ваш заказ в пути.")
    fake.inject("drop_after", "/v1/chat/send/message")
    first = OutboxService(db, client).deliver()
    assert first.retrying == 1 and sent_texts(fake) == ["Ваш заказ в пути."]
    second = OutboxService(db, client, clock=later()).deliver()
    assert second.reconciled == 1 and second.sent == 0
    assert sent_texts(fake) == ["Ваш заказ в пути."]


def test_crash_between_send_and_commit_never_sends_twice(
    db: Database, fake: FakeOzon, client: OzonClient, synced: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    OutboxService(db).queue(synced, "Спасибо за ожидание!")

    def crash(*args: object, **kw: object) -> None:
        raise SystemExit("power cut")

    with monkeypatch.context() as m:
        m.setattr(outbox_repo, "mark_sent", crash)
        with pytest.raises(SystemExit):
            OutboxService(db, client).deliver()
    assert sent_texts(fake) == ["Спасибо за ожидание!"]
    with db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry is not None and (entry.state, entry.attempts) == ("sending", 1)
    # A new process starts: the entry stays its dead sender's while the lease lasts...
    early = OutboxService(db, client).deliver()
    assert (early.reconciled, early.sent, early.taken) == (0, 0, 0)
    # ...then it is taken over and found in the history, not sent again.
    report = OutboxService(db, client, clock=later()).deliver()
    assert (report.reconciled, report.sent) == (1, 0)
    assert sent_texts(fake) == ["Спасибо за ожидание!"]
    # The sync sees the platform copy and does not store it a second time.
    again = SyncService(db, client, "Yuexin").run()
    assert again.created["messages"] == 0
    with db.begin() as s:
        texts = s.scalars(select(Message.text).where(Message.conversation_id == synced)).all()
    assert texts.count("Спасибо за ожидание!") == 1


def test_sync_attaches_a_reply_whose_sender_crashed(
    db: Database, fake: FakeOzon, client: OzonClient, synced: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    OutboxService(db).queue(synced, "Ответ")
    with monkeypatch.context() as m:
        m.setattr(
            outbox_repo, "mark_sent", lambda *a, **k: (_ for _ in ()).throw(SystemExit("crash"))
        )
        with pytest.raises(SystemExit):
            OutboxService(db, client).deliver()
    report = SyncService(db, client, "Yuexin").run()
    assert report.created["messages"] == 0 and report.updated["messages"] == 1
    assert OutboxService(db, client).deliver().sent == 0  # nothing left to send
    assert sent_texts(fake) == ["Ответ"]


def test_identical_replies_are_two_messages(
    db: Database, fake: FakeOzon, client: OzonClient, synced: int
) -> None:
    service = OutboxService(db)
    service.queue(synced, "Спасибо!")
    service.queue(synced, "Спасибо!")
    report = OutboxService(db, client).deliver()
    assert report.sent == 2 and sent_texts(fake) == ["Спасибо!", "Спасибо!"]
    with db.begin() as s:
        ids = s.scalars(select(OutboxEntry.platform_message_id)).all()
    assert len(set(ids)) == 2 and None not in ids


def test_permanent_refusal_marks_failed_with_reason(
    db: Database, fake: FakeOzon, client: OzonClient, synced: int
) -> None:
    OutboxService(db).queue(synced, "Здравствуйте")
    fake.inject("subscription", "/v1/chat/send/message")
    report = OutboxService(db, client).deliver()
    assert report.failed == 1 and sent_texts(fake) == []
    with db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert (
            entry is not None
            and entry.state == "failed"
            and "subscription required" in (entry.last_error or "")
        )


def test_a_key_the_server_echoes_is_never_stored_or_logged(
    db: Database, fake: FakeOzon, synced: int, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 19: the outbox stored the key in ``last_error`` when the server's message held it."""
    import logging

    import httpx

    from ozondesk.services.credentials import from_environment

    key = "echoed-secret-key-4f9a"
    monkeypatch.setenv("OZON_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("OZON_API_KEY", key)
    creds = from_environment("Yuexin")  # as `sync --send` loads it; registers it for redaction
    assert creds is not None
    answers = iter([500, 400])

    def echo(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/chat/history":  # the first try did not get through
            return httpx.Response(200, json={"has_next": False, "messages": []})
        message = f"key {request.headers['Api-Key']} may not send here"
        return httpx.Response(next(answers), json={"code": 3, "message": message})

    OutboxService(db).queue(synced, "Здравствуйте! Проверим и ответим сегодня.")
    caplog.set_level(logging.DEBUG)
    with OzonClient(creds.client_id, creds.api_key, "http://ozon.invalid", rate=None, retries=0,
                    transport=httpx.MockTransport(echo)) as client:
        retrying = OutboxService(db, client).deliver()
        with db.begin() as s:
            first_error = s.scalar(select(OutboxEntry.last_error))
        failed = OutboxService(db, client, clock=later()).deliver()
    with db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
    assert (retrying.retrying, failed.reconciled, failed.failed) == (1, 0, 1)
    assert entry is not None and entry.state == "failed"
    assert first_error is not None and "key *** may not send here" in first_error
    assert entry.last_error is not None and "key *** may not send here" in entry.last_error
    assert key not in first_error + entry.last_error
    assert key not in caplog.text

"""Outbox actions: answers to product questions and comments on reviews go out once, and a retry
after an attempt that may have got through looks on the platform instead of sending again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import to_storage, utcnow
from ozondesk.errors import UserError
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services import outbox_actions
from ozondesk.services.outbox import OutboxService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, OutboxEntry, ProductFeedback, Shop
from ozondesk.store.repos import outbox as outbox_repo


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=4, messages=2, questions=6, reviews=8, lifetime=120) as server:
        yield server


def later(minutes: int = 10) -> Callable[[], object]:
    return lambda: utcnow() + timedelta(minutes=minutes)


def add_conversation(db: Database, kind: str, platform_id: str, sku: int | None) -> int:
    now = to_storage(utcnow())
    with db.begin() as s:
        shop = s.scalar(select(Shop).where(Shop.ozon_seller_id == "123456"))
        if shop is None:
            shop = Shop(ozon_seller_id="123456", name="Юэсинь", created_at=now)
            s.add(shop)
            s.flush()
        conv = Conversation(
            shop_id=shop.id, kind=kind, platform_id=platform_id, subject="?",
            sla_policy="chat-first-response", received_at=now,
        )
        s.add(conv)
        s.flush()
        s.add(ProductFeedback(conversation_id=conv.id, sku=sku, photos=[], videos=0,
                              has_reply=False, replies=0))
        return conv.id


@pytest.fixture
def question(db: Database, fake: FakeOzon) -> int:
    world = fake.feedback
    return add_conversation(db, "question", world.question_id(0), world.question_sku(0))


@pytest.fixture
def review(db: Database, fake: FakeOzon) -> int:
    world = fake.feedback
    return add_conversation(db, "review", world.review_id(1), world.review_sku(1))


def created_texts(fake: FakeOzon) -> list[str]:
    return [c["text"] for c in fake.feedback.created]


def entry_and_message(db: Database) -> tuple[OutboxEntry, Message | None]:
    with db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry is not None
        message = s.get(Message, entry.message_id) if entry.message_id else None
        s.expunge_all()
        return entry, message


def test_the_registry_holds_the_three_actions() -> None:
    assert {"chat_message", "question_answer", "review_comment"} <= set(outbox_actions.registered())
    with pytest.raises(ValueError, match="longer than"):
        outbox_actions.register("x" * 25, lambda d, e: None, lambda d, e: False)


def test_an_answer_is_queued_and_delivered_once(
    db: Database, fake: FakeOzon, client: OzonClient, question: int
) -> None:
    item = OutboxService(db).queue_public_reply(question, "Здравствуйте! Подойдёт размер M.")
    assert (item.action, item.chat_id, item.payload) == (
        "question_answer", fake.feedback.question_id(0), {"sku": fake.feedback.question_sku(0)}
    )
    report = OutboxService(db, client).deliver()
    assert (report.sent, report.reconciled, report.retrying, report.failed) == (1, 0, 0, 0)
    assert created_texts(fake) == ["Здравствуйте! Подойдёт размер M."]
    entry, message = entry_and_message(db)
    answer_id = fake.feedback.created[0]["answer_id"]
    assert (entry.state, entry.attempts, entry.platform_message_id) == ("sent", 1, answer_id)
    assert message is not None
    assert (message.delivery_state, message.platform_message_id, message.side) == (
        "sent", answer_id, "seller"
    )
    assert OutboxService(db, client, clock=later()).deliver().sent == 0
    assert created_texts(fake) == ["Здравствуйте! Подойдёт размер M."]
    assert fake.calls.get("/v1/chat/send/message") is None


def test_a_crash_after_the_answer_went_out_reconciles_instead_of_resending(
    db: Database, fake: FakeOzon, client: OzonClient, question: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    OutboxService(db).queue_public_reply(question, "Да, можно стирать при 30 градусах.")

    def crash(*args: object, **kw: object) -> None:
        raise SystemExit("power cut")

    with monkeypatch.context() as m:
        m.setattr(outbox_repo, "mark_sent", crash)
        with pytest.raises(SystemExit):
            OutboxService(db, client).deliver()
    entry, _message = entry_and_message(db)
    assert (entry.state, entry.attempts) == ("sending", 1)
    report = OutboxService(db, client, clock=later()).deliver()
    assert (report.reconciled, report.sent) == (1, 0)
    assert created_texts(fake) == ["Да, можно стирать при 30 градусах."]
    assert fake.calls["/v1/question/answer/list"] == 1
    entry, message = entry_and_message(db)
    assert entry.state == "sent" and message is not None and message.delivery_state == "sent"


def test_a_dropped_answer_that_never_ran_is_sent_on_the_retry(
    db: Database, fake: FakeOzon, client: OzonClient, question: int
) -> None:
    OutboxService(db).queue_public_reply(question, "Есть синий цвет, выберите его в карточке.")
    fake.inject("drop", "/v1/question/answer/create")
    first = OutboxService(db, client).deliver()
    assert (first.retrying, first.sent) == (1, 0) and created_texts(fake) == []
    second = OutboxService(db, client, clock=later()).deliver()
    assert (second.reconciled, second.sent) == (0, 1)
    assert created_texts(fake) == ["Есть синий цвет, выберите его в карточке."]


def test_a_review_comment_dropped_after_it_ran_is_found_not_resent(
    db: Database, fake: FakeOzon, client: OzonClient, review: int
) -> None:
    OutboxService(db).queue_public_reply(review, "Спасибо за отзыв! Учтём ваше замечание.")
    fake.inject("drop_after", "/v1/review/comment/create")
    first = OutboxService(db, client).deliver()
    assert (first.retrying, first.sent) == (1, 0)
    assert created_texts(fake) == ["Спасибо за отзыв! Учтём ваше замечание."]
    second = OutboxService(db, client, clock=later()).deliver()
    assert (second.reconciled, second.sent) == (1, 0)
    assert created_texts(fake) == ["Спасибо за отзыв! Учтём ваше замечание."]
    assert fake.feedback.review_status_of(1) == "PROCESSED"
    entry, message = entry_and_message(db)
    assert (entry.action, entry.state) == ("review_comment", "sent")
    assert message is not None and message.delivery_state == "sent"


def test_a_review_comment_is_delivered_once(
    db: Database, fake: FakeOzon, client: OzonClient, review: int
) -> None:
    OutboxService(db).queue_public_reply(review, "Спасибо, что выбрали нас!")
    assert OutboxService(db, client).deliver().sent == 1
    assert OutboxService(db, client, clock=later()).deliver().sent == 0
    assert created_texts(fake) == ["Спасибо, что выбрали нас!"]
    assert fake.feedback.created[0]["review_id"] == fake.feedback.review_id(1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("   ", "empty"), ("Д", "at least 2"), ("x" * 3001, "at most 3000"), ("<b>Да</b>", "plain text")],
)
def test_a_public_reply_the_platform_would_refuse_is_not_queued(
    db: Database, question: int, text: str, reason: str
) -> None:
    with pytest.raises(UserError, match=reason):
        OutboxService(db).queue_public_reply(question, text)
    assert OutboxService(db).pending() == 0


def test_a_chat_is_no_public_reply_target(db: Database, fake: FakeOzon) -> None:
    conv = add_conversation(db, "buyer_chat", fake.world.chat_id(0), None)
    with pytest.raises(UserError, match="no product question or review"):
        OutboxService(db).queue_public_reply(conv, "Здравствуйте!")
    assert OutboxService(db).pending() == 0


def test_an_action_this_desk_does_not_know_waits_for_a_newer_desk(
    db: Database, fake: FakeOzon, client: OzonClient, question: int
) -> None:
    with db.begin() as s:
        outbox_repo.enqueue_action(s, question, "approve_something", "x1", utcnow(), as_message=False)
    report = OutboxService(db, client).deliver()
    assert (report.retrying, report.failed, report.sent) == (1, 0, 0)
    entry, message = entry_and_message(db)
    assert entry.state == "pending" and entry.message_id is None and message is None
    assert "approve_something" in (entry.last_error or "")

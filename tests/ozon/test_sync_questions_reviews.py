"""The sync's question and review stages against the fake Seller API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import utcnow
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, ProductFeedback
from ozondesk.store.repos import feedback as feedback_repo
from ozondesk.store.repos import outbox as outbox_repo

QUESTIONS, REVIEWS = 12, 16


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=4, messages=2, questions=QUESTIONS, reviews=REVIEWS,
                  lifetime=120) as server:
        yield server


def conversation(db: Database, kind: str, platform_id: str) -> Conversation:
    with db.begin() as s:
        conv = s.scalar(select(Conversation).where(
            Conversation.kind == kind, Conversation.platform_id == platform_id
        ))
        assert conv is not None
        s.expunge(conv)
        return conv


def thread(db: Database, conv_id: int) -> list[tuple[str, str]]:
    with db.begin() as s:
        rows = s.execute(select(Message.side, Message.text).where(
            Message.conversation_id == conv_id).order_by(Message.created_at, Message.id)).all()
    return [(side, text) for side, text in rows]


def test_first_sync_creates_every_question_and_review_and_the_second_nothing(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    first = SyncService(db, client, "Yuexin").run()
    assert first.errors == [] and first.skipped == []
    assert (first.created["questions"], first.created["reviews"]) == (QUESTIONS, REVIEWS)
    calls = dict(fake.calls)
    # Pages of 100: one list call each; answers only for the 4 answered questions, comments
    # for the 4 commented reviews, photo links for the 4 reviews with photos.
    assert calls["/v1/question/list"] == 1 and calls["/v1/question/answer/list"] == 4
    assert calls["/v2/review/list"] == 1 and calls["/v1/review/comment/list"] == 4
    assert calls["/v2/review/info"] == 4
    second = SyncService(db, client, "Yuexin").run()
    assert second.created == dict.fromkeys(second.created, 0)
    assert (second.updated["questions"], second.updated["reviews"]) == (0, 0)
    assert fake.calls["/v1/question/answer/list"] == 4  # nothing changed: no reply fetched again
    assert fake.calls["/v1/review/comment/list"] == 4
    with db.begin() as s:
        kinds = s.scalars(select(Conversation.kind)).all()
    assert kinds.count("question") == QUESTIONS and kinds.count("review") == REVIEWS


def test_a_question_carries_its_product_and_its_answer(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    world = fake.feedback
    open_q = conversation(db, "question", world.question_id(0))
    answered = conversation(db, "question", world.question_id(2))
    assert (open_q.status, open_q.sla_policy, open_q.first_response_at) == (
        "open", "question-answer", None
    )
    assert open_q.due_at is not None and open_q.unread_count == 1  # NEW on the platform
    assert thread(db, open_q.id) == [("buyer", world.question_json(0)["text"])]
    assert answered.status == "resolved" and answered.first_response_at is not None
    assert answered.due_at is None
    assert thread(db, answered.id) == [
        ("buyer", world.question_json(2)["text"]),
        ("seller", world.question_answers(2)[0].text),
    ]
    with db.read() as s:
        ctx = feedback_repo.context(s, open_q.id)
    sku = world.question_sku(0)
    assert ctx is not None
    assert (ctx.kind, ctx.sku, ctx.offer_id, ctx.product_name) == (
        "question", sku, f"YX-{sku % 1000:03d}", f"Товар №{sku % 1000}"
    )
    assert ctx.image == f"https://cdn.example/{sku % 1000}.jpg"
    assert ctx.product_url == world.question_json(0)["product_url"]
    assert ctx.link == world.question_json(0)["question_link"]
    assert (ctx.platform_status, ctx.has_reply, ctx.replies) == ("NEW", False, 0)


def test_a_review_carries_rating_photos_order_status_and_whether_we_replied(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    world = fake.feedback
    with db.read() as s:
        contexts = {
            k: feedback_repo.context(s, conversation(db, "review", world.review_id(k)).id)
            for k in (0, 3, 9)
        }
    photos0 = contexts[0]
    assert photos0 is not None and photos0.rating == world.rating(0)
    assert photos0.photos == tuple(p["url"] for p in world.photos(0)) and len(photos0.photos) == 2
    commented = contexts[3]
    assert commented is not None and (commented.has_reply, commented.replies) == (True, 1)
    cancelled = contexts[9]
    assert cancelled is not None and cancelled.order_status == "CANCELLED"
    low = conversation(db, "review", world.review_id(0))  # rating 1
    high = conversation(db, "review", world.review_id(3))  # rating 5, answered
    assert (world.rating(0), low.priority, low.status) == (1, "urgent", "open")
    assert (world.rating(3), high.priority, high.status) == (5, "normal", "resolved")
    assert thread(db, high.id)[-1] == ("seller", world.review_comments(3)[0].text)


def test_an_answer_made_in_the_seller_cabinet_arrives_with_the_next_sync(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    fake.feedback.add_answer(0, "Да, можно выбрать синий.")
    report = SyncService(db, client, "Yuexin").run()
    assert (report.created["questions"], report.updated["questions"]) == (0, 1)
    conv = conversation(db, "question", fake.feedback.question_id(0))
    assert thread(db, conv.id)[-1] == ("seller", "Да, можно выбрать синий.")
    assert conv.first_response_at is not None and conv.due_at is None
    with db.begin() as s:
        fb = s.get(ProductFeedback, conv.id)
        assert fb is not None and (fb.has_reply, fb.replies, fb.platform_status) == (
            True, 1, "PROCESSED"
        )


def test_our_answer_is_one_message_after_the_sync(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    conv = conversation(db, "question", fake.feedback.question_id(0))
    OutboxService(db).queue_public_reply(conv.id, "Здравствуйте! Есть синий цвет.")
    assert OutboxService(db, client).deliver().sent == 1
    report = SyncService(db, client, "Yuexin").run()
    assert report.created["questions"] == 0
    texts = [t for _side, t in thread(db, conv.id)]
    assert texts.count("Здравствуйте! Есть синий цвет.") == 1


def test_an_answer_whose_sender_crashed_is_attached_by_the_sync_not_doubled(
    db: Database, fake: FakeOzon, client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    SyncService(db, client, "Yuexin").run()
    conv = conversation(db, "question", fake.feedback.question_id(0))
    OutboxService(db).queue_public_reply(conv.id, "Стирать при 30 градусах.")
    with monkeypatch.context() as m:
        m.setattr(outbox_repo, "mark_sent",
                  lambda *a, **k: (_ for _ in ()).throw(SystemExit("crash")))
        with pytest.raises(SystemExit):
            OutboxService(db, client).deliver()
    SyncService(db, client, "Yuexin").run()
    rows = thread(db, conv.id)
    assert [t for _s, t in rows].count("Стирать при 30 градусах.") == 1
    later = lambda: utcnow() + timedelta(minutes=10)  # noqa: E731
    assert OutboxService(db, client, clock=later).deliver().sent == 0
    assert [c["text"] for c in fake.feedback.created] == ["Стирать при 30 градусах."]


def test_reviews_without_the_subscription_are_skipped_with_one_line(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("subscription", "/v2/review/list")
    report = SyncService(db, client, "Yuexin").run()
    assert report.created["questions"] == QUESTIONS and report.created["reviews"] == 0
    assert [s.method for s in report.skipped] == ["/v2/review/list"]
    assert "subscription" in report.skipped[0].reason
    assert report.errors == []
    assert report.created["chats"] == 4 - (4 // 20)  # the other stages went on


def test_an_unreadable_question_is_reported_and_the_rest_stored(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("bad_record", "/v1/question/list")
    report = SyncService(db, client, "Yuexin").run()
    assert report.created["questions"] == QUESTIONS
    assert len(report.errors) == 1 and "question" in report.errors[0].message


def test_questions_page_by_last_id(db: Database, client: OzonClient) -> None:
    with FakeOzon(port=0, chats=1, messages=1, questions=250, reviews=0, lifetime=60) as fake:
        paged = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        try:
            report = SyncService(db, paged, "Yuexin").run()
        finally:
            paged.close()
        assert report.created["questions"] == 250 and fake.calls["/v1/question/list"] == 3


def test_a_poll_reads_only_the_newest_page_and_stops_at_known_ones(db: Database) -> None:
    with FakeOzon(port=0, chats=1, messages=1, questions=250, reviews=0, lifetime=60) as fake:
        client = OzonClient(fake.client_id, fake.api_key, fake.url, rate=None)
        try:
            SyncService(db, client, "Yuexin").run()
            assert fake.calls["/v1/question/list"] == 3
            fake.feedback.add_questions(3)
            poll = SyncService(db, client, "Yuexin").run(unread_only=True)
            assert poll.created["questions"] == 3
            assert fake.calls["/v1/question/list"] == 4  # newest first: one page, then known
            quiet = SyncService(db, client, "Yuexin").run(unread_only=True)
            assert quiet.created["questions"] == 0 and quiet.updated["questions"] == 0
            assert fake.calls["/v1/question/list"] == 5
        finally:
            client.close()


def test_questions_and_reviews_are_listed_filtered_and_found_in_the_inbox(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    from ozondesk.services.inbox import InboxFilter, InboxService

    SyncService(db, client, "Yuexin").run()
    inbox = InboxService(db)
    everything = InboxFilter(statuses=())
    assert inbox.count(InboxFilter(statuses=(), kind="question")) == QUESTIONS
    assert inbox.count(InboxFilter(statuses=(), kind="review")) == REVIEWS
    # Open ones only: questions 2, 5, 8, 11 are answered, reviews 3, 7, 11, 15 commented.
    assert inbox.count(InboxFilter(kind="question")) == QUESTIONS - 4
    assert inbox.count(InboxFilter(kind="review")) == REVIEWS - 4
    washing = [k for k in range(QUESTIONS) if "стирать" in fake.feedback.question_json(k)["text"]]
    found = inbox.page(0, 50, InboxFilter(statuses=(), kind="question", query="стирать"))
    assert len(found) == len(washing) > 0 and all(r.kind == "question" for r in found)
    rows = inbox.page(0, 100, everything)
    review_rows = [r for r in rows if r.kind == "review"]
    assert all(r.title[0] in "12345" and r.title[1] == "★" for r in review_rows)
    breached = inbox.count(InboxFilter(kind="question", breached=True, now=utcnow()))
    assert breached == QUESTIONS - 4  # asked a day ago: their 4 desk hours are over

"""Answering a product question and commenting on a review: the composer's public-reply rules,
the outbox action it queues, and what the context panel shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from desk_setup import Clock
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    Message,
    OutboxEntry,
    Product,
    ProductFeedback,
    Shop,
)
from ozondesk.ui.composer import Composer
from ozondesk.ui.context_panel import ContextPanel
from ozondesk.ui.tasks import TaskRunner

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)
SKU = 200_000_007
QUESTION = "0192a009-769f-7ee9-b412-893045171a66"
REVIEW = "017c0d1c-66d3-b838-3d29-cf9b95a6ac48"


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def seed(db: Database) -> tuple[int, int, int]:
    """A shop with one agent (李明, login li.ming), a product, a question asked five days ago
    and a two-star review with photos."""
    asked = naive(NOW - timedelta(days=5))
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW - timedelta(days=30)))
        s.add(shop)
        s.flush()
        agent = Agent(shop_id=shop.id, login="li.ming", display_name="Ли Мин", role="agent")
        s.add(agent)
        s.add(Product(shop_id=shop.id, sku=SKU, offer_id="YX-007", name="Плед флисовый 150×200",
                      image="https://cdn.example/7.jpg"))
        ids = []
        for kind, pid, text, rating in (
            ("question", QUESTION, "Можно стирать в машинке?", None),
            ("review", REVIEW, "Пришёл с затяжкой, расстроена.", 2),
        ):
            conv = Conversation(shop_id=shop.id, kind=kind, platform_id=pid, subject=text,
                                buyer_name="Анна Смирнова" if kind == "question" else None,
                                sla_policy="question-answer" if kind == "question" else "review-comment",
                                received_at=asked)
            s.add(conv)
            s.flush()
            s.add(Message(conversation_id=conv.id, platform_message_id=pid, side="buyer", text=text,
                          created_at=asked))
            s.add(ProductFeedback(
                conversation_id=conv.id, sku=SKU, photos=(
                    ["https://cdn.example/r/1.jpg", "https://cdn.example/r/2.jpg"] if rating else []
                ), videos=0, rating=rating, has_reply=False, replies=0,
                product_url="https://www.ozon.ru/product/149829950/",
                link="https://www.ozon.ru/product/149829950/questions/?qid=1" if not rating else None,
                order_status="DELIVERED" if rating else None, platform_status="NEW",
            ))
            ids.append(conv.id)
        return ids[0], ids[1], agent.id


class Desk:
    def __init__(self, qtbot: Any, db: Database) -> None:
        self.qtbot, self.db = qtbot, db
        self.clock = Clock(NOW)
        self.runner = TaskRunner()
        self.service = ComposeService(db, clock=self.clock)
        self.question, self.review, self.agent = seed(db)

    def composer(self, cid: int) -> Composer:
        c = Composer(self.service, self.runner, agent_id=self.agent, agent_name="Ли Мин",
                     clock=self.clock, autosave_ms=100)
        self.qtbot.addWidget(c)
        c.show()
        with self.qtbot.waitSignal(c.loaded, timeout=5000):
            c.set_conversation(ConversationService(self.db).detail(cid, self.clock()), self.clock())
        self.qtbot.waitUntil(lambda: c._ready, timeout=5000)
        return c

    def type(self, c: Composer, text: str) -> None:
        with self.qtbot.waitSignal(c.linted, timeout=3000):
            c.editor.setFocus()
            c.editor.selectAll()
            c.editor.insertPlainText(text)

    def close(self) -> None:
        self.qtbot.waitUntil(lambda: self.runner.pending == 0, timeout=5000)
        self.runner.shutdown()


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(qtbot, db)
    yield d
    d.close()


def public_rules(c: Composer) -> list[tuple[str, str]]:
    return [(f.rule, f.text) for f in c.findings if f.rule.startswith("public.")]


def test_an_answer_naming_the_order_and_the_agent_cannot_go_out(qtbot: Any, desk: Desk) -> None:
    c = desk.composer(desk.question)
    desk.type(c, "Анна Смирнова, ваш заказ 38429571-0012 уже в пути. Ли Мин")
    assert public_rules(c) == [
        ("public.personal-data.buyer-name", "Анна Смирнова"),
        ("public.order-number", "заказ 38429571-0012"),
        ("public.internal-name", "Ли Мин"),
    ]
    assert not c.send_button.isEnabled()
    assert any("3 errors to fix" in b for b in c.send_blockers())


def test_a_clean_answer_to_an_old_question_is_queued_as_a_question_answer(
    qtbot: Any, desk: Desk
) -> None:
    c = desk.composer(desk.question)
    assert "/ 3000" in c.counter.text()
    # Five days after the question: no chat window applies to a public answer.
    desk.type(c, "Здравствуйте! Да, стирать можно в машинке при 30 градусах на деликатном режиме.")
    assert public_rules(c) == [] and c.send_blockers() == []
    assert c.send_button.isEnabled()
    c.send()
    qtbot.waitUntil(lambda: c.last_outcome is not None, timeout=5000)
    with desk.db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry is not None
        assert (entry.action, entry.chat_id, json.loads(entry.payload or "{}")) == (
            "question_answer", QUESTION, {"sku": SKU}
        )


def test_a_review_comment_blaming_the_buyer_is_stopped(qtbot: Any, desk: Desk) -> None:
    c = desk.composer(desk.review)
    desk.type(c, "Вы сами виноваты, читайте внимательнее описание.")
    assert [r for r, _t in public_rules(c)] == ["public.blame", "public.blame"]
    assert not c.send_button.isEnabled()
    desk.type(c, "Спасибо за отзыв! Нам жаль, что так вышло: напишите нам в чат заказа, заменим плед.")
    assert public_rules(c) == [] and c.send_button.isEnabled()
    c.send()
    qtbot.waitUntil(lambda: c.last_outcome is not None, timeout=5000)
    with desk.db.begin() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry is not None and (entry.action, entry.chat_id) == ("review_comment", REVIEW)


def test_the_context_panel_shows_the_product_and_the_review(qtbot: Any, desk: Desk) -> None:
    panel = ContextPanel()
    qtbot.addWidget(panel)
    question = ConversationService(desk.db).detail(desk.question, NOW)
    panel.show_detail(question, NOW)
    text = panel.browser.toPlainText()
    assert "Плед флисовый 150×200" in text and "YX-007" in text and str(SKU) in text
    assert "no reply yet" in text and "No order is linked" not in text
    assert "open the question" in text
    review = ConversationService(desk.db).detail(desk.review, NOW)
    panel.show_detail(review, NOW)
    text = panel.browser.toPlainText()
    assert "★★☆☆☆ (2/5)" in text and "delivered" in text
    html = panel.browser.toHtml()
    assert "https://cdn.example/r/1.jpg" in html and "https://cdn.example/r/2.jpg" in html


def test_the_dashboard_has_a_row_per_kind_with_questions_and_reviews(qtbot: Any) -> None:
    from datetime import date

    from ozondesk.domain import metrics
    from ozondesk.domain.policies import DEFAULT_POLICIES
    from ozondesk.ui.dashboard_models import TableModel, fill_kinds

    def facts(id: int, kind: str, policy: str) -> metrics.ConversationFacts:
        at = NOW - timedelta(hours=30)
        return metrics.conversation_facts(
            id=id, kind=kind, agent=None, policy=DEFAULT_POLICIES[policy], received_at=at,
            first_response_at=at + timedelta(minutes=10), resolved_at=None,
            waiting_on_warehouse=False,
        )

    rows = [facts(1, "buyer_chat", "chat-first-response"), facts(2, "question", "question-answer"),
            facts(3, "review", "review-comment")]
    report = metrics.summarize(rows, NOW, date(2026, 11, 21), date(2026, 11, 23))
    model = TableModel()
    fill_kinds(model, report)
    headers, cells = model.cells()
    assert headers[:4] == ["Kind", "Conversations", "Due", "FRR"]
    assert [r[:2] for r in cells] == [["Chat", "1"], ["Product question", "1"], ["Product review", "1"]]


@pytest.mark.parametrize(
    ("kind", "label", "channels"),
    [
        ("question", "Publish answer", {"question"}),
        ("review", "Publish comment", {"review"}),
    ],
)
def test_a_public_reply_offers_its_own_templates_and_says_it_publishes(
    qtbot: Any, desk: Desk, kind: str, label: str, channels: set[str]
) -> None:
    from ozondesk.services.templates import TemplateService

    TemplateService(desk.db).seed_starter_library(NOW - timedelta(days=1))
    c = desk.composer(desk.question if kind == "question" else desk.review)
    assert c.send_button.text() == label
    if kind == "question":
        desk.type(c, "Здравствуйте! Да, стирать можно в машинке при 30 градусах.")
        qtbot.waitUntil(c.send_button.isEnabled, timeout=8000)
        assert "every shopper" in c.send_button.toolTip()
    c.open_templates()
    qtbot.waitUntil(lambda: c.picker.model.rowCount() > 0, timeout=8000)
    shown = c.picker.model.choices
    assert {t.channel for t in shown} == channels
    # Every live template of that channel, and only those, from the starter library.
    everything = desk.service.templates(desk.clock())
    assert {t.slug for t in shown} == {t.slug for t in everything if t.channel == kind}


def test_a_chat_offers_no_public_templates_and_says_send(qtbot: Any, desk: Desk) -> None:
    from ozondesk.services.compose import TemplateChoice

    c = desk.composer(desk.question)
    chat = ConversationService(desk.db).detail(desk.question, desk.clock())
    # The same composer moved to a buyer chat: the label and the picker follow the kind.
    with qtbot.waitSignal(c.loaded, timeout=8000):
        c.set_conversation(replace(chat, kind="buyer_chat"), desk.clock())
    assert c.send_button.text() == "Send"
    c._templates_loaded(
        [
            TemplateChoice(1, "a", "Чат", "Текст", "", (), "other", 0, "chat"),
            TemplateChoice(2, "b", "Тикет", "Текст", "", (), "other", 0, "ticket"),
            TemplateChoice(3, "c", "Вопрос", "Текст", "", (), "question", 0, "question"),
            TemplateChoice(4, "d", "Отзыв", "Текст", "", (), "review", 0, "review"),
        ]
    )
    assert [t.slug for t in c.picker.model.choices] == ["a", "b"]

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ozondesk.domain.clock import MOSCOW
from ozondesk.errors import UserError
from ozondesk.services.conversation import ConversationService
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    Message,
    Posting,
    PostingItem,
    Shop,
    StatusChange,
)


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def test_detail_has_thread_context_and_explained_targets(db: Database) -> None:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(msk(1, 0)))
        s.add(shop)
        s.flush()
        agent = Agent(shop_id=shop.id, login="wang", display_name="王芳", role="agent")
        posting = Posting(shop_id=shop.id, posting_number="123-0001-1", scheme="FBS", status="delivering",
                          carrier_status="В пути", eta=naive(msk(25, 12)))
        s.add_all([agent, posting])
        s.flush()
        s.add(PostingItem(posting_id=posting.id, sku=1234567890, offer_id="YX-1", name="Наушники",
                          quantity=1, price=Decimal("1890.00")))
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id="c1", buyer_name="Анна",
                            sla_policy="chat-first-response", received_at=naive(msk(22, 22, 55)),
                            posting_id=posting.id, assignee_id=agent.id, status="waiting_buyer")
        s.add(conv)
        s.flush()
        s.add_all([
            Message(conversation_id=conv.id, side="buyer", text="Где заказ?", created_at=naive(msk(22, 22, 55))),
            Message(conversation_id=conv.id, side="seller", author_agent_id=agent.id,
                    text="Заказ придёт 25 ноября до 12:00 МСК.", created_at=naive(msk(23, 9, 10)),
                    delivery_state="delivered"),
            StatusChange(conversation_id=conv.id, status="waiting_buyer", at=naive(msk(23, 9, 11))),
        ])
        cid = conv.id
    detail = ConversationService(db).detail(cid, msk(23, 12))
    assert [m.side for m in detail.messages] == ["buyer", "seller"]
    assert detail.messages[1].author == "王芳"
    assert detail.posting is not None and detail.posting.items[0].name == "Наушники"
    first = detail.targets[0]
    # 22:55–23:00 counts 5 min, the night is closed, 09:00–09:10 counts 10 more: met just in time.
    assert first.kind == "first-response" and first.deadline == msk(23, 9, 10)
    assert first.met_at == msk(23, 9, 10)
    closed = [seg for seg in detail.timeline if not seg.counted]
    assert closed and closed[0].reason == "closed hours"


def test_missing_conversation_is_a_user_error(db: Database) -> None:
    with pytest.raises(UserError, match="no longer exists"):
        ConversationService(db).detail(404, msk(23, 12))


def test_placeholders_come_from_the_conversation(db: Database) -> None:
    from ozondesk.domain.templates import render
    from ozondesk.services.demo import generate
    from ozondesk.services.template_context import context_values

    now = msk(23, 12)
    generate(db, size=40, now=now)
    service = ConversationService(db)
    with db.begin() as s:
        from sqlalchemy import select

        cid = s.scalar(
            select(Conversation.id).where(
                Conversation.kind == "buyer_chat", Conversation.posting_id.is_not(None),
                Conversation.status == "open", Conversation.first_response_at.is_(None),
            )
        )
    assert cid is not None
    received = service.detail(cid, now).received_at
    now = received + timedelta(minutes=1)  # the first-response clock is still running
    detail = service.detail(cid, now)
    values = context_values(detail, now, shop_name="Юэсинь")
    assert detail.posting is not None
    assert values["posting_number"] == detail.posting.posting_number
    assert values["buyer_name"] == detail.title.split()[0]
    text = render("Здравствуйте, {buyer_name}! Отправление {posting_number}: ответим до {deadline_msk}.",
                  values, now=now)
    assert detail.posting.posting_number in text and "МСК" in text
    with pytest.raises(UserError):  # a placeholder the conversation cannot fill is an error
        render("{refund_amount}", values, now=now)

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

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
                            posting_id=posting.id, assignee_id=agent.id, status="waiting_buyer",
                            # Recorded with the reply, as sync and the outbox do: the stored
                            # outcome the context shows reads it.
                            first_response_at=naive(msk(23, 9, 10)))
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
    generate(db, size=60, now=now)
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


def _shop_with_buyer_history(db: Database) -> dict[str, int]:
    """Анна's current chat about order 555, her earlier conversations, and others' that must not show."""
    ids: dict[str, int] = {}
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(msk(1, 0)))
        other_shop = Shop(ozon_seller_id="2", name="Other", created_at=naive(msk(1, 0)))
        s.add_all([shop, other_shop])
        s.flush()
        current_posting = Posting(shop_id=shop.id, posting_number="555-0001-1", order_number="555-0001",
                                  scheme="FBS", status="delivering", carrier_status="Задерживается на таможне",
                                  tracking_number="OZ1RU", shipped_at=naive(msk(10, 12)), eta=naive(msk(20, 12)))
        sibling = Posting(shop_id=shop.id, posting_number="555-0001-2", order_number="555-0001",
                          scheme="FBS", status="delivered")
        s.add_all([current_posting, sibling])
        s.flush()
        s.add_all([
            PostingItem(posting_id=current_posting.id, sku=1, offer_id="RUN", name="Кроссовки беговые",
                        quantity=2, price=Decimal("1000.00")),
            PostingItem(posting_id=current_posting.id, sku=2, offer_id="TWS", name="Беспроводные наушники",
                        quantity=1, price=Decimal("1890.00")),
        ])

        def conv(key: str, day: int, **kw: object) -> None:
            fields: dict[str, object] = {
                "shop_id": shop.id, "kind": "buyer_chat", "platform_id": key, "buyer_name": "Анна",
                "sla_policy": "chat-first-response", "received_at": naive(msk(day, 12)), "status": "resolved",
                "last_message_preview": f"text {key}",
            }
            fields.update(kw)
            row = Conversation(**fields)
            s.add(row)
            s.flush()
            ids[key] = row.id

        conv("current", 22, posting_id=current_posting.id, status="open")
        for day in range(1, 8):
            conv(f"anna{day}", day)
        conv("ticket", 15, kind="buyer_ticket", subject="Возврат товара", sla_policy="verified-support")
        # No name, but a posting of the same order: the same buyer.
        conv("platform", 16, kind="ozon_ticket", buyer_name=None, posting_id=sibling.id,
             sla_policy="ozon-ticket", subject="Претензия по отправлению 555-0001-2")
        conv("later", 23)  # after the current one: not earlier
        conv("maria", 14, buyer_name="Мария")
        conv("elsewhere", 14, shop_id=other_shop.id)
    return ids


def test_earlier_conversations_of_the_same_buyer_newest_first(db: Database) -> None:
    ids = _shop_with_buyer_history(db)
    detail = ConversationService(db).detail(ids["current"], msk(23, 12))
    assert [c.id for c in detail.earlier] == [ids["platform"], ids["ticket"], ids["anna7"], ids["anna6"],
                                              ids["anna5"]]
    assert detail.earlier_more == 4  # anna1..anna4
    platform, ticket = detail.earlier[0], detail.earlier[1]
    assert platform.kind == "ozon_ticket" and platform.posting_number == "555-0001-2"
    assert ticket.subject == "Возврат товара" and ticket.status == "resolved"
    assert detail.earlier[2].preview == "text anna7"
    assert ticket.received_at == msk(15, 12)


def test_no_earlier_conversations_without_name_or_order(db: Database) -> None:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(msk(1, 0)))
        s.add(shop)
        s.flush()
        for key in ("a", "b"):
            s.add(Conversation(shop_id=shop.id, kind="account_manager", platform_id=key, subject="Акция",
                               sla_policy="am-first-response", received_at=naive(msk(20 + len(key), 9))))
        s.flush()
        cid = s.scalar(select(Conversation.id).where(Conversation.platform_id == "b"))
    detail = ConversationService(db).detail(cid, msk(23, 12))
    assert detail.earlier == () and detail.earlier_more == 0


def test_detail_carries_compliance_flags_and_a_delivery_answer(db: Database) -> None:
    from ozondesk.services.templates import TemplateService

    ids = _shop_with_buyer_history(db)
    TemplateService(db).seed_starter_library(msk(1, 0))
    now = msk(23, 12)
    detail = ConversationService(db).detail(ids["current"], now)
    assert {f.requirement for f in detail.compliance} == {"honest-sign", "eac"}
    suggestion = detail.suggestion
    assert suggestion is not None and suggestion.slug == "delay-customs"
    assert suggestion.values["eta_date"] > msk(23, 12).date()
    # Every template the panel names is offered with its title; the library has them all.
    assert set(detail.templates) == {"delay-customs", "compliance-marking", "compliance-declaration"}
    assert detail.templates["delay-customs"].title == "Задержка на таможне"
    assert detail.templates["compliance-marking"].gloss_zh


def test_templates_missing_from_the_library_are_not_offered(db: Database) -> None:
    ids = _shop_with_buyer_history(db)  # no starter library seeded
    detail = ConversationService(db).detail(ids["current"], msk(23, 12))
    assert detail.suggestion is not None and detail.suggestion.slug == "delay-customs"
    assert detail.templates == {}


def test_lost_parcel_refund_is_what_the_posting_cost(db: Database) -> None:
    ids = _shop_with_buyer_history(db)
    with db.begin() as s:
        posting = s.scalar(select(Posting).where(Posting.posting_number == "555-0001-1"))
        assert posting is not None
        posting.carrier_status = "В пути"
    detail = ConversationService(db).detail(ids["current"], msk(23, 12))
    assert detail.suggestion is not None and detail.suggestion.slug == "delay-lost-parcel"
    assert detail.suggestion.values == {"refund_amount": Decimal("3890.00")}


def test_a_broken_compliance_file_does_not_stop_the_conversation(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ozondesk.domain import compliance

    def broken() -> compliance.Rules:
        raise compliance.ComplianceRulesError("compliance rules are not valid JSON")

    monkeypatch.setattr(compliance, "default_rules", broken)
    ids = _shop_with_buyer_history(db)
    detail = ConversationService(db).detail(ids["current"], msk(23, 12))
    assert detail.compliance == () and detail.compliance_problem == "compliance rules are not valid JSON"
    assert detail.suggestion is not None  # the rest of the context is still there

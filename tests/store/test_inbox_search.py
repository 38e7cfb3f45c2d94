from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Shop

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


@pytest.fixture
def inbox(db: Database) -> InboxService:
    texts = [
        ("Анна", "Здравствуйте! ГДЕ мой заказ? Трек не обновляется.", "logistics-delay", 10),
        ("Иван", "Наушники не заряжаются, хочу вернуть.", "returns", -5),
        ("李娜", "我的订单在哪里？物流一直没有更新。", "logistics-delay", 200),
        ("Ольга", "Пришлите сертификат на увлажнитель, пожалуйста.", "compliance-documents", None),
    ]
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW))
        s.add(shop)
        s.flush()
        me = Agent(shop_id=shop.id, login="wang", display_name="王芳", role="agent")
        s.add(me)
        s.flush()
        for n, (buyer, text, category, _due_in) in enumerate(texts):
            conv = Conversation(
                shop_id=shop.id, kind="buyer_chat", platform_id=str(n), buyer_name=buyer,
                sla_policy="chat-first-response", received_at=naive(NOW - timedelta(hours=1)),
                category=category, assignee_id=me.id if n % 2 == 0 else None,
                last_message_at=naive(NOW), last_message_preview=text[:50],
            )
            s.add(conv)
            s.flush()
            s.add(Message(conversation_id=conv.id, side="buyer", text=text, created_at=naive(NOW)))
    with db.begin() as s:
        # Running deadlines set outright (a Core update the outcome hook leaves alone).
        for n, (_buyer, _text, _category, due_in) in enumerate(texts):
            s.execute(update(Conversation).where(Conversation.platform_id == str(n)).values(
                sla_due=naive(NOW + timedelta(minutes=due_in)) if due_in is not None else None))
    return InboxService(db)


def titles(service: InboxService, flt: InboxFilter) -> list[str]:
    assert service.count(flt) == len(rows := service.page(0, 50, flt))
    return sorted(r.title for r in rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("где мой", ["Анна"]),            # case-insensitive Cyrillic
        ("ЗАРЯЖАЮТСЯ", ["Иван"]),
        ("订单", ["李娜"]),                 # two Chinese characters: below the trigram length
        ("物流一直", ["李娜"]),
        ("сертификат", ["Ольга"]),
        ("нет такого текста", []),
        ('кавычки "и" %', []),             # FTS syntax and LIKE wildcards are taken literally
        ("ГД", ["Анна"]),                  # two Cyrillic letters, below the trigram length
        ("гд", ["Анна"]),
        ("Гд", ["Анна"]),
        ("Ъ", []),
        ("%", []),
        ("_", []),
        ("\x00", []),                      # a lone NUL matches nothing
        ("где\x00", []),                   # nor inside a longer query, and raises nothing
    ],
)
def test_search_finds_text_in_any_script(inbox: InboxService, query: str, expected: list[str]) -> None:
    assert titles(inbox, InboxFilter(statuses=(), query=query, now=NOW)) == expected


def test_search_results_carry_a_highlighted_snippet(inbox: InboxService) -> None:
    [row] = inbox.page(0, 10, InboxFilter(statuses=(), query="сертификат", now=NOW))
    assert "【сертификат】" in (row.snippet or "")
    [row] = inbox.page(0, 10, InboxFilter(statuses=(), query="订单", now=NOW))
    assert "【订单】" in (row.snippet or "")


def test_new_messages_are_found_after_the_next_count(inbox: InboxService, db: Database) -> None:
    flt = InboxFilter(statuses=(), query="возврат денег", now=NOW)
    assert inbox.count(flt) == 0
    with db.begin() as s:
        s.add(Message(conversation_id=4, side="buyer", text="Когда будет возврат денег?", created_at=naive(NOW)))
    assert inbox.count(flt) == 1


def test_filters(inbox: InboxService) -> None:
    assert titles(inbox, InboxFilter(statuses=(), category="logistics-delay", now=NOW)) == ["Анна", "李娜"]
    assert titles(inbox, InboxFilter(statuses=(), assignee_id=1, now=NOW)) == ["Анна", "李娜"]
    assert titles(inbox, InboxFilter(due_soon_minutes=30, now=NOW)) == ["Анна"]
    assert titles(inbox, InboxFilter(breached=True, now=NOW)) == ["Иван"]
    assert titles(inbox, InboxFilter(kind="buyer_ticket", now=NOW)) == []
    assert inbox.categories() == ["compliance-documents", "logistics-delay", "returns"]


def test_short_search_folds_yo_as_a_letter_of_its_own(inbox: InboxService, db: Database) -> None:
    with db.begin() as s:
        s.add(Message(conversation_id=2, side="buyer", text="ЁЖ", created_at=naive(NOW)))
    assert titles(inbox, InboxFilter(statuses=(), query="ёж", now=NOW)) == ["Иван"]
    assert titles(inbox, InboxFilter(statuses=(), query="Ё", now=NOW)) == ["Иван"]
    assert titles(inbox, InboxFilter(statuses=(), query="еж", now=NOW)) == []


def test_case_spellings() -> None:
    from ozondesk.store.dialect import case_spellings

    assert case_spellings("ёж") == ["ёж", "ёЖ", "Ёж", "ЁЖ"]
    assert case_spellings("7а") == ["7а", "7А"]
    assert case_spellings("订单") == ["订单"]

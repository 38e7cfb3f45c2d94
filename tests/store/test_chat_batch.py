"""A page of buyer chats stored in one batch (``upsert_chats``) gives exactly what storing them
one by one (``upsert_chat``) gave, and a batch of postings listing one twice stores its items
once (the first sync inserts a page's new rows together)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.ozon.records import ChatMessage, ChatSummary, PostingInfo, PostingProduct
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Conversation, Message, PostingItem, Shop
from ozondesk.store.repos import sync as repo

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _chat(n: int, *, unread: int = 1, status: str = "OPENED") -> ChatSummary:
    return ChatSummary(f"chat-{n}", "BUYER_SELLER", status, T0, None, 100 * n + 99, unread)


def _msg(n: int, k: int, side: str = "CUSTOMER", order: str | None = None) -> ChatMessage:
    return ChatMessage(
        100 * n + k, T0 + timedelta(minutes=10 * n + k), side, "u", f"Сообщение {n}.{k}",
        False, False, order, None,
    )


PAGES: list[list[tuple[ChatSummary, list[ChatMessage]]]] = [
    [
        (_chat(1), [_msg(1, 1), _msg(1, 2, "SELLER"), _msg(1, 3, order="111-1")]),
        (_chat(2, status="CLOSED", unread=0), [_msg(2, 1)]),
        (_chat(3), []),  # no history yet: received at the chat's creation
        # The same chat twice on a page, the second time with one more message.
        (_chat(4), [_msg(4, 1)]),
        (_chat(4, unread=2), [_msg(4, 1), _msg(4, 2, "SELLER")]),
        # A message listed twice is stored once.
        (_chat(5), [_msg(5, 1), _msg(5, 1)]),
    ],
    # The next page: a known chat with a new message beside a new chat.
    [(_chat(1, unread=0), [_msg(1, 4, order="222-1")]), (_chat(6), [_msg(6, 1, "SELLER")])],
]


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as s:
        return {
            "conversations": [
                (c.id, c.platform_id, c.status, c.received_at, c.first_response_at,
                 c.last_message_at, c.last_message_preview, c.order_number, c.unread_count,
                 c.due_at, c.version, c.sla_first_due, c.sla_breach_reason)
                for c in s.scalars(select(Conversation).order_by(Conversation.id))
            ],
            "messages": sorted(
                (m.conversation_id, m.platform_message_id, m.side, m.text, m.created_at,
                 m.delivery_state)
                for m in s.scalars(select(Message))
            ),
        }  # fmt: skip


def _store(db: Database, batched: bool) -> list[list[tuple[bool, bool, int, int]]]:
    with db.begin() as s:
        s.add(Shop(ozon_seller_id="1", name="Shop", created_at=T0.replace(tzinfo=None)))
    outcomes = []
    for page in PAGES:
        with db.begin() as s:
            known = repo.chats_by_id(s, 1, [c.chat_id for c, _m in page])
            if batched:
                rows: list[dict[str, Any]] = []
                found = repo.upsert_chats(s, 1, page, DEFAULT_POLICIES, rows, known)
                repo.insert_messages(s, rows)
            else:
                found = [repo.upsert_chat(s, 1, c, m, DEFAULT_POLICIES) for c, m in page]
            outcomes.append(
                [(o.created, o.updated, o.messages_created, o.messages_updated) for o in found]
            )
    return outcomes


def test_a_batched_chat_page_stores_what_one_by_one_stored(tmp_path: Any) -> None:
    results = {}
    for batched in (False, True):
        db = open_database(str(tmp_path / f"{batched}.sqlite"))
        try:
            results[batched] = (_store(db, batched), _rows(db))
        finally:
            db.dispose()
    assert results[True] == results[False]
    outcomes, rows = results[True]
    assert outcomes == [
        [(True, False, 3, 0), (True, False, 1, 0), (True, False, 0, 0), (True, False, 1, 0),
         (False, True, 1, 0), (True, False, 1, 0)],
        [(False, True, 1, 0), (True, False, 1, 0)],
    ]  # fmt: skip
    convs = {c[1]: c for c in rows["conversations"]}
    assert len(convs) == 6 and len(rows["messages"]) == 9
    # Chat 1: answered by the seller's message, the order of the newest message naming one.
    assert convs["chat-1"][4] == (T0 + timedelta(minutes=12)).replace(tzinfo=None)
    assert convs["chat-1"][6:9] == ("Сообщение 1.4", "222-1", 0)
    assert convs["chat-2"][2] == "closed" and convs["chat-3"][3] == T0.replace(tzinfo=None)
    # Every one has its SLA outcome stored (the hook ran for the batch's new conversations).
    assert all(c[11] is not None for c in rows["conversations"])


def _posting(number: str, *skus: int) -> PostingInfo:
    return PostingInfo(
        posting_number=number, order_number=number.rsplit("-", 1)[0], order_id=None,
        scheme="fbs", status="delivering", substatus=None, tracking_number=None, carrier=None,
        created_at=T0, shipped_at=None,
        products=tuple(
            PostingProduct(sku, f"offer-{sku}", f"Товар {sku}", 1, Decimal("990.00"), "RUB")
            for sku in skus
        ),
    )  # fmt: skip


def test_a_posting_twice_in_a_batch_keeps_its_items_once(tmp_path: Any) -> None:
    db = open_database(str(tmp_path / "p.sqlite"))
    try:
        with db.begin() as s:
            s.add(Shop(ozon_seller_id="1", name="Shop", created_at=T0.replace(tzinfo=None)))
        with db.begin() as s:
            batch = [_posting("7-1", 11, 12), _posting("8-1", 13), _posting("7-1", 11, 14)]
            known = repo.postings_by_number(s, 1, [p.posting_number for p in batch])
            assert repo.upsert_postings(s, 1, batch, T0, known) == ["created", "created", "updated"]
        with db.read() as s:
            items = sorted(s.execute(select(PostingItem.posting_id, PostingItem.sku)).all())
        # The second copy's items replace the first's: 7-1 holds 11 and 14, 8-1 holds 13.
        assert [sku for _pid, sku in items] == [11, 14, 13]
    finally:
        db.dispose()

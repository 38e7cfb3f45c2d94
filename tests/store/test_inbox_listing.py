"""Listings: every sort in SQL with the id as tiebreak, rows for any window, uncapped search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cmp_to_key
from typing import Any

import pytest
from sqlalchemy import delete, insert, update

from ozondesk.errors import UserError
from ozondesk.services.inbox import SORT_KEYS, InboxFilter, InboxService, InboxSort
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Shop

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALL = InboxFilter(statuses=(), now=NOW)


def naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def at(minutes: int | None) -> datetime | None:
    return None if minutes is None else naive(NOW + timedelta(minutes=minutes))


# buyer, subject, kind, category, assignee (index into AGENTS), due in, last message, received, unread
AGENTS = ("Борис", "Анна")
ROWS: list[tuple[str | None, str, str, str | None, int | None, int | None, int | None, int, int]] = [
    ("Ольга", "", "buyer_chat", "returns", 0, 30, -10, -60, 2),
    ("Анна", "", "buyer_chat", "payment", None, 30, -10, -50, 0),  # ties with the first on due and last
    (None, "Претензия 1234", "ozon_ticket", None, 1, None, -5, -300, 1),
    ("Иван", "", "buyer_ticket", "returns", 1, -15, None, -20, 0),
    ("李娜", "", "buyer_chat", "logistics-delay", None, None, -1, -10, 3),
    ("Анна", "", "account_manager", "payment", 0, 5, -30, -70, 0),  # same title as the second
    ("", "Вопрос менеджеру", "account_manager", None, None, None, None, -5, 0),
]


@pytest.fixture
def inbox(db: Database) -> InboxService:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW))
        s.add(shop)
        s.flush()
        agents = [Agent(shop_id=shop.id, login=f"a{n}", display_name=name) for n, name in enumerate(AGENTS)]
        s.add_all(agents)
        s.flush()
        for n, (buyer, subject, kind, category, who, _due, last, received, unread) in enumerate(ROWS):
            s.add(Conversation(
                shop_id=shop.id, kind=kind, platform_id=str(n), buyer_name=buyer, subject=subject,
                sla_policy="chat-first-response", category=category,
                assignee_id=agents[who].id if who is not None else None,
                last_message_at=at(last), received_at=at(received), unread_count=unread,
                last_message_preview=f"сообщение {n}",
            ))
    with db.begin() as s:
        # The running deadline the listing sorts by, set outright (a Core update, which the
        # outcome hook leaves alone): these rows have no messages for the engine to count.
        for n, row in enumerate(ROWS):
            s.execute(update(Conversation).where(Conversation.platform_id == str(n)).values(sla_due=at(row[5])))
    return InboxService(db)


def expected(key: str, descending: bool) -> list[int]:
    """The order worked out in Python: empty values last either way, the id breaking ties."""
    def parts(n: int) -> list[tuple[Any, bool]]:  # (value, descending within the ascending order)
        buyer, subject, kind, category, who, due, last, received, unread = ROWS[n]
        keys: dict[str, list[tuple[Any, bool]]] = {
            "due": [(due, False), (last, True)],  # no deadline: newest message first
            "last_message": [(last, False)],
            "received": [(received, False)],
            "title": [(buyer or subject, False)],
            "category": [(category, False)],
            "assignee": [(AGENTS[who] if who is not None else None, False)],
            "unread": [(unread, False)],
            "kind": [(kind, False)],
            "match": [(last, True)],  # a search's order; without a query, newest message first
        }
        return [*keys[key], (n, False)]

    def compare(a: int, b: int) -> int:
        for (x, down), (y, _down) in zip(parts(a), parts(b), strict=True):
            if (x is None) != (y is None):
                return 1 if x is None else -1
            if x is None or x == y:
                continue
            result = -1 if x < y else 1
            return -result if down != descending else result
        return 0

    return [n + 1 for n in sorted(range(len(ROWS)), key=cmp_to_key(compare))]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_every_sort_is_done_in_sql_with_a_stable_tiebreak(inbox: InboxService, key: str, descending: bool) -> None:
    assert list(inbox.ids(ALL, InboxSort(key, descending))) == expected(key, descending)


def test_the_default_order_is_most_urgent_first(inbox: InboxService) -> None:
    # Breached, then due soonest; the tie at +30 min by id; no deadline last, newest message first.
    assert list(inbox.ids(ALL)) == [4, 6, 1, 2, 5, 3, 7]


def test_pages_are_windows_of_the_listing(inbox: InboxService) -> None:
    order = InboxSort("title", descending=True)
    ids = list(inbox.ids(ALL, order))
    pages = [inbox.page(offset, 3, ALL, order) for offset in (0, 3, 6)]
    assert [row.id for page in pages for row in page] == ids
    assert [len(p) for p in pages] == [3, 3, 1]
    assert inbox.count(ALL) == len(ids)


def test_rows_keep_the_order_asked_for_and_mark_a_deleted_one(inbox: InboxService, db: Database) -> None:
    rows = inbox.rows([5, 1, 3])
    assert [r.id if r else None for r in rows] == [5, 1, 3]
    assert rows[0] is not None and rows[0].title == "李娜" and rows[0].unread == 3
    assert rows[2] is not None and rows[2].title == "Претензия 1234" and rows[2].assignee == "Анна"
    with db.begin() as s:
        s.execute(delete(Conversation).where(Conversation.id == 1))
    assert [r.id if r else None for r in inbox.rows([5, 1, 3])] == [5, None, 3]
    assert inbox.rows([]) == []


def test_filters_and_sort_combine(inbox: InboxService) -> None:
    flt = InboxFilter(statuses=(), category="payment", now=NOW)
    assert list(inbox.ids(flt, InboxSort("received"))) == [6, 2]
    assert list(inbox.ids(flt, InboxSort("received", descending=True))) == [2, 6]


def test_an_unknown_sort_is_refused() -> None:
    with pytest.raises(UserError, match="sort"):
        InboxSort("price")


def test_search_is_not_capped_and_follows_the_sort(inbox: InboxService, db: Database) -> None:
    # More matching messages than the old cap of 5,000 newest matches.
    extra = 5_100
    with db.begin() as s:
        first = len(ROWS) + 1
        s.execute(insert(Conversation), [
            {"shop_id": 1, "kind": "buyer_chat", "platform_id": f"x{n}", "buyer_name": f"Покупатель {n:05d}",
             "sla_policy": "chat-first-response", "received_at": naive(NOW), "status": "open",
             "subject": "", "priority": "normal", "last_message_preview": "", "unread_count": 0, "version": 1}
            for n in range(extra)
        ])
        s.execute(insert(Message), [
            {"conversation_id": first + n, "side": "buyer", "text": f"Где мой ЗАКАЗ номер {n}?",
             "created_at": naive(NOW), "attachments": [], "delivery_state": "received"}
            for n in range(extra)
        ])
    flt = InboxFilter(statuses=(), query="мой заказ", now=NOW)
    assert inbox.count(flt) == extra
    ids = inbox.ids(flt, InboxSort("title", descending=True))
    assert len(ids) == extra and ids[0] == first + extra - 1 and ids[-1] == first
    [last] = inbox.rows(ids[-1:], flt.query)
    assert last is not None and last.snippet is not None and "【мой ЗАКАЗ】" in last.snippet

"""A search paints first: its first screen is exactly the start of the whole listing.

The listing of a search in its own order ("match") is the conversations with the newest
matching message first; ``first_matches`` finds its start from the newest messages without
waiting for every match. Both backends (SQLite FTS5 / LIKE, PostgreSQL ILIKE + pg_trgm).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from ozondesk.services import inbox as inbox_module
from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort
from ozondesk.store import dialect
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, Shop

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WORDS = ("заказ", "возврат", "посылка", "сертификат", "ДОСТАВКА", "订单", "物流", "курьер", "ок")
MATCH = InboxSort("match")


def naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


@pytest.fixture
def inbox(db: Database) -> InboxService:
    rnd = random.Random(16)
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW))
        s.add(shop)
        s.flush()
        conversations = []
        for n in range(60):
            conv = Conversation(
                shop_id=shop.id, kind="buyer_chat", platform_id=str(n), buyer_name=f"Покупатель {n}",
                sla_policy="chat-first-response", received_at=naive(NOW - timedelta(hours=n)),
                status="open" if n % 3 else "resolved", category="returns" if n % 2 else "payment",
                due_at=naive(NOW + timedelta(minutes=n)), last_message_at=naive(NOW),
                last_message_preview="…",
            )
            s.add(conv)
            conversations.append(conv)
        s.flush()
        # Messages interleave across conversations, so the newest match is not the newest
        # conversation: the order comes from message ids, not from conversation ids.
        for _ in range(600):
            owner = rnd.choice(conversations)
            body = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(2, 6)))
            s.add(Message(conversation_id=owner.id, side="buyer", text=body, created_at=naive(NOW)))
    return InboxService(db)


def newest_match_order(db: Database, flt: InboxFilter) -> list[int]:
    """The listing worked out in Python: each conversation's newest matching message, newest first."""
    needle = flt.query.strip().lower()
    with db.read() as s:
        messages = s.execute(text("SELECT id, conversation_id, text FROM messages")).all()
        wanted = {
            cid for cid, status, category in s.execute(text("SELECT id, status, category FROM conversations"))
            if (not flt.statuses or status in flt.statuses) and (flt.category is None or category == flt.category)
        }
    newest: dict[int, int] = {}
    for mid, cid, body in messages:
        if cid in wanted and needle in body.lower():
            newest[cid] = max(newest.get(cid, 0), mid)
    return sorted(newest, key=lambda cid: -newest[cid])


FILTERS = [
    InboxFilter(statuses=(), query="сертификат"),        # 3+ characters: FTS5 / trigram index
    InboxFilter(query="доставка"),                        # case folded, open ones only
    InboxFilter(statuses=(), category="payment", query="订单"),  # two characters: no index
    InboxFilter(statuses=(), query="ок"),                 # two Cyrillic characters
    InboxFilter(statuses=(), query="к"),                  # one character
    InboxFilter(statuses=(), query="нет такого"),         # nothing
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.query)
def test_the_whole_listing_is_newest_match_first_and_finds_what_the_old_search_found(
    inbox: InboxService, db: Database, flt: InboxFilter
) -> None:
    listing = list(inbox.ids(flt, MATCH))
    assert listing == newest_match_order(db, flt)
    assert sorted(listing) == sorted(inbox.ids(flt))  # the same set as in any other order


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.query)
@pytest.mark.parametrize("limit", [1, 7, 200])
def test_the_first_screen_is_the_start_of_the_listing(inbox: InboxService, flt: InboxFilter, limit: int) -> None:
    listing = list(inbox.ids(flt, MATCH))
    first = list(inbox.first_matches(flt, limit))
    assert first == listing[:limit]
    # ...and the later pages are the rest: together exactly the whole result, once each.
    assert first + listing[len(first):] == listing


def test_a_short_query_looks_through_the_newest_messages_only_and_stays_a_prefix(
    inbox: InboxService, monkeypatch: pytest.MonkeyPatch
) -> None:
    flt = InboxFilter(statuses=(), query="ок")
    listing = list(inbox.ids(flt, MATCH))
    monkeypatch.setattr(inbox_module, "SHORT_QUERY_SCAN", 12)
    first = list(inbox.first_matches(flt, 200))
    assert 0 < len(first) < len(listing)  # the bound stopped it before every match
    assert first == listing[:len(first)]


def test_no_query_no_first_screen_and_a_nul_finds_nothing(inbox: InboxService) -> None:
    assert list(inbox.first_matches(InboxFilter(statuses=()), 200)) == []
    assert list(inbox.first_matches(InboxFilter(statuses=(), query="за\x00каз"), 200)) == []


def test_postgresql_has_the_trigram_index(db: Database, backend: str) -> None:
    with db.read() as s:
        if backend == "postgresql":
            found = s.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": dialect.TRGM_INDEX}
            ).scalar_one()
            assert "gin_trgm_ops" in found
        else:
            names = s.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars().all()
            assert dialect.TRGM_INDEX not in names


@pytest.mark.parametrize("flt", FILTERS[:3], ids=lambda f: f.query)
def test_the_first_screen_comes_with_its_rows_and_their_snippets(inbox: InboxService, flt: InboxFilter) -> None:
    ids, rows = inbox.first_screen(flt, 7)
    assert list(ids) == list(inbox.first_matches(flt, 7)) and [r.id for r in rows if r] == list(ids)
    # The same snippet the later pages get: cut from the newest matching message.
    assert [r.snippet for r in rows if r] == [r.snippet for r in inbox.rows(ids, flt.query) if r]
    assert all(f"【{flt.query.lower()}】" in (r.snippet or "").lower() for r in rows if r)

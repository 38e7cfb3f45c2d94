"""The stored-outcome hook skips what cannot move an outcome: a posting linked to, or changing
under, a conversation nobody is assigned to (a first sync links thousands). Once someone is
assigned, the posting counts: the breach reason becomes *waiting on the warehouse*."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ozondesk.store import sla_outcomes
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Posting, Shop

# Monday 2026-11-16 09:00 MSK: within the chat policy's hours, so a late reply is not out of hours.
START = datetime(2026, 11, 16, 6, 0)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of every conversation whose outcome the hook computed."""
    seen: list[int] = []
    real = sla_outcomes._store_batch

    def spy(conn: Any, ids: Sequence[int], *args: Any) -> int:
        seen.extend(ids)
        return real(conn, ids, *args)

    monkeypatch.setattr(sla_outcomes, "_store_batch", spy)
    return seen


def _reason(db: Database, cid: int) -> str | None:
    with db.read() as s:
        return s.scalar(select(Conversation.sla_breach_reason).where(Conversation.id == cid))


def test_a_posting_moves_only_assigned_conversations(db: Database, computed: list[int]) -> None:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=START)
        s.add(shop)
        s.flush()
        agent = Agent(shop_id=shop.id, login="wang", display_name="wang", role="agent")
        posting = Posting(shop_id=shop.id, posting_number="5-1", order_number="5",
                          scheme="FBS", status="delivering", eta=START + timedelta(days=2))
        s.add_all([agent, posting])
        s.flush()
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id="c-1",
                            sla_policy="chat-first-response", received_at=START,
                            order_number="5")
        s.add(conv)
        s.flush()
        # Answered a day later: the first-response target is missed.
        s.add_all([
            Message(conversation_id=conv.id, side="buyer", text="?", created_at=START),
            Message(conversation_id=conv.id, side="seller", text="Ответ",
                    created_at=START + timedelta(days=1)),
        ])
        conv.first_response_at = START + timedelta(days=1)
        cid, aid, pid = conv.id, agent.id, posting.id
    assert computed == [cid]
    assert _reason(db, cid) == "unassigned"

    computed.clear()
    with db.begin() as s:
        found = s.get(Conversation, cid)
        assert found is not None
        found.posting_id = pid  # as the postings stage links an order's first posting
    with db.begin() as s:
        held = s.get(Posting, pid)
        assert held is not None
        held.status = "awaiting_packaging"
    assert computed == []
    assert _reason(db, cid) == "unassigned"

    with db.begin() as s:
        found = s.get(Conversation, cid)
        assert found is not None
        found.assignee_id = aid
    assert computed == [cid]
    assert _reason(db, cid) == "waiting_on_warehouse"

    computed.clear()
    with db.begin() as s:
        held = s.get(Posting, pid)
        assert held is not None
        held.status = "delivered"
    assert computed == [cid]
    assert _reason(db, cid) == "slow_reply"


def test_moving_the_posting_and_the_assignee_together_recomputes(
    db: Database, computed: list[int]
) -> None:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=START)
        s.add(shop)
        s.flush()
        agent = Agent(shop_id=shop.id, login="li", display_name="li", role="agent")
        posting = Posting(shop_id=shop.id, posting_number="6-1", order_number="6",
                          scheme="FBS", status="awaiting_packaging")
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id="c-2",
                            sla_policy="chat-first-response", received_at=START)
        s.add_all([agent, posting, conv])
        s.flush()
        s.add(Message(conversation_id=conv.id, side="buyer", text="?", created_at=START))
        cid, aid, pid = conv.id, agent.id, posting.id
    computed.clear()
    with db.begin() as s:
        found = s.get(Conversation, cid)
        assert found is not None
        found.posting_id, found.assignee_id = pid, aid
    assert computed == [cid]
    # Never answered, with the order still at the warehouse.
    assert _reason(db, cid) == "waiting_on_warehouse"

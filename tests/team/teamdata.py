"""A shop with agents and conversations for the team tests and the bench."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ozondesk.domain.clock import to_storage
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Shop

NOW = datetime(2026, 11, 23, 11, 5, tzinfo=UTC)  # 14:05 MSK
NAMES = ("王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵婷", "黄强", "周敏", "吴杰", "徐丽", "孙浩")


def make_team(db: Database, agents: int = 2, conversations: int = 3) -> tuple[list[int], list[int]]:
    """(agent ids, conversation ids) of a new shop; each conversation has one buyer message."""
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=to_storage(NOW - timedelta(days=30)))
        s.add(shop)
        s.flush()
        people = [Agent(shop_id=shop.id, login=f"agent{i}", display_name=NAMES[i % len(NAMES)],
                        role="agent") for i in range(agents)]
        chats = [Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=f"chat-{i}",
                              buyer_name="Анна", sla_policy="chat-first-response",
                              received_at=to_storage(NOW - timedelta(minutes=5)))
                 for i in range(conversations)]
        s.add_all(people + chats)
        s.flush()
        s.add_all(Message(conversation_id=c.id, side="buyer", text="Где мой заказ?",
                          created_at=to_storage(NOW - timedelta(minutes=5))) for c in chats)
        return [a.id for a in people], [c.id for c in chats]


def claim_and_reply(db: Database, conversation_id: int, agent_id: int, text: str,
                    now: datetime) -> bool:
    """What a desk's Send does, reduced to the store: hold the claim, append the reply, bump the
    conversation by read-modify-write (only the claim keeps two desks from interleaving there).
    False when another agent holds the conversation. Safe to run again after a dropped
    connection: a reply already stored under ``text`` is not stored twice."""
    from sqlalchemy import select

    from ozondesk.services.claims import ClaimHeld, require_claim

    def work(s: Any) -> bool:
        try:
            require_claim(s, conversation_id, agent_id, now)
        except ClaimHeld:
            return False
        done = s.scalar(select(Message.id).where(Message.conversation_id == conversation_id,
                                                 Message.text == text))
        if done is not None:
            return True
        conv = s.get(Conversation, conversation_id)
        conv.version = conv.version + 1
        conv.last_message_at = to_storage(now)
        s.add(Message(conversation_id=conversation_id, side="seller", author_agent_id=agent_id,
                      text=text, created_at=to_storage(now), delivery_state="queued"))
        return True

    return db.transact(work)

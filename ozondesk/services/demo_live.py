"""The demo desk stays alive (#17): buyers keep writing while ``ozondesk --demo`` runs, and the
desk opens as the team lead, so every workspace can be visited without "Work as".

A new message goes in through the sync's own path (``store.repos.sync.upsert_chat``), as if the
platform had delivered it: the conversation's preview, unread count and deadline move as they
would in a real sync, and the live feed (``services.live``) tells the window, so the list,
countdowns and due-soon notifications can be seen working.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon.records import ChatMessage, ChatSummary
from ozondesk.services import demo_data as data
from ozondesk.services.preferences import desk_settings, set_desk_agent
from ozondesk.settings import options
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Shop
from ozondesk.store.repos.policies import current_policies
from ozondesk.store.repos.sync import upsert_chat

# A demo file nobody wrote to for this long has aged into backlog (its deadlines kept running
# while it was closed): the app makes it again rather than open on a wall of red. While the
# demo runs its buyers write every minute, so an open one never gets this old.
STALE_AFTER = timedelta(hours=3)
# One in three arrivals is a buyer writing again in a chat the desk already answered.
FOLLOW_UP_SHARE = 1 / 3
# A follow-up goes to a chat whose last message is this recent: nobody writes into a month-old one.
FOLLOW_UP_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class Arrival:
    """What the demo buyer did: wrote in ``conversation_id``, a new chat or an answered one."""

    conversation_id: int
    new_chat: bool
    text: str


def start_as_lead(db: Database) -> str | None:
    """Seat the team lead at a demo desk nobody chose a person for yet; their login, or None
    when someone was chosen already (a "Work as" choice stays) or the demo has no lead."""
    if desk_settings(db).get(options.DESK_AGENT):
        return None
    with db.read() as session:
        login = session.scalar(
            select(Agent.login).where(Agent.role == "lead", Agent.active.is_(True)).order_by(Agent.id)
        )
    if login is not None:
        set_desk_agent(db, login)
    return login


def buyer_writes(db: Database, now: datetime, rnd: random.Random) -> Arrival:
    """A buyer's message arrives at ``now``: a new chat (two in three) or a follow-up."""
    return db.write(lambda session: _arrive(session, as_utc(now), rnd))


def _arrive(session: Session, now: datetime, rnd: random.Random) -> Arrival:
    shop_id = session.scalar(select(Shop.id).order_by(Shop.id))
    if shop_id is None:
        raise UserError(_("the demo database has no shop: start it again with --demo"))
    policies = current_policies(session)
    # Milliseconds since the epoch and a random tail: unique like the platform's message ids.
    message_id = int(now.timestamp() * 1000) * 1000 + rnd.randrange(1000)
    target = _answered_chat(session, now) if rnd.random() < FOLLOW_UP_SHARE else None
    if target is not None:
        text = rnd.choice(data.FOLLOW_UPS)
        chat = ChatSummary(target.platform_id or "", "BUYER_SELLER", "OPENED", as_utc(target.received_at),
                           message_id, message_id, target.unread_count + 1)
    else:
        category = rnd.choice(list(data.BUYER_TEXT))
        text = rnd.choice(data.BUYER_TEXT[category])
        chat = ChatSummary(f"demo-live-{message_id}", "BUYER_SELLER", "OPENED", now,
                           message_id, message_id, 1)
    message = ChatMessage(message_id, now, "CUSTOMER", f"buyer-{message_id}", text,
                          is_read=False, is_image=False, order_number=None, sku=None)
    outcome = upsert_chat(session, shop_id, chat, [message], policies)
    if target is None:
        # What the demo's own chats carry and a first sync page does not: who and about what.
        conv = session.get(Conversation, outcome.conversation_id)
        assert conv is not None
        model = session.scalar(
            select(Conversation.posting_id).where(Conversation.kind == "buyer_chat",
                                                  Conversation.posting_id.is_not(None))
            .order_by(func.random()).limit(1)
        )
        conv.buyer_name = rnd.choice(data.BUYERS)
        conv.category = category
        conv.posting_id = model
    return Arrival(outcome.conversation_id, target is None, text)


def _answered_chat(session: Session, now: datetime) -> Conversation | None:
    """An open buyer chat the desk answered lately, picked at random (the database's random,
    so a 100,000-conversation demo is not read whole for one pick)."""
    since = to_storage(now - FOLLOW_UP_WITHIN)
    return session.scalar(
        select(Conversation)
        .where(Conversation.kind == "buyer_chat", Conversation.status == "open",
               Conversation.platform_id.is_not(None), Conversation.first_response_at.is_not(None),
               Conversation.last_message_at >= since)
        .order_by(func.random())
        .limit(1)
    )

"""What the reply composer needs from the store, each call one short transaction.

``open`` gathers what the composer shows beside the text (draft, reply-window facts,
the policy's calendar for the linter); ``send`` is the collision check and the queueing
in one transaction, so a buyer message that arrived after the agent opened the
conversation stops the reply before anything is written, and a queued reply never
leaves its draft behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import as_utc, utcnow
from ozondesk.services import drafts
from ozondesk.services.conversation import ConversationDetail
from ozondesk.services.outbox import OutboxService
from ozondesk.services.template_context import context_values
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.models import Message, ReplyTemplate
from ozondesk.store.repos import outbox as outbox_repo
from ozondesk.store.repos.policies import current_policies

log = logging.getLogger("ozondesk.store")

# Sides whose messages the agent must have seen before replying: the buyer, and Ozon
# itself in tickets the platform opened.
INCOMING_SIDES = ("buyer", "platform")


@dataclass(frozen=True)
class IncomingMessage:
    id: int
    side: str
    text: str
    at: datetime


@dataclass(frozen=True)
class ComposeState:
    """Everything the composer loads when a conversation opens."""

    conversation_id: int
    has_chat: bool
    scheme: str | None
    delivered_at: datetime | None
    last_buyer_at: datetime | None
    calendar: BusinessCalendar | None
    draft: drafts.DraftRecord | None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendOutcome:
    """Either the queued reply, or the incoming messages that stopped it (nothing written)."""

    queued: outbox_repo.OutboxItem | None
    new_messages: tuple[IncomingMessage, ...] = ()


@dataclass(frozen=True)
class TemplateChoice:
    """A template the agent may insert: its live revision, searchable by title, tag or gloss."""

    id: int
    slug: str
    title: str
    body: str
    gloss_zh: str
    tags: tuple[str, ...]
    category: str
    usage_count: int


def newest_incoming_id(detail: ConversationDetail) -> int | None:
    """The newest incoming message the agent can see in ``detail``."""
    ids = [m.id for m in detail.messages if m.side in INCOMING_SIDES]
    return max(ids) if ids else None


class ComposeService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        outbox: OutboxService | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.outbox = outbox or OutboxService(db, clock=clock)
        self.drafts = drafts.DraftService(db)

    def open(
        self,
        detail: ConversationDetail,
        agent_id: int | None,
        now: datetime,
        *,
        shop_name: str | None = None,
        agent_name: str | None = None,
    ) -> ComposeState:
        with self.db.begin() as session:
            facts = outbox_repo.window_facts(session, detail.id)
            policy = current_policies(session).get(detail.sla_policy)
            draft = drafts.load_in(session, detail.id, agent_id)
        return ComposeState(
            conversation_id=detail.id,
            has_chat=bool(facts and facts.chat_id),
            scheme=facts.scheme if facts else None,
            delivered_at=facts.delivered_at if facts else None,
            last_buyer_at=facts.last_buyer_at if facts else None,
            calendar=policy.calendar if policy else None,
            draft=draft,
            values=context_values(detail, now, shop_name=shop_name, agent_name=agent_name),
        )

    def incoming_after(self, conversation_id: int, after_id: int | None) -> list[IncomingMessage]:
        with self.db.begin() as session:
            return _incoming_after(session, conversation_id, after_id)

    def send(
        self,
        conversation_id: int,
        text: str,
        agent_id: int | None,
        seen_incoming_id: int | None,
        template_slug: str | None = None,
    ) -> SendOutcome:
        """Queue ``text`` unless an incoming message newer than ``seen_incoming_id`` exists.

        Raises :class:`~ozondesk.errors.UserError` with the reason when the outbox refuses
        the reply (too long, outside the reply window, no chat). The queueing and the
        draft's deletion commit together.
        """
        with self.db.begin() as session:
            newer = _incoming_after(session, conversation_id, seen_incoming_id)
            if newer:
                return SendOutcome(None, tuple(newer))
            item = self.outbox.queue_in(session, conversation_id, text, agent_id)
            drafts.delete_in(session, conversation_id, agent_id)
            template_id = (
                session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.slug == template_slug))
                if template_slug
                else None
            )
        if template_id is not None:
            try:
                TemplateService(self.db).record_use(template_id)
            except Exception:  # noqa: BLE001 - a usage counter must not fail a queued reply
                log.warning("could not count a use of template %s", template_slug, exc_info=True)
        return SendOutcome(item)

    def templates(self, now: datetime) -> list[TemplateChoice]:
        """Live templates, most used first."""
        out = [
            TemplateChoice(
                id=t.id,
                slug=t.slug,
                title=t.live.title,
                body=t.live.body,
                gloss_zh=t.gloss_zh,
                tags=t.tags,
                category=t.category,
                usage_count=t.usage_count,
            )
            for t in TemplateService(self.db).templates(now)
            if t.live is not None
        ]
        out.sort(key=lambda c: (-c.usage_count, c.title.casefold()))
        return out


def _incoming_after(session: Session, conversation_id: int, after_id: int | None) -> list[IncomingMessage]:
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.side.in_(INCOMING_SIDES)
    )
    if after_id is not None:
        query = query.where(Message.id > after_id)
    rows = session.scalars(query.order_by(Message.created_at, Message.id)).all()
    return [IncomingMessage(m.id, m.side, m.text, as_utc(m.created_at)) for m in rows]

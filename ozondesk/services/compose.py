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

from ozondesk.domain import review
from ozondesk.domain.calendar import BusinessCalendar
from ozondesk.domain.clock import as_utc, to_storage, utcnow
from ozondesk.domain.lint.public import PublicContext
from ozondesk.domain.metrics import edit_distance
from ozondesk.domain.public_reply import PUBLIC_KINDS
from ozondesk.domain.templates import fill_template
from ozondesk.services import drafts
from ozondesk.services.changes import NOTHING, OpChanges, conversation_changed
from ozondesk.services.claims import require_claim
from ozondesk.services.conversation import ConversationDetail, ConversationService
from ozondesk.services.outbox import OutboxService
from ozondesk.services.template_context import context_values
from ozondesk.services.templates import TemplateService
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    Message,
    ReplyTemplate,
    Shop,
    TemplateRevision,
    TemplateUse,
)
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
    kind: str = "buyer_chat"
    # For a product question or review: what the public-reply rules must keep off the page
    # (the buyer's name, the team's names and logins); None for the other kinds.
    public: PublicContext | None = None

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS


@dataclass(frozen=True)
class SendOutcome:
    """Either the queued reply, or the incoming messages that stopped it (nothing written)."""

    queued: outbox_repo.OutboxItem | None
    new_messages: tuple[IncomingMessage, ...] = ()
    # What the send wrote: the reply (first-response time, so the deadline and the place in
    # the listing) and the claim; nothing when it was stopped.
    changes: OpChanges = NOTHING


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
    channel: str = "chat"  # chat | ticket | question | review (domain/template_channels.py)


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
        with self.db.read() as session:
            facts = outbox_repo.window_facts(session, detail.id)
            policy = current_policies(session).get(detail.sla_policy)
            draft = drafts.load_in(session, detail.id, agent_id)
            public = _public_context(session, detail.id) if detail.kind in PUBLIC_KINDS else None
            if shop_name is None:
                # A person without a shop serves every shop: the conversation says which one.
                shop_name = session.scalar(
                    select(Shop.name).join(Conversation, Conversation.shop_id == Shop.id)
                    .where(Conversation.id == detail.id)
                )
        return ComposeState(
            conversation_id=detail.id,
            has_chat=bool(facts and facts.chat_id),
            scheme=facts.scheme if facts else None,
            delivered_at=facts.delivered_at if facts else None,
            last_buyer_at=facts.last_buyer_at if facts else None,
            calendar=policy.calendar if policy else None,
            draft=draft,
            values=context_values(detail, now, shop_name=shop_name, agent_name=agent_name),
            kind=detail.kind,
            public=public,
        )

    def incoming_after(self, conversation_id: int, after_id: int | None) -> list[IncomingMessage]:
        with self.db.read() as session:
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
        the reply (too long, outside the reply window, no chat). The queueing, the
        draft's deletion and the template's use (a ``template_uses`` row with its edit
        distance, for the dashboard) commit together.
        """
        now = self.clock()
        # Read before the write transaction: the conversation's context for re-filling the
        # template, as the composer filled it when the agent inserted it.
        detail = (
            ConversationService(self.db).detail(conversation_id, now) if template_slug else None
        )
        with self.db.begin() as session:
            if agent_id is not None:
                # First: a free conversation is claimed for the sender, a colleague's claim
                # refuses the send; the claim row stays locked until this reply is queued.
                require_claim(session, conversation_id, agent_id, now)
            newer = _incoming_after(session, conversation_id, seen_incoming_id)
            if newer:
                return SendOutcome(None, tuple(newer))
            item = self.outbox.queue_reply_in(session, conversation_id, text, agent_id)
            drafts.delete_in(session, conversation_id, agent_id)
            if template_slug and detail is not None:
                _record_template_use(session, template_slug, detail, item, text, agent_id, now)
        return SendOutcome(item, changes=conversation_changed(conversation_id))

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
                channel=t.channel,
            )
            for t in TemplateService(self.db).templates(now)
            if t.live is not None
        ]
        out.sort(key=lambda c: (-c.usage_count, c.title.casefold()))
        return out


def _record_template_use(
    session: Session,
    slug: str,
    detail: ConversationDetail,
    item: outbox_repo.OutboxItem,
    sent: str,
    agent_id: int | None,
    now: datetime,
) -> None:
    """Count the use and keep how far the sent text is from the template as filled here.

    The template is re-filled from this conversation's context with the live revision (the
    one the picker offered); a template without one counts as an empty text, so the whole
    reply is the agent's own.
    """
    template = session.scalar(select(ReplyTemplate).where(ReplyTemplate.slug == slug))
    if template is None:
        log.warning("a reply used template %s, which no longer exists", slug)
        return
    template.usage_count += 1
    revisions = session.scalars(
        select(TemplateRevision).where(TemplateRevision.template_id == template.id)
    ).all()
    views = [
        review.RevisionView(r.number, review.as_state(r.status), as_utc(r.effective_at) if r.effective_at else None)
        for r in revisions
    ]
    live = review.live_revision(views, now)
    body = next((r.body for r in revisions if live and r.number == live.number), "")
    revision_id = next((r.id for r in revisions if live and r.number == live.number), None)
    agent_name = session.scalar(select(Agent.display_name).where(Agent.id == agent_id)) if agent_id else None
    shop_name = session.scalar(
        select(Shop.name).join(Conversation, Conversation.shop_id == Shop.id)
        .where(Conversation.id == detail.id)
    )
    values = context_values(detail, now, shop_name=shop_name, agent_name=agent_name)
    inserted = fill_template(body, values, now).text if body else ""
    session.add(
        TemplateUse(
            template_id=template.id,
            revision_id=revision_id,
            conversation_id=detail.id,
            message_id=item.message_id,
            agent_id=agent_id,
            used_at=to_storage(now),
            inserted_chars=len(inserted),
            edit_distance=edit_distance(inserted, sent),
        )
    )


def _public_context(session: Session, conversation_id: int) -> PublicContext:
    buyer = session.scalar(select(Conversation.buyer_name).where(Conversation.id == conversation_id))
    team: list[str] = []
    for name, login in session.execute(select(Agent.display_name, Agent.login)):
        team.extend(v for v in (name, login) if v)
    return PublicContext(buyer_name=buyer, team_names=tuple(team))


def _incoming_after(session: Session, conversation_id: int, after_id: int | None) -> list[IncomingMessage]:
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.side.in_(INCOMING_SIDES)
    )
    if after_id is not None:
        query = query.where(Message.id > after_id)
    rows = session.scalars(query.order_by(Message.created_at, Message.id)).all()
    return [IncomingMessage(m.id, m.side, m.text, as_utc(m.created_at)) for m in rows]

"""One conversation with its context, for the conversation view."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ozondesk.domain import compliance, logistics, sla, sla_outcome
from ozondesk.domain.clock import as_utc
from ozondesk.domain.decisions import DecisionView
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.public_reply import PUBLIC_KINDS
from ozondesk.domain.running_deadline import RunningDeadline, StoredTargets, running, target_policy
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.models import (
    DECISION_KINDS,
    Agent,
    Conversation,
    DecisionRequest,
    Message,
    Posting,
    PostingItem,
    ReplyTemplate,
    StatusChange,
    TemplateRevision,
)
from ozondesk.store.repos import feedback as feedback_repo
from ozondesk.store.repos.decisions import view_with_queue as decision_view
from ozondesk.store.repos.policies import current_policies


@dataclass(frozen=True)
class MessageView:
    id: int
    side: str
    author: str | None
    text: str
    attachments: tuple[str, ...]
    at: datetime
    delivery_state: str


@dataclass(frozen=True)
class ItemView:
    sku: int
    offer_id: str
    name: str
    quantity: int
    price: Decimal
    currency: str


@dataclass(frozen=True)
class PostingView:
    posting_number: str
    order_number: str | None
    scheme: str
    status: str
    tracking_number: str | None
    carrier: str | None
    carrier_status: str | None
    warehouse_status: str | None
    created_at: datetime | None
    shipped_at: datetime | None
    eta: datetime | None
    delivered_at: datetime | None
    items: tuple[ItemView, ...]
    ship_by: datetime | None = None
    # From the posting's available_actions: may the seller start a chat? None: not said (FBO).
    can_create_chat: bool | None = None
    cancel_reason: str | None = None
    cancel_initiator: str | None = None


@dataclass(frozen=True)
class EarlierConversation:
    """Another conversation of the same buyer, for the context panel's list."""

    id: int
    kind: str
    subject: str
    preview: str
    status: str
    received_at: datetime
    posting_number: str | None


@dataclass(frozen=True)
class TemplateRef:
    """A template the context panel offers by slug, as the library has it now."""

    slug: str
    title: str
    gloss_zh: str


@dataclass(frozen=True)
class ConversationDetail:
    id: int
    kind: str
    title: str
    status: str
    category: str | None
    priority: str
    assignee: str | None
    sla_policy: str
    received_at: datetime
    messages: tuple[MessageView, ...]
    posting: PostingView | None
    targets: tuple[sla.Target, ...]
    timeline: tuple[sla.Segment, ...]
    # The buyer's earlier conversations, newest first: the first EARLIER_SHOWN, and how many more.
    earlier: tuple[EarlierConversation, ...] = ()
    earlier_more: int = 0
    compliance: tuple[compliance.ComplianceFlag, ...] = ()
    compliance_problem: str | None = None  # the rule file could not be read: say so, show no flags
    suggestion: logistics.Suggestion | None = None
    # The templates the suggestion and the flags name that exist and are not archived, by slug.
    templates: Mapping[str, TemplateRef] = field(default_factory=dict)
    # A product question's or review's context (product, rating, photos…); None for other kinds.
    feedback: feedback_repo.FeedbackContext | None = None
    # A return request or cancellation: what the seller decides on (services/decisions.py).
    decision: DecisionView | None = None
    # The deadline the countdown runs to, from the stored sla_due: the inbox row's (composer).
    due: RunningDeadline | None = None


# What a question's or review's context is, for the UI (which never imports the store).
FeedbackContext = feedback_repo.FeedbackContext

EARLIER_SHOWN = 5
log = logging.getLogger("ozondesk.services")


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


class ConversationService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def detail(self, conversation_id: int, now: datetime) -> ConversationDetail:
        with self.db.read() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(_("conversation #{id} no longer exists").format(id=conversation_id))
            # Keyed by a nullable id: a message or conversation without an agent finds no name.
            names: dict[int | None, str] = dict(
                session.execute(select(Agent.id, Agent.display_name)).all()
            )
            messages = session.scalars(
                select(Message).where(Message.conversation_id == conversation_id)
                .order_by(Message.created_at, Message.id)
            ).all()
            changes = session.scalars(
                select(StatusChange).where(StatusChange.conversation_id == conversation_id)
                .order_by(StatusChange.at)
            ).all()
            posting = session.get(Posting, conv.posting_id) if conv.posting_id else None
            items = (
                session.scalars(select(PostingItem).where(PostingItem.posting_id == posting.id)).all()
                if posting
                else []
            )
            policies = current_policies(session)
            views = tuple(
                MessageView(m.id, m.side, names.get(m.author_agent_id), m.text, tuple(m.attachments or ()),
                            as_utc(m.created_at), m.delivery_state)
                for m in messages
            )
            events = self._events(conv, views, changes)
            first = policies.get(conv.sla_policy)
            targets: tuple[sla.Target, ...] = ()
            timeline: tuple[sla.Segment, ...] = ()
            if first is not None:
                # Computed here only for what is not stored: which targets exist while a pause
                # holds their deadline, the time left on it, and the next response's start.
                live = sla.conversation_targets(
                    events, first=first, next_=first,
                    resolution=policies.get(target_policy(conv.sla_policy, "resolution")), now=now,
                )
                targets = _stored_targets(conv, live, policies, now)
                pauses = [(a, b) for a, b in _pauses(changes)]
                until = targets[0].deadline if targets and targets[0].deadline else now
                timeline = tuple(sla.explain(first, as_utc(conv.received_at), until=until, pauses=pauses))
            due = _due(session, conv)
            earlier, more = _earlier(session, conv, posting)
            flags, problem = _compliance(items)
            suggestion = logistics.suggest(_shipment(posting, items), now) if posting else None
            wanted = {f.template for f in flags if f.template}
            if suggestion is not None and suggestion.slug:
                wanted.add(suggestion.slug)
            return ConversationDetail(
                id=conv.id,
                kind=conv.kind,
                title=conv.buyer_name or conv.subject,
                status=conv.status,
                category=conv.category,
                priority=conv.priority,
                assignee=names.get(conv.assignee_id),
                sla_policy=conv.sla_policy,
                received_at=as_utc(conv.received_at),
                messages=views,
                posting=_posting_view(posting, items) if posting else None,
                targets=targets,
                timeline=timeline,
                earlier=earlier,
                earlier_more=more,
                compliance=flags,
                compliance_problem=problem,
                suggestion=suggestion,
                templates=_templates(session, wanted),
                feedback=feedback_repo.context(session, conv.id)
                if conv.kind in PUBLIC_KINDS else None,
                decision=decision_view(session, conv.id) if conv.kind in DECISION_KINDS else None,
                due=due,
            )

    @staticmethod
    def _events(
        conv: Conversation, messages: tuple[MessageView, ...], changes: Sequence[StatusChange]
    ) -> list[sla.ConversationEvent]:
        # The same events the stored SLA outcome is computed from (domain/sla_outcome.py).
        return sla_outcome.conversation_events(
            conv.kind,
            [(m.side, m.at) for m in messages],
            [(c.status, c.at) for c in changes],
            conv.resolved_at,
        )


def _stored(conv: Conversation) -> StoredTargets:
    return StoredTargets(
        conv.kind, conv.status, _aware(conv.sla_first_due), _aware(conv.sla_first_met_at),
        _aware(conv.sla_next_due), _aware(conv.sla_resolution_due), _aware(conv.sla_resolution_met_at),
    )


def _due(session: Session, conv: Conversation) -> RunningDeadline | None:
    """The stored running deadline (``sla_due``, what the inbox row shows), named as there."""
    if conv.sla_due is None:
        return None
    stored = _stored(conv)
    if conv.kind in DECISION_KINDS:
        auto = session.scalar(
            select(DecisionRequest.auto_decision_at).where(DecisionRequest.conversation_id == conv.id)
        )
        stored = replace(stored, auto_decision_at=_aware(auto))
    found = running(stored)
    return RunningDeadline(found.target, as_utc(conv.sla_due)) if found is not None else None


def _stored_targets(
    conv: Conversation, live: Sequence[sla.Target], policies: Mapping[str, SlaPolicy], now: datetime
) -> tuple[sla.Target, ...]:
    """The targets as the store has them (``sla_*``, written by the engine on every event,
    policy revisions included), so the context shows the deadlines the list sorts by."""
    stored = _stored(conv)
    by_kind = {t.kind: t for t in live}
    received = as_utc(conv.received_at)
    rows: list[tuple[sla.TargetKind, datetime | None, datetime | None]] = [
        ("first-response", stored.first_due, stored.first_met_at),
        ("next-response", stored.next_due, None),
        ("resolution", stored.resolution_due, stored.resolution_met_at),
    ]
    targets: list[sla.Target] = []
    for kind, deadline, met in rows:
        seen = by_kind.get(kind)
        name = target_policy(conv.sla_policy, kind)
        started = seen.started if seen is not None else received
        if met is not None:
            targets.append(sla.Target(kind, name, started, deadline, met, None))
        elif deadline is not None:
            policy = policies.get(name)
            countdown = sla.countdown_to(policy, deadline, now) if policy is not None else None
            targets.append(sla.Target(kind, name, started, deadline, None, countdown))
        elif seen is not None and seen.met_at is None:
            targets.append(seen)  # paused: no deadline while the clock is held
    return tuple(targets)


def _earlier(
    session: Session, conv: Conversation, posting: Posting | None
) -> tuple[tuple[EarlierConversation, ...], int]:
    """Conversations of the same buyer received before ``conv``: the newest few, and how many more.

    The store has no buyer id (Ozon's chat list does not give one), so the buyer is the
    same name in the same shop, or an order of theirs: any posting of the same order
    number belongs to the same buyer even when the name is missing.

    The shop is compared in Python, not in SQL: SQLite, which keeps no statistics here,
    would walk the (shop_id, kind, platform_id) unique index for it, ten times slower
    than a plain scan when one shop holds every row (1 s at 100k conversations).
    """
    same = []
    if conv.buyer_name:
        same.append(Conversation.buyer_name == conv.buyer_name)
    if posting is not None and posting.order_number:
        siblings = [
            pid
            for pid, shop_id in session.execute(
                select(Posting.id, Posting.shop_id).where(Posting.order_number == posting.order_number)
            )
            if shop_id == conv.shop_id
        ]
        same.append(Conversation.posting_id.in_(siblings))
    elif conv.posting_id is not None:
        same.append(Conversation.posting_id == conv.posting_id)
    if not same:
        return (), 0
    before = (conv.received_at, conv.id)
    found = sorted(
        (
            (r.received_at, r.id)
            for r in session.execute(
                select(Conversation.id, Conversation.received_at, Conversation.shop_id).where(
                    or_(*same), Conversation.received_at <= conv.received_at
                )
            )
            if r.shop_id == conv.shop_id and (r.received_at, r.id) < before
        ),
        reverse=True,
    )
    newest = [cid for _at, cid in found[:EARLIER_SHOWN]]
    if not newest:
        return (), 0
    rows = session.execute(
        select(
            Conversation.id, Conversation.kind, Conversation.subject, Conversation.last_message_preview,
            Conversation.status, Conversation.received_at, Posting.posting_number,
        )
        .outerjoin(Posting, Posting.id == Conversation.posting_id)
        .where(Conversation.id.in_(newest))
        .order_by(Conversation.received_at.desc(), Conversation.id.desc())
    ).all()
    shown = tuple(
        EarlierConversation(r.id, r.kind, r.subject, r.last_message_preview, r.status,
                            as_utc(r.received_at), r.posting_number)
        for r in rows
    )
    return shown, len(found) - len(shown)


def _templates(session: Session, slugs: set[str]) -> dict[str, TemplateRef]:
    if not slugs:
        return {}
    rows = session.execute(
        select(ReplyTemplate.id, ReplyTemplate.slug, ReplyTemplate.gloss_zh).where(
            ReplyTemplate.slug.in_(slugs), ReplyTemplate.archived.is_(False)
        )
    ).all()
    titles: dict[int, str] = {}
    if rows:
        # The newest revision's title: the panel only names the template, the composer inserts the live one.
        for template_id, title in session.execute(
            select(TemplateRevision.template_id, TemplateRevision.title)
            .where(TemplateRevision.template_id.in_([r.id for r in rows]))
            .order_by(TemplateRevision.template_id, TemplateRevision.number)
        ):
            titles[template_id] = title
    return {r.slug: TemplateRef(r.slug, titles.get(r.id, r.slug), r.gloss_zh) for r in rows}


def _compliance(items: Sequence[PostingItem]) -> tuple[tuple[compliance.ComplianceFlag, ...], str | None]:
    try:
        return compliance.flags(i.name for i in items), None
    except compliance.ComplianceRulesError as exc:
        # A broken rule file must not stop the agent from opening conversations.
        log.error("compliance rules unusable: %s", exc)
        return (), str(exc)


def _shipment(posting: Posting, items: Sequence[PostingItem]) -> logistics.Shipment:
    return logistics.Shipment(
        scheme=posting.scheme,
        status=posting.status,
        carrier_status=posting.carrier_status,
        warehouse_status=posting.warehouse_status,
        tracking_number=posting.tracking_number,
        shipped_at=_aware(posting.shipped_at),
        eta=_aware(posting.eta),
        delivered_at=_aware(posting.delivered_at),
        # The store keeps no tracking events; the domain falls back to the shipping time.
        last_movement_at=None,
        amount=sum((i.price * i.quantity for i in items), Decimal(0)) if items else None,
    )


def _pauses(changes: Sequence[StatusChange]) -> list[tuple[datetime, datetime | None]]:
    result: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for change in changes:
        if change.status == "waiting_buyer" and start is None:
            start = as_utc(change.at)
        elif change.status != "waiting_buyer" and start is not None:
            result.append((start, as_utc(change.at)))
            start = None
    if start is not None:
        result.append((start, None))
    return result


def _posting_view(posting: Posting, items: Sequence[PostingItem]) -> PostingView:
    return PostingView(
        posting_number=posting.posting_number,
        order_number=posting.order_number,
        scheme=posting.scheme,
        status=posting.status,
        tracking_number=posting.tracking_number,
        carrier=posting.carrier,
        carrier_status=posting.carrier_status,
        warehouse_status=posting.warehouse_status,
        created_at=_aware(posting.created_at),
        shipped_at=_aware(posting.shipped_at),
        eta=_aware(posting.eta),
        delivered_at=_aware(posting.delivered_at),
        items=tuple(
            ItemView(i.sku, i.offer_id, i.name, i.quantity, i.price, i.currency) for i in items
        ),
        ship_by=_aware(posting.ship_by),
        can_create_chat=posting.can_create_chat,
        cancel_reason=posting.cancel_reason,
        cancel_initiator=posting.cancel_initiator,
    )

"""rFBS return requests and conditional cancellations as conversations, written idempotently.

One conversation per request (kind ``return_request`` or ``cancellation``, ``platform_id`` the
return or cancellation id) with a ``decision_requests`` row beside it holding what the seller
decides on. The buyer's own words open the thread as one message. Every upsert compares
before it assigns, so a second sync of the same data changes nothing and counts nothing.

Once the platform no longer waits for a decision (decided here, in the seller cabinet, or by
the platform itself), an open conversation becomes ``resolved``: nothing is left to answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain import sla
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.decisions import DecisionView
from ozondesk.domain.policies import SlaPolicy
from ozondesk.store.models import (
    Conversation,
    DecisionRequest,
    Message,
    OutboxEntry,
    Posting,
    StatusChange,
)

POLICIES = {"return_request": "return-request", "cancellation": "cancellation-request"}
DECISION_ACTIONS = ("rfbs_action", "cancellation_approve", "cancellation_reject")


@dataclass(frozen=True)
class RequestFacts:
    """What the platform says about one request, whichever method it came from."""

    kind: str  # return_request | cancellation
    platform_id: int
    posting_number: str
    state: str
    awaiting: bool  # the platform waits for the seller's decision
    number: str | None = None
    order_number: str | None = None
    state_name: str = ""
    reason: str | None = None
    buyer_comment: str = ""
    initiator: str | None = None
    sku: int | None = None
    offer_id: str | None = None
    product_name: str | None = None
    amount: Decimal | None = None
    currency: str = "RUB"
    is_defect: bool = False
    photos: tuple[str, ...] = ()
    actions: tuple[dict[str, Any], ...] = ()
    rejection_reasons: tuple[dict[str, Any], ...] = ()
    requested_at: datetime | None = None
    auto_decision_at: datetime | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None


def _stamp(value: datetime | None) -> datetime | None:
    return to_storage(value) if value is not None else None


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _assign(obj: Any, **values: Any) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def known_states(session: Session, shop_id: int, kind: str) -> dict[int, str]:
    """platform id -> stored state, for deciding which requests to read again."""
    rows = session.execute(
        select(DecisionRequest.platform_id, DecisionRequest.state)
        .join(Conversation, Conversation.id == DecisionRequest.conversation_id)
        .where(Conversation.shop_id == shop_id, DecisionRequest.kind == kind)
    )
    return {int(pid): state for pid, state in rows}


def due_at(
    received_at: datetime, policy: SlaPolicy | None, auto_decision_at: datetime | None
) -> datetime | None:
    """The earlier of the policy's deadline and the moment the platform decides by itself."""
    candidates = [d for d in (auto_decision_at,) if d is not None]
    if policy is not None:
        deadline = sla.deadline(policy, received_at)
        if deadline is not None:
            candidates.append(deadline)
    return min(candidates) if candidates else None


def _new_conversation(shop_id: int, facts: RequestFacts, now: datetime) -> Conversation:
    received = facts.requested_at or now
    words = (facts.buyer_comment or facts.reason or "").strip()
    return Conversation(
        shop_id=shop_id,
        kind=facts.kind,
        platform_id=str(facts.platform_id),
        subject=" · ".join(p for p in (facts.posting_number, facts.product_name) if p)[:300],
        status="open",
        priority="normal",
        sla_policy=POLICIES[facts.kind],
        received_at=to_storage(received),
        last_message_at=to_storage(received),
        last_message_preview=words[:200],
        unread_count=0,
        version=1,
    )


@dataclass
class RequestPage:
    """A page's stored requests and the postings they name, read at once, and its new
    conversations, inserted together (:func:`read_page`): looked up and flushed one request at
    a time, they cost a first sync more than the rest of storing them."""

    convs: dict[tuple[str, str], Conversation]
    postings: dict[str, int]
    fresh: dict[tuple[str, str], Conversation]


def read_page(
    session: Session, shop_id: int, facts: Sequence[RequestFacts], now: datetime
) -> RequestPage:
    convs: dict[tuple[str, str], Conversation] = {}
    for kind in sorted({f.kind for f in facts}):
        pids = sorted({str(f.platform_id) for f in facts if f.kind == kind})
        for conv in session.scalars(select(Conversation).where(
            Conversation.shop_id == shop_id, Conversation.kind == kind,
            Conversation.platform_id.in_(pids),
        )):
            convs[(kind, str(conv.platform_id))] = conv
    if convs:
        # Into the session, so upsert_request's session.get finds them without a query each.
        session.scalars(select(DecisionRequest).where(
            DecisionRequest.conversation_id.in_([c.id for c in convs.values()])
        )).all()
    numbers = sorted({f.posting_number for f in facts})
    postings = dict(session.execute(
        select(Posting.posting_number, Posting.id).where(
            Posting.shop_id == shop_id, Posting.posting_number.in_(numbers)
        )
    ).all()) if numbers else {}
    fresh: dict[tuple[str, str], Conversation] = {}
    for f in facts:
        key = (f.kind, str(f.platform_id))
        if key not in convs and key not in fresh:
            fresh[key] = _new_conversation(shop_id, f, now)
    if fresh:
        session.add_all(list(fresh.values()))
        session.flush()  # their ids, for the messages and request rows
    return RequestPage(convs, postings, fresh)


def upsert_request(
    session: Session,
    shop_id: int,
    facts: RequestFacts,
    policies: dict[str, SlaPolicy],
    now: datetime,
    page: RequestPage | None = None,
) -> str | None:
    """'created', 'updated' or None when nothing changed. ``page``: what :func:`read_page`
    read and inserted for the page this request is on, saving a query each."""
    pid = str(facts.platform_id)
    key = (facts.kind, pid)
    conv: Conversation | None
    created = False
    if page is not None and key in page.fresh:
        conv, created = page.fresh.pop(key), True
        page.convs[key] = conv  # the same request again on the page: this conversation
    elif page is not None:
        conv = page.convs.get(key)
    else:
        conv = session.scalar(
            select(Conversation).where(
                Conversation.shop_id == shop_id,
                Conversation.kind == facts.kind,
                Conversation.platform_id == pid,
            )
        )
    received = facts.requested_at or now
    words = (facts.buyer_comment or facts.reason or "").strip()
    if conv is None:
        conv, created = _new_conversation(shop_id, facts, now), True
        session.add(conv)
        session.flush()
    if created:
        if words:
            session.add(
                Message(
                    conversation_id=conv.id,
                    platform_message_id=f"{facts.kind}:{pid}",
                    side="buyer",
                    text=words,
                    attachments=[],
                    created_at=to_storage(received),
                    delivery_state="received",
                )
            )
        row = DecisionRequest(conversation_id=conv.id, kind=facts.kind, platform_id=facts.platform_id)
        session.add(row)
    else:
        found = session.get(DecisionRequest, conv.id)
        if found is None:
            found = DecisionRequest(
                conversation_id=conv.id, kind=facts.kind, platform_id=facts.platform_id
            )
            session.add(found)
        row = found
    changed = _assign(
        row,
        number=(facts.number or None) and facts.number[:64],
        posting_number=facts.posting_number[:64],
        order_number=(facts.order_number or None) and facts.order_number[:64],
        state=facts.state[:40],
        state_name=facts.state_name[:200],
        reason=(facts.reason or None) and facts.reason[:300],
        buyer_comment=facts.buyer_comment,
        initiator=facts.initiator,
        sku=facts.sku,
        offer_id=(facts.offer_id or None) and facts.offer_id[:100],
        product_name=(facts.product_name or None) and facts.product_name[:500],
        amount=facts.amount.quantize(Decimal("0.01")) if facts.amount is not None else None,
        currency=facts.currency[:3],
        is_defect=facts.is_defect,
        photos=list(facts.photos),
        actions=[dict(a) for a in facts.actions],
        rejection_reasons=[dict(r) for r in facts.rejection_reasons],
        requested_at=_stamp(facts.requested_at),
        auto_decision_at=_stamp(facts.auto_decision_at),
        decided_at=_stamp(facts.decided_at),
        decision_comment=facts.decision_comment,
    )
    order = facts.order_number or order_of(facts.posting_number)
    conv_changed = _assign(conv, order_number=order[:64] if order else conv.order_number)
    if conv.posting_id is None:
        posting_id = page.postings.get(facts.posting_number) if page is not None else session.scalar(
            select(Posting.id).where(
                Posting.shop_id == shop_id, Posting.posting_number == facts.posting_number
            )
        )
        if posting_id is not None:
            conv_changed |= _assign(conv, posting_id=posting_id)
    if facts.awaiting and conv.status == "open":
        due = due_at(as_utc(conv.received_at), policies.get(conv.sla_policy), facts.auto_decision_at)
        conv_changed |= _assign(conv, due_at=_stamp(due))
    elif not facts.awaiting and conv.status in ("open", "waiting_buyer"):
        # Decided (here, in the cabinet, or by the platform): nothing is left to answer.
        at = to_storage(facts.decided_at or now)
        conv.status = "resolved"
        conv.resolved_at = at
        conv.due_at = None
        if conv.first_response_at is None:
            conv.first_response_at = max(at, conv.received_at)
        session.add(StatusChange(conversation_id=conv.id, status="resolved", at=at, agent_id=None))
        conv_changed = True
    if created:
        return "created"
    if changed or conv_changed:
        conv.version += 1
        return "updated"
    return None


def order_of(posting_number: str) -> str | None:
    # A posting number is the order number plus "-<n>".
    head, sep, tail = posting_number.rpartition("-")
    return head if sep and tail.isdigit() and head else None


def view(session: Session, conversation_id: int) -> DecisionView | None:
    row = session.get(DecisionRequest, conversation_id)
    conv = session.get(Conversation, conversation_id)
    if row is None or conv is None:
        return None
    return DecisionView(
        conversation_id=conversation_id,
        shop_id=conv.shop_id,
        kind=row.kind,
        platform_id=int(row.platform_id),
        number=row.number,
        posting_number=row.posting_number,
        order_number=row.order_number,
        state=row.state,
        state_name=row.state_name,
        reason=row.reason,
        buyer_comment=row.buyer_comment,
        initiator=row.initiator,
        product_name=row.product_name,
        sku=row.sku,
        offer_id=row.offer_id,
        amount=row.amount,
        currency=row.currency,
        is_defect=row.is_defect,
        photos=tuple(row.photos or ()),
        actions=tuple(row.actions or ()),
        rejection_reasons=tuple(row.rejection_reasons or ()),
        requested_at=_aware(row.requested_at),
        auto_decision_at=_aware(row.auto_decision_at),
        decided_at=_aware(row.decided_at),
        decision_comment=row.decision_comment,
    )



def view_with_queue(session: Session, conversation_id: int) -> DecisionView | None:
    """:func:`view` with the decisions queued for it and not yet delivered."""
    found = view(session, conversation_id)
    if found is None:
        return None
    return replace(found, queued=queued_decisions(session, conversation_id))


def queued_decisions(session: Session, conversation_id: int) -> tuple[str, ...]:
    """The decisions (their keys: ``rfbs:-1``, ``cancellation:approve``) queued for this
    request and not yet delivered: pending, on the wire, or waiting for a retry."""
    rows = session.scalars(
        select(OutboxEntry.payload).where(
            OutboxEntry.conversation_id == conversation_id,
            OutboxEntry.action.in_(DECISION_ACTIONS),
            OutboxEntry.state.in_(("pending", "sending")),
        )
    ).all()
    keys = []
    for raw in rows:
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        key = payload.get("decision") if isinstance(payload, dict) else None
        keys.append(str(key) if key else "?")
    return tuple(keys)

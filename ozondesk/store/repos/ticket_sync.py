"""Writing the seller's support and personal-manager chats, and the notification chats, into
the store. Idempotent like ``repos.sync``: a second sync of the same data changes nothing.

A support chat is a conversation (kind ``ozon_ticket`` or ``account_manager``) with a ticket row
beside it. Its clock runs for Ozon: from the seller's oldest message that no platform message
has answered yet, on the ticket's policy; the conversation's ``due_at`` is that deadline, so the
inbox countdown turns red when Ozon is late.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain import sla
from ozondesk.domain import tickets as T
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.ticket_categories import category_from_text
from ozondesk.ozon.chat_types import TICKET_KINDS
from ozondesk.ozon.records import ChatMessage, ChatSummary
from ozondesk.store.models import Conversation, Message, Shop
from ozondesk.store.repos.sync import ChatOutcome, _assign
from ozondesk.store.ticket_models import PlatformNotification, Ticket, TicketEvent


def ozon_clock(sides: Sequence[tuple[datetime, str]]) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(asked, answered, first answer) of a thread's (time, side) pairs in time order.

    ``asked`` is the seller's oldest message still without a platform message after it, or, when
    everything is answered, the question the last answer answered; ``answered`` is that answer
    (None while Ozon owes it); ``first answer`` the platform's first message after a seller's.
    """
    asked = answered = first = None
    for at, side in sides:
        if side == "seller":
            if asked is None or answered is not None:
                asked, answered = at, None
        elif side == "platform" and asked is not None:
            if answered is None:
                answered = at
            if first is None:
                first = at
    return asked, answered, first


def upsert_ticket_chat(
    session: Session,
    shop_id: int,
    chat: ChatSummary,
    messages: Sequence[ChatMessage],
    policies: dict[str, SlaPolicy],
) -> ChatOutcome:
    ticket_kind = TICKET_KINDS[chat.chat_type]
    conv_kind = T.CONVERSATION_KIND[ticket_kind]
    conv = session.scalar(select(Conversation).where(
        Conversation.shop_id == shop_id, Conversation.kind == conv_kind,
        Conversation.platform_id == chat.chat_id))
    known_ticket = (session.scalar(select(Ticket).where(Ticket.conversation_id == conv.id))
                    if conv is not None else None)
    opener = next((m.text for m in messages if m.side == "seller"), "")
    # The category is guessed once, from the opening message; the agent's correction stays.
    category = known_ticket.category if known_ticket is not None else category_from_text(opener)
    policy_name = T.policy_for(ticket_kind, category)
    first_at = messages[0].created_at if messages else chat.created_at or datetime.now(UTC)
    if conv is None:
        conv = Conversation(
            shop_id=shop_id, kind=conv_kind, platform_id=chat.chat_id, subject=opener[:300],
            status="closed" if chat.chat_status == "CLOSED" else "open", priority="normal",
            sla_policy=policy_name, received_at=to_storage(first_at), last_message_preview="",
            unread_count=0, version=1,
        )
        session.add(conv)
        session.flush()
        outcome = ChatOutcome(conv.id, created=True)
    else:
        outcome = ChatOutcome(conv.id)
    ids = [str(m.message_id) for m in messages]
    known = set(session.scalars(select(Message.platform_message_id).where(
        Message.conversation_id == conv.id, Message.platform_message_id.in_(ids)))) if ids else set()
    changed = False
    for m in messages:
        pid = str(m.message_id)
        if pid in known:
            continue
        session.add(Message(
            conversation_id=conv.id, platform_message_id=pid, side=m.side, text=m.text,
            attachments=["image"] if m.is_image else [], created_at=to_storage(m.created_at),
            delivery_state="delivered" if m.side == "seller" else "received"))
        outcome.messages_created += 1
        known.add(pid)
        at = to_storage(m.created_at)
        if conv.last_message_at is None or at >= conv.last_message_at:
            changed |= _assign(conv, last_message_at=at, last_message_preview=m.text[:200])
    session.flush()
    rows = session.execute(
        select(Message.created_at, Message.side, Message.text).where(Message.conversation_id == conv.id)
        .order_by(Message.created_at, Message.id)).all()
    sides = [(as_utc(at), side) for at, side, _text in rows]
    asked, answered, first = ozon_clock(sides)
    # What was asked, for an escalation: the seller's messages from the open question on.
    question = "\n".join(text for at, side, text in rows if side == "seller" and asked is not None
                         and as_utc(at) >= asked and (answered is None or as_utc(at) < answered))
    policy = policies.get(policy_name)
    due = sla.deadline(policy, asked) if policy is not None and asked is not None else None
    changed |= _assign(conv, unread_count=chat.unread_count,
                       first_response_at=to_storage(first) if first else None)
    if conv.status == "open":
        changed |= _assign(conv, due_at=to_storage(due) if due and answered is None else None)
    if changed and not outcome.created:
        conv.version += 1
        outcome.updated = True
    _upsert_ticket(session, shop_id, conv.id, chat, ticket_kind, category, policy_name, asked,
                   answered, sides, due, question)
    return outcome


def _upsert_ticket(session: Session, shop_id: int, conversation_id: int, chat: ChatSummary,
                   kind: str, category: str, policy: str, asked: datetime | None, answered: datetime | None,
                   sides: list[tuple[datetime, str]], due: datetime | None, question: str) -> None:
    if chat.chat_status == "CLOSED":
        status = "closed"
    elif asked is None:
        status = "draft"  # nothing asked yet: Ozon owes nothing
    elif answered is not None:
        status = "answered"
    else:
        # A follow-up after Ozon has answered before: the ticket is in progress on their side.
        status = "in_progress" if any(s == "platform" for _at, s in sides) else "pending_review"
    ticket = session.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id))
    now = to_storage(datetime.now(UTC))
    if ticket is None:
        shop_ref = session.scalar(select(Shop.ozon_seller_id).where(Shop.id == shop_id))
        ticket = Ticket(shop_id=shop_id, conversation_id=conversation_id, source="sync", kind=kind,
                        number=chat.chat_id, category=category, policy=policy, shop_ref=shop_ref,
                        order_numbers=[], question="", status="draft", created_at=now)
        session.add(ticket)
        session.flush()
    previous = ticket.status
    _assign(ticket, status=status, sent_at=to_storage(asked) if asked else None,
            answered_at=to_storage(answered) if answered else None,
            due_at=to_storage(due) if due else None, question=question[:5000])
    if status != previous:
        at = answered if status == "answered" and answered else asked
        session.add(TicketEvent(ticket_id=ticket.id, event=status,
                                at=to_storage(at) if at else now, note=""))


def store_notifications(session: Session, shop_id: int, chat: ChatSummary,
                        messages: Sequence[ChatMessage]) -> ChatOutcome:
    """The notification chat's new messages, each once."""
    outcome = ChatOutcome(0)
    ids = [str(m.message_id) for m in messages]
    if not ids:
        return outcome
    known = set(session.scalars(select(PlatformNotification.platform_message_id).where(
        PlatformNotification.shop_id == shop_id,
        PlatformNotification.platform_message_id.in_(ids))))
    for m in messages:
        pid = str(m.message_id)
        if pid in known:
            continue
        known.add(pid)
        session.add(PlatformNotification(
            shop_id=shop_id, chat_id=chat.chat_id, chat_type=chat.chat_type,
            platform_message_id=pid, text=m.text, created_at=to_storage(m.created_at)))
        outcome.messages_created += 1
    outcome.created = outcome.messages_created > 0
    return outcome


def upsert_platform_chat(
    session: Session,
    shop_id: int,
    chat: ChatSummary,
    messages: Sequence[ChatMessage],
    policies: dict[str, SlaPolicy],
) -> ChatOutcome:
    """A support or personal-manager chat as a ticket, a notification chat as notifications."""
    if chat.chat_type in TICKET_KINDS:
        return upsert_ticket_chat(session, shop_id, chat, messages, policies)
    return store_notifications(session, shop_id, chat, messages)

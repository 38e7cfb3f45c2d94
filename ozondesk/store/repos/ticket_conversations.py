"""The inbox conversation beside a ticket entered by hand, so it lists, sorts and counts down
like a synced support or manager chat (kind ``ozon_ticket`` / ``account_manager``).

A synced chat brings its messages; a ticket sent through a Seller Center form or by e-mail has
only what the agent typed. Its conversation holds that as the seller's one message at the sent
time (the SLA engine starts Ozon's clock there, ``domain.sla_outcome.SELLER_ASKS``), ``due_at``
is Ozon's deadline while Ozon owes the answer, the answer time is the first response, and a
closed ticket is a resolved conversation. Written in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ozondesk.domain import tickets as T
from ozondesk.domain.clock import to_storage
from ozondesk.store.models import Conversation, Message
from ozondesk.store.ticket_models import Ticket


def _subject(ticket: Ticket) -> str:
    question = " ".join(ticket.question.split())
    return (f"{ticket.number}: {question}" if question else ticket.number)[:300]


def mirror_hand_ticket(session: Session, ticket: Ticket, due: datetime | None) -> int | None:
    """Create or update the conversation of a sent hand-entered ticket; its id (None while the
    ticket is a draft, or the database has no shop yet to file it under)."""
    if ticket.source != "hand" or ticket.sent_at is None or ticket.shop_id is None:
        return ticket.conversation_id
    conv = session.get(Conversation, ticket.conversation_id) if ticket.conversation_id else None
    waiting = ticket.status in T.WAITING_STATUSES
    values = {
        "status": "resolved" if ticket.status == "closed" else "open",
        "sla_policy": ticket.policy,
        "first_response_at": ticket.answered_at,
        "resolved_at": (ticket.answered_at or ticket.sent_at) if ticket.status == "closed" else None,
        "due_at": to_storage(due) if waiting and due is not None else None,
        "order_number": ticket.order_numbers[0] if ticket.order_numbers else None,
    }
    if conv is None:
        text = ticket.question.strip() or ticket.number
        conv = Conversation(
            shop_id=ticket.shop_id, kind=T.CONVERSATION_KIND[ticket.kind], platform_id=None,
            subject=_subject(ticket), priority="normal", received_at=ticket.sent_at,
            last_message_at=ticket.sent_at, last_message_preview=text[:200], unread_count=0,
            version=1, **values)
        session.add(conv)
        session.flush()
        session.add(Message(conversation_id=conv.id, platform_message_id=None, side="seller",
                            text=text, attachments=[], created_at=ticket.sent_at,
                            delivery_state="delivered"))
        ticket.conversation_id = conv.id
        session.flush()
        return conv.id
    changed = False
    for name, value in values.items():
        if getattr(conv, name) != value:
            setattr(conv, name, value)
            changed = True
    if changed:
        conv.version += 1
    return conv.id


def follow_policy(session: Session, ticket: Ticket, due: datetime | None) -> None:
    """A synced ticket's conversation takes the policy of its (corrected) category; while Ozon
    owes the answer its countdown is the new deadline. The next sync keeps both."""
    if ticket.conversation_id is None:
        return
    conv = session.get(Conversation, ticket.conversation_id)
    if conv is None:
        return
    waiting = ticket.status in T.WAITING_STATUSES and conv.status == "open"
    due_at = to_storage(due) if waiting and due is not None else conv.due_at
    if (conv.sla_policy, conv.due_at) != (ticket.policy, due_at):
        conv.sla_policy, conv.due_at = ticket.policy, due_at
        conv.version += 1

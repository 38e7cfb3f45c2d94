"""The outbox: requests written before they are sent, and matched to the platform's copy after.

A chat reply is a ``Message`` (delivery_state ``queued``) plus an ``OutboxEntry`` of action
``chat_message``; an answer to a product question or a comment on a review is the same with
its own action; a decision (approve a return…) is an entry without a message. Matching a
platform message to a local reply happens in one place (``claim_outgoing``) for both the
sender's reconcile and the sync, so a reply is never stored, or sent, twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Update, and_, func, or_, select, update
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.dml import rows_changed
from ozondesk.store.models import Conversation, Message, OutboxEntry, Posting

# Clocks differ between the desk and the platform; a platform copy may look this much older.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    shop_id: int
    conversation_id: int
    message_id: int | None
    chat_id: str  # the platform id of the target: chat, question, review, return…
    text: str
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None
    platform_message_id: str | None
    action: str = "chat_message"
    payload: dict[str, Any] = field(default_factory=dict)


def same_text(a: str, b: str) -> bool:
    # The platform returns Markdown and may trim; compare what a reader would see.
    return " ".join(a.split()) == " ".join(b.split())


def _item(row: OutboxEntry) -> OutboxItem:
    return OutboxItem(
        row.id,
        row.shop_id,
        row.conversation_id,
        row.message_id,
        row.chat_id,
        row.text,
        row.state,
        row.attempts,
        as_utc(row.created_at),
        as_utc(row.next_attempt_at),
        row.last_error,
        row.platform_message_id,
        row.action or "chat_message",
        json.loads(row.payload) if row.payload else {},
    )


def enqueue(
    session: Session, conversation_id: int, text: str, now: datetime, agent_id: int | None = None
) -> OutboxItem:
    """Queue a chat reply (action ``chat_message``) to the conversation's chat."""
    conv = session.get(Conversation, conversation_id)
    if conv is None or not conv.platform_id:
        raise LookupError(f"conversation {conversation_id} has no platform chat")
    return enqueue_action(
        session, conversation_id, "chat_message", conv.platform_id, now,
        text=text, agent_id=agent_id,
    )


def enqueue_action(
    session: Session,
    conversation_id: int,
    action: str,
    target_id: str,
    now: datetime,
    *,
    text: str = "",
    payload: dict[str, Any] | None = None,
    agent_id: int | None = None,
    as_message: bool = True,
) -> OutboxItem:
    """Queue any outbox action; with ``as_message`` the request also shows in the thread as a
    seller message (an answer, a comment), otherwise it is a bare decision."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise LookupError(f"conversation {conversation_id} does not exist")
    message_id: int | None = None
    if as_message:
        message = Message(
            conversation_id=conversation_id,
            platform_message_id=None,
            side="seller",
            author_agent_id=agent_id,
            text=text,
            attachments=[],
            created_at=to_storage(now),
            delivery_state="queued",
        )
        session.add(message)
        session.flush()
        message_id = message.id
    entry = OutboxEntry(
        shop_id=conv.shop_id,
        conversation_id=conversation_id,
        message_id=message_id,
        action=action,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True) if payload else None,
        chat_id=target_id,
        text=text,
        state="pending",
        attempts=0,
        created_at=to_storage(now),
        next_attempt_at=to_storage(now),
        author_agent_id=agent_id,
    )
    session.add(entry)
    session.flush()
    return _item(entry)


def _may_claim(now: datetime) -> ColumnElement[bool]:
    """Entries a sender may take now: pending ones whose time has come, and ``sending`` ones
    whose sender's lease ran out (it died, or an older version left them without one)."""
    at = to_storage(now)
    return or_(
        and_(OutboxEntry.state == "pending", OutboxEntry.next_attempt_at <= at),
        and_(
            OutboxEntry.state == "sending",
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until <= at),
        ),
    )


def due_ids(
    session: Session, now: datetime, shop_id: int | None = None, limit: int = 50
) -> list[int]:
    """Entries to try now, oldest first. Only candidates: :func:`claim` decides."""
    query = select(OutboxEntry.id).where(_may_claim(now))
    if shop_id is not None:
        query = query.where(OutboxEntry.shop_id == shop_id)
    query = query.order_by(OutboxEntry.created_at, OutboxEntry.id).limit(limit)
    return list(session.scalars(query))


def _owned(entry_id: int, owner: str) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxEntry.id == entry_id,
        OutboxEntry.state == "sending",
        OutboxEntry.claimed_by == owner,
    )


def _message_of(entry_id: int) -> Any:
    return select(OutboxEntry.message_id).where(OutboxEntry.id == entry_id).scalar_subquery()


def _changed(session: Session, statement: Update) -> bool:
    return rows_changed(session, statement.execution_options(synchronize_session=False)) == 1


def claim(
    session: Session, entry_id: int, owner: str, now: datetime, lease: timedelta
) -> OutboxItem | None:
    """Take ``entry_id`` for ``owner`` (``sending``, with a lease) if nobody else may have it;
    None when another sender claimed it first or it is no longer due.

    One conditional UPDATE: two senders can both see the entry due, only one changes the row
    (SQLite serializes writers; PostgreSQL re-checks the condition on the row it waited for).
    """
    taken = _changed(
        session,
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, _may_claim(now))
        .values(state="sending", claimed_by=owner, lease_until=to_storage(now + lease)),
    )
    if not taken:
        return None
    row = session.get(OutboxEntry, entry_id, populate_existing=True)
    assert row is not None
    return _item(row)


def get(session: Session, entry_id: int) -> OutboxItem | None:
    row = session.get(OutboxEntry, entry_id)
    return _item(row) if row is not None else None


def begin_attempt(
    session: Session, entry_id: int, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Count an attempt and renew the lease, committed before the call goes out; False when
    ``owner`` lost the entry (its lease ran out and another sender took it over)."""
    started = to_storage(now)
    if not _changed(
        session,
        update(OutboxEntry)
        .where(*_owned(entry_id, owner))
        .values(
            attempts=OutboxEntry.attempts + 1,
            attempt_started_at=started,
            lease_until=to_storage(now + lease),
        ),
    ):
        return False
    session.execute(
        update(Message)
        .where(Message.id == _message_of(entry_id))
        .values(delivery_state="queued")
        .execution_options(synchronize_session=False)
    )
    return True


def mark_sent(
    session: Session,
    entry_id: int,
    platform_id: str | None,
    now: datetime,
    *,
    only_unsent: bool = False,
) -> None:
    """The request is on the platform: recorded whoever holds the claim (it went out).
    ``only_unsent``: leave an entry alone that is recorded as sent already (a chat reply the
    history check attached)."""
    row = session.get(OutboxEntry, entry_id, populate_existing=True)
    assert row is not None
    if only_unsent and row.state == "sent":
        return
    row.state = "sent"
    row.sent_at = row.sent_at or to_storage(now)
    row.last_error = None
    row.claimed_by = row.lease_until = None
    message = session.get(Message, row.message_id) if row.message_id is not None else None
    if message is not None:
        message.delivery_state = "sent"
    if platform_id and row.platform_message_id is None:
        row.platform_message_id = platform_id
        if message is not None and message.platform_message_id is None:
            message.platform_message_id = platform_id
    conv = session.get(Conversation, row.conversation_id)
    if conv is not None and message is not None:
        at = message.created_at
        if conv.last_message_at is None or at >= conv.last_message_at:
            conv.last_message_at = at
            conv.last_message_preview = message.text[:200]
        if conv.first_response_at is None:
            conv.first_response_at = at
        conv.version += 1


def mark_retry(session: Session, entry_id: int, owner: str, error: str, next_at: datetime) -> bool:
    """Back to ``pending`` until ``next_at``; False (nothing changed) if ``owner`` lost it."""
    return _changed(
        session,
        update(OutboxEntry)
        .where(*_owned(entry_id, owner))
        .values(
            state="pending",
            last_error=error,
            next_attempt_at=to_storage(next_at),
            claimed_by=None,
            lease_until=None,
        ),
    )


def mark_failed(session: Session, entry_id: int, owner: str, error: str) -> bool:
    """Refused for good; False (nothing changed) if ``owner`` lost it."""
    if not _changed(
        session,
        update(OutboxEntry)
        .where(*_owned(entry_id, owner))
        .values(state="failed", last_error=error, claimed_by=None, lease_until=None),
    ):
        return False
    session.execute(
        update(Message)
        .where(Message.id == _message_of(entry_id))
        .values(delivery_state="failed")
        .execution_options(synchronize_session=False)
    )
    return True


def attached_ids(session: Session, conversation_id: int) -> set[str]:
    return set(
        session.scalars(
            select(Message.platform_message_id).where(
                Message.conversation_id == conversation_id, Message.platform_message_id.is_not(None)
            )
        )
    )


def has_unclaimed(session: Session, conversation_id: int) -> bool:
    """Whether any reply of this conversation may be on the platform without its id yet."""
    return (
        session.scalar(
            select(OutboxEntry.id)
            .where(
                OutboxEntry.conversation_id == conversation_id,
                OutboxEntry.attempts > 0,
                OutboxEntry.platform_message_id.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def claim_outgoing(
    session: Session,
    conversation_id: int,
    text: str,
    platform_id: str,
    platform_at: datetime,
    *,
    action: str = "chat_message",
) -> bool:
    """Attach a platform seller message to the oldest matching reply that may have gone out.

    Only replies with at least one attempt qualify: a reply never tried cannot be on the
    platform, even if the same words were sent another way.
    """
    for entry, message in unmatched_attempts(session, conversation_id, platform_at, action):
        if same_text(entry.text, text):
            mark_on_platform(entry, message, platform_id, platform_at)
            return True
    return False


def unmatched_attempts(
    session: Session, conversation_id: int, platform_at: datetime, action: str
) -> list[tuple[OutboxEntry, Message]]:
    """Entries of ``action`` tried at least once, created before ``platform_at`` (give or take
    the clock skew), whose message has no platform copy yet: oldest first."""
    rows = session.execute(
        select(OutboxEntry, Message)
        .join(Message, Message.id == OutboxEntry.message_id)
        .where(
            OutboxEntry.conversation_id == conversation_id,
            OutboxEntry.action == action,
            OutboxEntry.attempts > 0,
            Message.platform_message_id.is_(None),
            OutboxEntry.created_at <= to_storage(platform_at + CLOCK_SKEW),
        )
        .order_by(OutboxEntry.created_at, OutboxEntry.id)
    ).all()
    return [(entry, message) for entry, message in rows]


def mark_on_platform(
    entry: OutboxEntry, message: Message, platform_id: str, platform_at: datetime
) -> None:
    """The platform has this entry's message: it is sent, whatever the sender last knew."""
    message.platform_message_id = platform_id
    entry.platform_message_id = platform_id
    if entry.state != "sent":
        entry.state = "sent"
        entry.sent_at = to_storage(platform_at)
        entry.last_error = None
        entry.claimed_by = entry.lease_until = None
    message.delivery_state = "sent"


def pending_count(session: Session, shop_id: int | None = None) -> int:
    query = select(OutboxEntry.id).where(OutboxEntry.state.in_(("pending", "sending")))
    if shop_id is not None:
        query = query.where(OutboxEntry.shop_id == shop_id)
    return len(session.scalars(query).all())


@dataclass(frozen=True)
class WindowFacts:
    scheme: str | None
    delivered_at: datetime | None
    last_buyer_at: datetime | None
    chat_id: str | None


def window_facts(session: Session, conversation_id: int) -> WindowFacts | None:
    """What the send-window rule needs to know about a conversation."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        return None
    scheme = delivered = None
    if conv.posting_id is not None:
        posting = session.get(Posting, conv.posting_id)
        if posting is not None:
            scheme, delivered = posting.scheme, posting.delivered_at
    last_buyer = session.scalar(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == conversation_id, Message.side == "buyer"
        )
    )
    return WindowFacts(
        scheme,
        as_utc(delivered) if delivered else None,
        as_utc(last_buyer) if last_buyer else None,
        conv.platform_id,
    )


def latest_platform_id(session: Session, conversation_id: int) -> str | None:
    """The newest platform message id stored for a conversation (ids grow with time)."""
    ids = attached_ids(session, conversation_id)
    return max(ids, key=int) if ids else None

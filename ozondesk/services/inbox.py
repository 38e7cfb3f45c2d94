"""Inbox queries for the UI: counts and windows of rows as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ozondesk.domain.clock import as_utc, to_storage, utcnow
from ozondesk.store import dialect
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message

OPEN_STATUSES = ("open", "waiting_buyer")


SEARCH_LIMIT = 5000  # matching messages considered for one search


@dataclass(frozen=True)
class InboxFilter:
    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None
    category: str | None = None
    assignee_id: int | None = None  # "mine"
    due_soon_minutes: int | None = None  # open, deadline within this many minutes
    breached: bool = False  # open, deadline passed
    query: str = ""  # text in any message (Cyrillic, Latin or Chinese; case-insensitive)
    now: datetime | None = None  # for due-soon and breached; the query time otherwise


@dataclass(frozen=True)
class InboxRow:
    id: int
    kind: str
    title: str
    preview: str
    category: str | None
    status: str
    priority: str
    assignee: str | None
    received_at: datetime
    last_message_at: datetime | None
    due_at: datetime | None
    sla_policy: str
    unread: int
    snippet: str | None
    # The policy behind due_at: the first-response policy until answered, then resolution.
    due_policy: str


class InboxService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._search_cache: tuple[str, dict[int, str]] | None = None

    def _matches(self, session: Session, text: str) -> dict[int, str]:
        """Conversation id → snippet of its newest matching message (cached for paging)."""
        if self._search_cache is not None and self._search_cache[0] == text:
            return self._search_cache[1]
        hits = dialect.matching_message_ids(session.connection(), text, SEARCH_LIMIT)
        owners = dict(
            session.execute(
                select(Message.id, Message.conversation_id).where(Message.id.in_([h[0] for h in hits]))
            ).all()
        ) if hits else {}
        result: dict[int, str] = {}
        for message_id, snippet in hits:  # newest first
            result.setdefault(owners[message_id], snippet)
        self._search_cache = (text, result)
        return result

    def _where(self, query: Select, flt: InboxFilter, session: Session) -> Select:
        if flt.statuses:
            query = query.where(Conversation.status.in_(flt.statuses))
        if flt.kind:
            query = query.where(Conversation.kind == flt.kind)
        if flt.category:
            query = query.where(Conversation.category == flt.category)
        if flt.assignee_id is not None:
            query = query.where(Conversation.assignee_id == flt.assignee_id)
        now = to_storage(flt.now or utcnow())
        if flt.due_soon_minutes is not None:
            query = query.where(
                Conversation.status == "open",
                Conversation.due_at > now,
                Conversation.due_at <= now + timedelta(minutes=flt.due_soon_minutes),
            )
        if flt.breached:
            query = query.where(Conversation.status == "open", Conversation.due_at <= now)
        if flt.query.strip():
            query = query.where(Conversation.id.in_(list(self._matches(session, flt.query.strip()))))
        return query

    def categories(self) -> list[str]:
        with self.db.begin() as session:
            rows = session.scalars(
                select(Conversation.category).where(Conversation.category.is_not(None)).distinct()
            ).all()
        return sorted(r for r in rows if r)

    def count(self, flt: InboxFilter = InboxFilter()) -> int:
        self._search_cache = None  # a new count starts a new listing: search afresh
        with self.db.begin() as session:
            query = self._where(select(func.count()).select_from(Conversation), flt, session)
            return int(session.scalar(query) or 0)

    def page(self, offset: int, limit: int, flt: InboxFilter = InboxFilter()) -> list[InboxRow]:
        """Most urgent first: conversations with a deadline by deadline, then the rest by last message."""
        assignee = aliased(Agent)
        query = (
            select(
                Conversation.id,
                Conversation.kind,
                Conversation.buyer_name,
                Conversation.subject,
                Conversation.last_message_preview,
                Conversation.category,
                Conversation.status,
                Conversation.priority,
                assignee.display_name,
                Conversation.received_at,
                Conversation.last_message_at,
                Conversation.due_at,
                Conversation.sla_policy,
                Conversation.unread_count,
                Conversation.first_response_at,
            )
            .outerjoin(assignee, assignee.id == Conversation.assignee_id)
            .order_by(
                Conversation.due_at.is_(None),
                Conversation.due_at,
                Conversation.last_message_at.desc(),
                Conversation.id,
            )
            .offset(offset)
            .limit(limit)
        )
        with self.db.begin() as session:
            rows = session.execute(self._where(query, flt, session)).all()
            snippets = self._matches(session, flt.query.strip()) if flt.query.strip() else {}
        return [
            InboxRow(
                id=r[0],
                kind=r[1],
                title=r[2] or r[3] or "",
                preview=r[4],
                category=r[5],
                status=r[6],
                priority=r[7],
                assignee=r[8],
                received_at=as_utc(r[9]),
                last_message_at=as_utc(r[10]) if r[10] else None,
                due_at=as_utc(r[11]) if r[11] else None,
                sla_policy=r[12],
                unread=r[13],
                due_policy=r[12] if r[14] is None else "resolution-48h",
                snippet=snippets.get(r[0]),
            )
            for r in rows
        ]

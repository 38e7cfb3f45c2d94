"""Inbox queries for the UI: counts and windows of rows as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ozondesk.domain.clock import as_utc
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation

OPEN_STATUSES = ("open", "waiting_buyer")


@dataclass(frozen=True)
class InboxFilter:
    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str | None = None


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
    # The policy behind due_at: the first-response policy until answered, then resolution.
    due_policy: str


class InboxService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _where(self, query: Select, flt: InboxFilter) -> Select:
        if flt.statuses:
            query = query.where(Conversation.status.in_(flt.statuses))
        if flt.kind:
            query = query.where(Conversation.kind == flt.kind)
        return query

    def count(self, flt: InboxFilter = InboxFilter()) -> int:
        with self.db.begin() as session:
            query = self._where(select(func.count()).select_from(Conversation), flt)
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
            rows = session.execute(self._where(query, flt)).all()
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
            )
            for r in rows
        ]

"""Which conversations just became due soon, for the desk's notification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation

DUE_SOON_MINUTES = 5
LIMIT = 50  # a desk with more than this many due at once needs the inbox, not pop-ups


@dataclass(frozen=True)
class DueSoon:
    conversation_id: int
    title: str
    due_at: datetime


class DueSoonService:
    def __init__(self, db: Database, minutes: int = DUE_SOON_MINUTES) -> None:
        self.db = db
        self.minutes = minutes

    def due_soon(self, agent_id: int | None, now: datetime) -> list[DueSoon]:
        """Open conversations whose deadline falls in the next few minutes, for this agent or nobody yet."""
        query = (
            select(Conversation.id, Conversation.buyer_name, Conversation.subject, Conversation.sla_due)
            .where(
                Conversation.status == "open",
                # On the seller's own tickets the deadline is Ozon's to meet (#14): nothing to
                # pop up for the desk; the Tickets workspace offers the escalation instead.
                Conversation.kind.not_in(("ozon_ticket", "account_manager")),
                Conversation.sla_due > to_storage(now),
                Conversation.sla_due <= to_storage(now + timedelta(minutes=self.minutes)),
            )
            .order_by(Conversation.sla_due, Conversation.id)
            .limit(LIMIT)
        )
        if agent_id is not None:
            query = query.where(
                or_(Conversation.assignee_id == agent_id, Conversation.assignee_id.is_(None))
            )
        with self.db.read() as session:
            rows = session.execute(query).all()
        # due is never None here: the query keeps only deadlines inside the next minutes.
        return [
            DueSoon(cid, buyer or subject or "", as_utc(due))
            for cid, buyer, subject, due in rows
            if due is not None
        ]

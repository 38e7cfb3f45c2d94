"""Unsent replies, one per conversation and agent, saved so a crash or a kill loses nothing.

Every call is one committed transaction: when :meth:`DraftService.save` returns, the
text is on disk (SQLite WAL survives a killed process), so the UI may say "saved".
Saving an empty text deletes the draft.

``save`` and ``delete`` return what they changed (``services/changes.py``): the one
conversation, in place in any listing (no filter or sort key reads a draft), or nothing when
there was nothing to delete. The composer that wrote the draft shows it already, so the
window does not read the conversation again for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.services.changes import NOTHING, OpChanges, conversation_changed
from ozondesk.store.db import Database
from ozondesk.store.dml import rows_changed
from ozondesk.store.models import Draft


@dataclass(frozen=True)
class DraftRecord:
    conversation_id: int
    agent_id: int | None
    text: str
    template_slug: str | None
    updated_at: datetime


@dataclass(frozen=True)
class DraftSaved:
    record: DraftRecord | None  # None: the text was blank, the draft is gone
    changes: OpChanges


def _changed(conversation_id: int) -> OpChanges:
    return conversation_changed(conversation_id, membership=False)


def _owner(
    conversation_id: int, agent_id: int | None
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    # NULL never equals NULL in SQL: a desk without agents keeps one draft per conversation.
    agent = Draft.agent_id.is_(None) if agent_id is None else Draft.agent_id == agent_id
    return (Draft.conversation_id == conversation_id, agent)


def _record(row: Draft) -> DraftRecord:
    return DraftRecord(
        row.conversation_id, row.agent_id, row.text, row.template_slug, as_utc(row.updated_at)
    )


def load_in(session: Session, conversation_id: int, agent_id: int | None) -> DraftRecord | None:
    row = session.scalars(
        select(Draft).where(*_owner(conversation_id, agent_id)).order_by(Draft.id.desc()).limit(1)
    ).first()
    return _record(row) if row is not None else None


def delete_in(session: Session, conversation_id: int, agent_id: int | None) -> int:
    """Remove the draft inside the caller's transaction (the reply that replaced it is queued there)."""
    return rows_changed(session, delete(Draft).where(*_owner(conversation_id, agent_id)))


def save_in(
    session: Session,
    conversation_id: int,
    agent_id: int | None,
    text: str,
    now: datetime,
    template_slug: str | None = None,
) -> DraftRecord | None:
    if not text.strip():
        delete_in(session, conversation_id, agent_id)
        return None
    rows = session.scalars(
        select(Draft).where(*_owner(conversation_id, agent_id)).order_by(Draft.id)
    ).all()
    if rows:
        row = rows[0]
        for extra in rows[1:]:  # only possible with agent_id NULL on an older desk
            session.delete(extra)
        row.text, row.template_slug, row.updated_at = text, template_slug, to_storage(now)
    else:
        row = Draft(
            conversation_id=conversation_id,
            agent_id=agent_id,
            text=text,
            template_slug=template_slug,
            updated_at=to_storage(now),
        )
        session.add(row)
    session.flush()
    return _record(row)


class DraftService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        conversation_id: int,
        agent_id: int | None,
        text: str,
        now: datetime,
        template_slug: str | None = None,
    ) -> DraftSaved:
        """Store the draft and commit; its record is None when ``text`` is blank (the draft
        is deleted: nothing changed when there was none)."""
        for attempt in (1, 2):
            try:
                with self.db.begin() as session:
                    if not text.strip():
                        gone = delete_in(session, conversation_id, agent_id)
                        return DraftSaved(None, _changed(conversation_id) if gone else NOTHING)
                    record = save_in(session, conversation_id, agent_id, text, now, template_slug)
                    return DraftSaved(record, _changed(conversation_id))
            except IntegrityError:
                # Another window of the same agent inserted first (PostgreSQL); update it instead.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def load(self, conversation_id: int, agent_id: int | None) -> DraftRecord | None:
        with self.db.begin() as session:
            return load_in(session, conversation_id, agent_id)

    def delete(self, conversation_id: int, agent_id: int | None) -> OpChanges:
        with self.db.begin() as session:
            gone = delete_in(session, conversation_id, agent_id) > 0
        return _changed(conversation_id) if gone else NOTHING

    def conversations_with_drafts(self, agent_id: int | None) -> set[int]:
        """Conversation ids where this agent has an unsent draft (for an inbox marker)."""
        agent = Draft.agent_id.is_(None) if agent_id is None else Draft.agent_id == agent_id
        with self.db.begin() as session:
            return set(session.scalars(select(Draft.conversation_id).where(agent)))

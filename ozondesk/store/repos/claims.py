"""Claims: which agent answers a conversation, taken and checked with one atomic statement.

``take`` is an ``INSERT … ON CONFLICT DO UPDATE … WHERE`` (PostgreSQL and SQLite both have it):
the row is created, kept by its holder or taken over when stale, and nothing else, in one
statement. On PostgreSQL a competing desk waits on the row lock and then re-checks the
condition against the committed row, so two desks can never both come out holding it; the
row stays locked to the end of the taker's transaction, so a reply sent in that transaction
cannot lose the claim half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.dml import rows_changed
from ozondesk.store.models import Agent, Claim, PresenceEventRow


@dataclass(frozen=True)
class ClaimRecord:
    conversation_id: int
    agent_id: int
    agent_name: str
    claimed_at: datetime  # aware UTC
    renewed_at: datetime  # aware UTC


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"claims need INSERT … ON CONFLICT, which {name} lacks")


def take(session: Session, conversation_id: int, agent_id: int, now: datetime,
         stale_before: datetime) -> bool:
    """Claim for ``agent_id`` unless another agent holds a claim renewed since ``stale_before``.

    True when ``agent_id`` holds it afterwards (a holder's own claim is renewed, keeping its
    start time).
    """
    at, stale = to_storage(now), to_storage(stale_before)
    stmt = _insert(session)(Claim).values(
        conversation_id=conversation_id, agent_id=agent_id, claimed_at=at, renewed_at=at
    )
    same = Claim.agent_id == stmt.excluded.agent_id
    stmt = stmt.on_conflict_do_update(
        index_elements=[Claim.conversation_id],
        set_={
            "agent_id": stmt.excluded.agent_id,
            "claimed_at": case((same, Claim.claimed_at), else_=stmt.excluded.claimed_at),
            "renewed_at": stmt.excluded.renewed_at,
        },
        where=or_(same, Claim.renewed_at < stale),
    ).returning(Claim.agent_id)
    return session.execute(stmt).first() is not None


def holder(session: Session, conversation_id: int, stale_before: datetime) -> ClaimRecord | None:
    """The live claim on a conversation; a stale one counts as none."""
    row = session.execute(
        select(Claim.conversation_id, Claim.agent_id, Agent.display_name, Claim.claimed_at,
               Claim.renewed_at)
        .join(Agent, Agent.id == Claim.agent_id)
        .where(Claim.conversation_id == conversation_id,
               Claim.renewed_at >= to_storage(stale_before))
    ).first()
    if row is None:
        return None
    cid, aid, name, claimed, renewed = row
    return ClaimRecord(cid, aid, name, as_utc(claimed), as_utc(renewed))


def held_by(session: Session, agent_id: int, stale_before: datetime) -> list[int]:
    return list(session.scalars(
        select(Claim.conversation_id)
        .where(Claim.agent_id == agent_id, Claim.renewed_at >= to_storage(stale_before))
        .order_by(Claim.conversation_id)
    ))


def release(session: Session, conversation_id: int, agent_id: int) -> bool:
    return bool(
        rows_changed(
            session,
            delete(Claim).where(Claim.conversation_id == conversation_id, Claim.agent_id == agent_id),
        )
    )


def release_all(session: Session, agent_id: int) -> int:
    return rows_changed(session, delete(Claim).where(Claim.agent_id == agent_id))


def renew(session: Session, agent_id: int, now: datetime) -> int:
    return rows_changed(
        session, update(Claim).where(Claim.agent_id == agent_id).values(renewed_at=to_storage(now))
    )


def expire(session: Session, stale_before: datetime, conversation_id: int | None = None) -> int:
    """Delete claims not renewed since ``stale_before`` and those of agents who went offline
    after claiming (their newest presence event is ``offline``); only the one conversation's
    claim when ``conversation_id`` is given."""
    newest = (
        select(PresenceEventRow.agent_id, func.max(PresenceEventRow.at).label("at"))
        .group_by(PresenceEventRow.agent_id)
        .subquery()
    )
    offline = (
        select(PresenceEventRow.agent_id)
        .join(newest, and_(newest.c.agent_id == PresenceEventRow.agent_id,
                           newest.c.at == PresenceEventRow.at))
        .where(PresenceEventRow.status == "offline", PresenceEventRow.agent_id == Claim.agent_id,
               PresenceEventRow.at >= Claim.claimed_at)
    )
    query = delete(Claim).where(or_(Claim.renewed_at < to_storage(stale_before), offline.exists()))
    if conversation_id is not None:
        query = query.where(Claim.conversation_id == conversation_id)
    return rows_changed(session, query)

"""The audit log: who did what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.models import Agent, AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    agent: str | None
    action: str
    subject: str
    detail: dict[str, Any]


def write(
    session: Session, at: datetime, agent_id: int | None, action: str, subject: str, **detail: Any
) -> None:
    session.add(
        AuditEntry(
            at=to_storage(at),
            agent_id=agent_id,
            action=action,
            subject=subject,
            detail=detail,
        )
    )


def entries(session: Session, subject_prefix: str = "", limit: int = 500) -> list[AuditRecord]:
    query = (
        select(
            AuditEntry.at,
            Agent.display_name,
            AuditEntry.action,
            AuditEntry.subject,
            AuditEntry.detail,
        )
        .outerjoin(Agent, Agent.id == AuditEntry.agent_id)
        .where(AuditEntry.subject.startswith(subject_prefix))
        .order_by(AuditEntry.at, AuditEntry.id)
        .limit(limit)
    )
    return [
        AuditRecord(as_utc(at), name, action, subject, dict(detail or {}))
        for at, name, action, subject, detail in session.execute(query).all()
    ]

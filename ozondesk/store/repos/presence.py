"""Presence events of a shop's agents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.presence import PresenceEvent, Status, parse_status
from ozondesk.store.models import Agent, PresenceEventRow


def record(session: Session, agent_id: int, status: Status, at: datetime) -> None:
    session.add(PresenceEventRow(agent_id=agent_id, status=status, at=to_storage(at)))


def events_between(
    session: Session, start: datetime, end: datetime, shop_id: int | None = None
) -> list[PresenceEvent]:
    """Events in [start, end), plus each agent's last event before ``start`` (its status then)."""
    start_n, end_n = to_storage(start), to_storage(end)
    query = select(Agent.login, PresenceEventRow.status, PresenceEventRow.at).join(
        Agent, Agent.id == PresenceEventRow.agent_id
    )
    if shop_id is not None:
        # A person without a shop serves every shop, so their presence counts for each.
        query = query.where((Agent.shop_id == shop_id) | Agent.shop_id.is_(None))
    inside = session.execute(
        query.where(PresenceEventRow.at >= start_n, PresenceEventRow.at < end_n).order_by(
            PresenceEventRow.at
        )
    ).all()
    last = (
        select(PresenceEventRow.agent_id, func.max(PresenceEventRow.at).label("at"))
        .where(PresenceEventRow.at < start_n)
        .group_by(PresenceEventRow.agent_id)
        .subquery()
    )
    before = session.execute(
        query.join(
            last,
            (last.c.agent_id == PresenceEventRow.agent_id) & (last.c.at == PresenceEventRow.at),
        )
    ).all()
    # The column is plain text (written only through record()); parse_status gives it its type.
    events = [PresenceEvent(login, parse_status(status), as_utc(at)) for login, status, at in before]
    events += [PresenceEvent(login, parse_status(status), as_utc(at)) for login, status, at in inside]
    return events


def first_event_at(session: Session) -> datetime | None:
    """The first presence record of the database: before it, the shop's presence is unknown."""
    at = session.scalar(select(func.min(PresenceEventRow.at)))
    return as_utc(at) if at is not None else None


def display_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Agent.login, Agent.display_name)).all())

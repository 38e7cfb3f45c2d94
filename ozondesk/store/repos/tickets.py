"""The tickets' rows: read as dataclasses for the service, written in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.models import Agent, Shop
from ozondesk.store.ticket_models import PlatformNotification, Ticket, TicketAttachment, TicketEvent


@dataclass(frozen=True)
class TicketRecord:
    id: int
    source: str
    kind: str
    number: str
    category: str
    policy: str
    shop_ref: str | None
    order_numbers: tuple[str, ...]
    error_code: str | None
    question: str
    status: str
    sent_at: datetime | None
    answered_at: datetime | None
    conversation_id: int | None
    screenshots: int
    escalations: int


@dataclass(frozen=True)
class EventRecord:
    event: str
    at: datetime
    agent: str | None
    note: str


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    kind: str
    name: str
    mime: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class NotificationRecord:
    chat_type: str
    text: str
    created_at: datetime


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def records(session: Session, ticket_ids: list[int] | None = None) -> list[TicketRecord]:
    shots = (select(TicketAttachment.ticket_id, func.count().label("n"))
             .where(TicketAttachment.kind == "screenshot").group_by(TicketAttachment.ticket_id)
             .subquery())
    escal = (select(TicketEvent.ticket_id, func.count().label("n"))
             .where(TicketEvent.event == "escalated").group_by(TicketEvent.ticket_id).subquery())
    query = (select(Ticket, func.coalesce(shots.c.n, 0), func.coalesce(escal.c.n, 0))
             .outerjoin(shots, shots.c.ticket_id == Ticket.id)
             .outerjoin(escal, escal.c.ticket_id == Ticket.id).order_by(Ticket.id))
    if ticket_ids is not None:
        query = query.where(Ticket.id.in_(ticket_ids))
    out = []
    for t, n_shots, n_escal in session.execute(query):
        out.append(TicketRecord(
            t.id, t.source, t.kind, t.number, t.category, t.policy, t.shop_ref,
            tuple(t.order_numbers or ()), t.error_code, t.question, t.status, _aware(t.sent_at),
            _aware(t.answered_at), t.conversation_id, int(n_shots), int(n_escal)))
    return out


def number_taken(session: Session, number: str) -> bool:
    return session.scalar(select(Ticket.id).where(Ticket.number == number)) is not None


def get(session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def add_event(session: Session, ticket_id: int, event: str, at: datetime, agent_id: int | None,
              note: str = "") -> None:
    session.add(TicketEvent(ticket_id=ticket_id, event=event, at=to_storage(at), agent_id=agent_id,
                            note=note))


def events(session: Session, ticket_id: int) -> list[EventRecord]:
    rows = session.execute(
        select(TicketEvent.event, TicketEvent.at, Agent.login, TicketEvent.note)
        .outerjoin(Agent, Agent.id == TicketEvent.agent_id)
        .where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.at, TicketEvent.id))
    return [EventRecord(e, as_utc(at), login, note) for e, at, login, note in rows]


def attachments(session: Session, ticket_id: int) -> list[AttachmentRecord]:
    rows = session.execute(
        select(TicketAttachment.id, TicketAttachment.kind, TicketAttachment.name,
               TicketAttachment.mime, TicketAttachment.size, TicketAttachment.added_at)
        .where(TicketAttachment.ticket_id == ticket_id).order_by(TicketAttachment.id))
    return [AttachmentRecord(i, k, n, m, s, as_utc(a)) for i, k, n, m, s, a in rows]


def attachment_data(session: Session, attachment_id: int) -> bytes | None:
    return session.scalar(select(TicketAttachment.data).where(TicketAttachment.id == attachment_id))


def add_attachment(session: Session, ticket_id: int, kind: str, name: str, mime: str, data: bytes,
                   at: datetime) -> int:
    row = TicketAttachment(ticket_id=ticket_id, kind=kind, name=name[:200], mime=mime[:100],
                           size=len(data), data=data, added_at=to_storage(at))
    session.add(row)
    session.flush()
    return row.id


def agent_id(session: Session, login: str | None) -> int | None:
    if not login:
        return None
    return session.scalar(select(Agent.id).where(Agent.login == login))


def first_shop(session: Session) -> tuple[int, str, str] | None:
    row = session.execute(select(Shop.id, Shop.ozon_seller_id, Shop.name).order_by(Shop.id).limit(1)).first()
    return (row[0], row[1], row[2]) if row else None


def notifications(session: Session, limit: int) -> list[NotificationRecord]:
    rows = session.execute(
        select(PlatformNotification.chat_type, PlatformNotification.text,
               PlatformNotification.created_at)
        .order_by(PlatformNotification.created_at.desc(), PlatformNotification.id.desc()).limit(limit))
    return [NotificationRecord(c, t, as_utc(a)) for c, t, a in rows]


def ticket_ids_with_event(session: Session, event: str) -> set[int]:
    return set(session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.event == event).distinct()))


def agent_role(session: Session, login: str) -> str | None:
    return session.scalar(select(Agent.role).where(Agent.login == login))


def ticket_of_conversation(session: Session, conversation_id: int) -> int | None:
    return session.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation_id))

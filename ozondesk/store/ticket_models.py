"""Tables of the seller's tickets to Ozon, their evidence and history, and the platform's
notification chats. Imported by ``ozondesk.store.models`` so one metadata holds every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ozondesk.store.models import Base


class Ticket(Base):
    """A ticket the seller sent Ozon: entered by hand (Seller Center form, e-mail) or a synced
    support / personal-manager chat (``conversation_id`` set, ``source`` "sync")."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    source: Mapped[str] = mapped_column(String(8), default="hand")  # hand | sync
    kind: Mapped[str] = mapped_column(String(10))  # domain.tickets.KINDS
    number: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    policy: Mapped[str] = mapped_column(String(64))
    # The seller's Ozon shop ID as written on the ticket (evidence), not shops.id.
    shop_ref: Mapped[str | None] = mapped_column(String(32))
    order_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    error_code: Mapped[str | None] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    __table_args__ = (
        Index("ix_tickets_status_sent", "status", "sent_at"),
        UniqueConstraint("number", name="uq_tickets_number"),
    )


class TicketEvent(Base):
    """History of a ticket: each platform status it took, escalations sent, evidence added."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(16))  # a status, or "escalated"
    at: Mapped[datetime] = mapped_column(DateTime)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")


class TicketAttachment(Base):
    """Evidence kept in the database, not as a path on one desk's disk: on a team database every
    desk (and the lead reviewing an escalation) sees it, and a backup copy carries it along."""

    __tablename__ = "ticket_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # screenshot | file
    name: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    # Deferred: listing a ticket's evidence never reads the images.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class PlatformNotification(Base):
    """One message of Ozon's notification chats (logistics, API, content, business
    development): read-only, no deadline."""

    __tablename__ = "platform_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_type: Mapped[str] = mapped_column(String(64))
    platform_message_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_message_id", name="uq_platform_notifications_message"),
    )

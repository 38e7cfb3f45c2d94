"""SQLAlchemy 2 typed models. All instants are stored as naive UTC.

Names of constraints follow one convention so Alembic batch migrations on SQLite
can find them again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CONVERSATION_KINDS = (
    "buyer_chat",
    "buyer_ticket",
    "ozon_ticket",
    "account_manager",
    # Public product questions and reviews (ProductFeedback holds their context).
    "question",
    "review",
    # rFBS return requests and conditional cancellations the seller decides on.
    "return_request",
    "cancellation",
)
CONVERSATION_STATUSES = ("open", "waiting_buyer", "resolved", "closed")
PRIORITIES = ("normal", "urgent")
ROLES = ("agent", "lead", "trainer")
SIDES = ("buyer", "seller", "platform")
DELIVERY_STATES = ("received", "queued", "sent", "delivered", "failed")
SCHEMES = ("FBO", "FBS", "rFBS")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Shop(Base):
    __tablename__ = "shops"
    id: Mapped[int] = mapped_column(primary_key=True)
    ozon_seller_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    # No shop: the person serves every shop of the team.
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BusinessCalendarRow(Base):
    __tablename__ = "business_calendars"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    tz: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    weekly: Mapped[list[Any]] = mapped_column(JSON)
    production_calendar: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarOverrideRow(Base):
    __tablename__ = "calendar_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[list[Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("calendar_id", "day", name="uq_calendar_overrides_day"),)


class SlaPolicyRevision(Base):
    """Every edit of a policy (or of its calendar) appends a snapshot; time used before
    ``effective_from`` keeps counting as used under the older revision."""

    __tablename__ = "sla_policy_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    effective_from: Mapped[datetime] = mapped_column(DateTime)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class Posting(Base):
    __tablename__ = "postings"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    posting_number: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str | None] = mapped_column(String(64))
    scheme: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(100))
    carrier_status: Mapped[str | None] = mapped_column(String(100))
    warehouse_status: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)
    eta: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    ship_by: Mapped[datetime | None] = mapped_column(DateTime)  # FBS shipment_date
    # available_actions holds can_create_chat; None when the API did not say (FBO).
    can_create_chat: Mapped[bool | None] = mapped_column(Boolean)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    cancel_initiator: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (
        UniqueConstraint("shop_id", "posting_number", name="uq_postings_shop_number"),
    )


class PostingItem(Base):
    __tablename__ = "posting_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(
        ForeignKey("postings.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    platform_id: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300), default="")
    buyer_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    category: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    # The order the buyer's messages name (context.order_number); posting_id follows once fetched.
    order_number: Mapped[str | None] = mapped_column(String(64))
    sla_policy: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    # Cached from the SLA engine so the inbox can sort by urgency without computing 100k deadlines.
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The SLA outcome (domain/sla_outcome.py), stored on every change of the conversation's
    # events by store/sla_outcomes.py so reports aggregate it in SQL: on this table, not a
    # 1:1 one, because every reader also wants the kind, assignee and receipt beside it.
    sla_first_due: Mapped[datetime | None] = mapped_column(DateTime)
    sla_first_met_at: Mapped[datetime | None] = mapped_column(DateTime)
    sla_next_due: Mapped[datetime | None] = mapped_column(DateTime)
    sla_resolution_due: Mapped[datetime | None] = mapped_column(DateTime)
    sla_resolution_met_at: Mapped[datetime | None] = mapped_column(DateTime)
    sla_breach_reason: Mapped[str | None] = mapped_column(String(24))
    sla_counted_seconds: Mapped[float | None] = mapped_column(Float)
    # The newest sla_policy_revisions.id of the conversation's policy when it was computed.
    sla_policy_revision: Mapped[int | None] = mapped_column(Integer)
    # The deadline the countdown runs to (domain/running_deadline.py), from the columns above:
    # what the inbox sorts and filters by, the list and the composer show (migration 0024).
    sla_due: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("shop_id", "kind", "platform_id", name="uq_conversations_platform"),
        Index("ix_conversations_received", "received_at"),
        Index("ix_conversations_status_due", "status", "due_at"),
        Index("ix_conversations_status_sla_due", "status", "sla_due"),
        Index("ix_conversations_last_message", "last_message_at"),
        Index("ix_conversations_assignee", "assignee_id"),
        Index("ix_conversations_order", "shop_id", "order_number"),
    )


class StatusChange(Base):
    """Status history: waiting_buyer spans are pauses for the SLA engine."""

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # Ozon message ids are 19-digit integers: kept as text so no layer turns them into floats.
    # Answers to questions and review comments have UUIDs (36 characters).
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(10))
    author_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivery_state: Mapped[str] = mapped_column(String(12), default="received")
    __table_args__ = (
        Index("ix_messages_conversation_time", "conversation_id", "created_at"),
        UniqueConstraint(
            "conversation_id", "platform_message_id", name="uq_messages_platform_id"
        ),
    )


class PresenceEventRow(Base):
    __tablename__ = "presence_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_presence_events_at", "at"),)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


TEMPLATE_STATES = ("draft", "submitted", "approved", "rejected")


class ReplyTemplate(Base):
    """A reply template; its text lives in revisions so the live one stays until a new one takes effect."""

    __tablename__ = "templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    gloss_zh: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str] = mapped_column(String(16), default="chat")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class TemplateRevision(Base):
    __tablename__ = "template_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    # When an approved revision replaces the live one: 3 working days after submission.
    effective_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("template_id", "number", name="uq_template_revisions_number"),
    )


class ShopCredentialRef(Base):
    """Where a shop's API key lives in the OS keyring. The key itself is never stored here."""

    __tablename__ = "shop_credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[str] = mapped_column(String(32))
    keyring_service: Mapped[str] = mapped_column(String(100))
    keyring_user: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class SyncCursor(Base):
    """Per-shop sync positions, e.g. ``chat:<id>`` → the newest message id already stored."""

    __tablename__ = "sync_cursors"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("shop_id", "key", name="uq_sync_cursors_shop_key"),)


class ShopCapability(Base):
    """Whether a shop's Ozon plan allows a method (keyed by its path), as last seen.

    A 403 with code 7 «not available with existing subscription» marks it denied, an answer
    allowed; the sync skips a denied method until ``checked_at`` is a day old, then tries again.
    """

    __tablename__ = "shop_capabilities"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(100))
    allowed: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str | None] = mapped_column(String(300))  # Ozon's words when denied
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("shop_id", "method", name="uq_shop_capabilities_shop_method"),
    )


SYNC_STAGES = ("postings", "returns", "products")


class SyncPending(Base):
    """Work a sync owes: an order's postings, a posting's returns, a product (by SKU).

    Written in the transaction that stores the chat page (or posting batch) naming it, deleted
    in the one that stores what was fetched: no cursor moves past work that isn't written down,
    and a failed or interrupted fetch is tried again by the next sync.
    """

    __tablename__ = "sync_pending"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))  # one of SYNC_STAGES
    key: Mapped[str] = mapped_column(String(64))  # order number, posting number or SKU
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # redacted: no key ever lands here
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # After a failed try, when it is due again (repos/sync.py fail_pending); None: due now.
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("shop_id", "stage", "key", name="uq_sync_pending_item"),
    )


class ReturnRow(Base):
    __tablename__ = "returns"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    ozon_return_id: Mapped[int] = mapped_column(BigInteger)
    posting_number: Mapped[str] = mapped_column(String(64), index=True)
    order_number: Mapped[str | None] = mapped_column(String(64))
    schema: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(64))
    status_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(300))
    sku: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[str | None] = mapped_column(String(100))
    product_name: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[int | None] = mapped_column(Integer)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("shop_id", "ozon_return_id", name="uq_returns_shop_return"),)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    sku: Mapped[int] = mapped_column(BigInteger)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    image: Mapped[str | None] = mapped_column(String(500))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("shop_id", "sku", name="uq_products_shop_sku"),)


OUTBOX_STATES = ("pending", "sending", "sent", "failed")


OUTBOX_ACTIONS = (
    "chat_message", "question_answer", "review_comment",
    # Decisions and files (ozondesk/services/decision_actions.py).
    "rfbs_action", "cancellation_approve", "cancellation_reject", "chat_file",
)


class OutboxEntry(Base):
    """A request on its way to the platform: a chat reply, an answer to a product question, a
    public comment on a review, a decision on a return… (``action``, see
    ``ozondesk.services.outbox_actions``). ``chat_id`` holds the platform id of the *target*:
    the chat id, question id, review id, return id or cancellation id; ``payload`` the
    request's other specifics as JSON (e.g. the question's SKU). ``message_id`` is the thread
    message the request shows as, None for a decision that is no message.

    Written before any attempt, so nothing is lost
    offline; ``attempts`` > 0 means an earlier try may have got through, and the sender
    checks the platform (the chat history, the question's answers…) before trying again. A sender claims an entry (``pending`` →
    ``sending``, ``claimed_by`` and ``lease_until``) in one conditional update before it goes
    on the wire; only an expired lease lets another sender take it over."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    action: Mapped[str] = mapped_column(
        String(24), default="chat_message", server_default="chat_message"
    )
    payload: Mapped[str | None] = mapped_column(Text)
    chat_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    attempt_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)


class ProductFeedback(Base):
    """What a product question or a review is about, beside its conversation (kind
    ``question`` or ``review``): one row per such conversation, so chats stay narrow."""

    __tablename__ = "product_feedback"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[str | None] = mapped_column(String(100))
    product_name: Mapped[str | None] = mapped_column(String(500))
    # The product page (question) or the question's own link on it.
    product_url: Mapped[str | None] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(500))
    image: Mapped[str | None] = mapped_column(String(500))
    rating: Mapped[int | None] = mapped_column(Integer)  # reviews: 1..5
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    videos: Mapped[int] = mapped_column(Integer, default=0)
    order_status: Mapped[str | None] = mapped_column(String(32))  # reviews: DELIVERED, CANCELLED…
    # The platform's own processing status (NEW / VIEWED / PROCESSED, UNPROCESSED…).
    platform_status: Mapped[str | None] = mapped_column(String(32))
    # Whether the seller's answer or comment is already on the platform (made anywhere).
    has_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)


class Draft(Base):
    """An agent's unsent reply, saved on every pause in typing so a crash loses nothing."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    template_slug: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        UniqueConstraint("conversation_id", "agent_id", name="uq_drafts_conversation_agent"),
    )


class TemplateUse(Base):
    """A template sent in a reply: which revision, and how far the agent changed its text."""

    __tablename__ = "template_uses"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_revisions.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    used_at: Mapped[datetime] = mapped_column(DateTime)
    # Characters of the filled template as inserted, and the edit distance to what was sent.
    inserted_chars: Mapped[int] = mapped_column(Integer, default=0)
    edit_distance: Mapped[int] = mapped_column(Integer, default=0)
    # Covers every column the dashboard's template figures read (store/repos/sla_figures.py),
    # used_at first for the period's range: the uses are read from the index alone.
    __table_args__ = (
        Index("ix_template_uses_figures", "used_at", "conversation_id", "template_id",
              "agent_id", "revision_id", "edit_distance", "inserted_chars"),
    )


DRILL_FAMILIES = ("return-policy", "logistics-delay", "counterfeit")


class DrillSetRow(Base):
    """A set of training drills, as imported from a drill-set file."""

    __tablename__ = "drill_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(40), default="1.0.0")
    description: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class DrillRow(Base):
    """One mock ticket. ``spec`` holds the drill as in the file, answer key included, so the
    service alone decides who sees what. A drill dropped from a re-imported set is archived,
    not deleted: trainees' attempts at it stay in their history."""

    __tablename__ = "drills"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("drill_sets.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    family: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("set_id", "slug", name="uq_drills_set_slug"),)


class DrillAttempt(Base):
    """A trainee's run of a drill: started when the drill is opened, scored when submitted.
    The time limit is measured from ``started_at`` as stored, never from the client."""

    __tablename__ = "drill_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    elapsed_seconds: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    commented_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    commented_at: Mapped[datetime | None] = mapped_column(DateTime)


class Claim(Base):
    """Which agent is answering a conversation. One row per conversation at most, so two desks
    can never both hold it; ``renewed_at`` is the holder desk's last heartbeat, and a claim not
    renewed within the claim lifetime is free for the next agent."""

    __tablename__ = "claims"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    renewed_at: Mapped[datetime] = mapped_column(DateTime)


DECISION_KINDS = ("return_request", "cancellation")


class DecisionRequest(Base):
    """What an rFBS return request or a conditional cancellation asks the seller to decide,
    beside its conversation (kind ``return_request`` or ``cancellation``), as the last sync
    read it: the posting, reason, amount, and the actions the platform offers now with their
    deadline. Rewritten by every sync; the decision itself goes through the outbox."""

    __tablename__ = "decision_requests"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # one of DECISION_KINDS
    # The platform's return_id or cancellation_id (also the conversation's platform_id).
    platform_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[str | None] = mapped_column(String(64))  # return_number
    posting_number: Mapped[str] = mapped_column(String(64))
    order_number: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(40))  # the platform's code: NEW, ON_APPROVAL, …
    state_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(String(300))
    # The buyer's own words (return comment, cancellation message).
    buyer_comment: Mapped[str] = mapped_column(Text, default="")
    initiator: Mapped[str | None] = mapped_column(String(16))
    sku: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[str | None] = mapped_column(String(100))
    product_name: Mapped[str | None] = mapped_column(String(500))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    is_defect: Mapped[bool] = mapped_column(Boolean, default=False)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"id", "name"}]: what the platform offers now; [] once decided.
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # [{"id", "name", "hint", "comment_required"}] for a return's rejection.
    rejection_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When the platform decides by itself (a cancellation's auto_approve_date), if it says.
    auto_decision_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_decision_requests_platform", "kind", "platform_id"),)


# Kept in their own module; imported here so every table is on one metadata.
from ozondesk.store import ticket_models as _ticket_models  # noqa: E402,F401
from ozondesk.store import translation_models as _translation_models  # noqa: E402,F401
